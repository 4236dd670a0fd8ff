// The error types tsro throws and rejects with. Every one is a TsroError with a stable string
// `code` that callers can switch on; the table of codes lives in README.md ("Error codes").
// This module sits below every layer (transport, protocol, lib, decorators all import it).

/** Every code a TsroError can carry. Listed, with meanings, in README.md. */
export type TsroErrorCode =
  | 'URL_INVALID'
  | 'LISTEN_FAILED'
  | 'CONNECT_FAILED'
  | 'PROTOCOL_MISMATCH'
  | 'PROTOCOL_ERROR'
  | 'FRAME_TOO_LARGE'
  | 'DISCONNECTED'
  | 'CLOSED'
  | 'NOT_VALID'
  | 'TIMEOUT'
  | 'REMOTE'
  | 'UNKNOWN_SOURCE'
  | 'UNKNOWN_MEMBER'
  | 'READONLY'
  | 'ARGUMENT_COUNT'
  | 'TYPE_MISMATCH'
  | 'NOT_SERIALIZABLE'
  | 'DECLARATION_INVALID'
  | 'SIGNATURE_MISMATCH'
  | 'PERSISTENCE_FAILED'
  | 'AUTH_FAILED'
  | 'LIMIT_EXCEEDED';

/** Base class of every error tsro produces. */
export class TsroError extends Error {
  readonly code: TsroErrorCode;
  constructor(code: TsroErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A URL could not be parsed or names a scheme tsro does not know. */
export class UrlError extends TsroError {
  constructor(message: string) {
    super('URL_INVALID', message);
  }
}

/** A host could not bind its address (port in use, permission denied, live socket file...). */
export class ListenError extends TsroError {
  constructor(message: string, cause?: unknown) {
    super('LISTEN_FAILED', message, { cause });
  }
}

/** Connecting to a host failed before the handshake completed. */
export class ConnectError extends TsroError {
  constructor(message: string, cause?: unknown) {
    super('CONNECT_FAILED', message, { cause });
  }
}

/**
 * The peer broke the protocol: a frame that does not decode, a message out of order, a version
 * mismatch (`PROTOCOL_MISMATCH`) or a frame over the size limit (`FRAME_TOO_LARGE`). The
 * connection that carried it is closed; others are untouched.
 */
export class ProtocolError extends TsroError {
  constructor(
    code: 'PROTOCOL_ERROR' | 'PROTOCOL_MISMATCH' | 'FRAME_TOO_LARGE',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { cause });
  }
}

/** The connection a call or replica depended on went away (`DISCONNECTED`) or was closed locally (`CLOSED`). */
export class DisconnectedError extends TsroError {
  constructor(message: string, code: 'DISCONNECTED' | 'CLOSED' = 'DISCONNECTED') {
    super(code, message);
  }
}

/** An operation needs a valid replica (or a known source) and does not have one. */
export class NotValidError extends TsroError {
  constructor(message: string, code: 'NOT_VALID' | 'UNKNOWN_SOURCE' | 'SIGNATURE_MISMATCH' = 'NOT_VALID') {
    super(code, message);
  }
}

/** The host refused this node's credential (or it sent none and one is required). */
export class AuthError extends TsroError {
  constructor(message: string) {
    super('AUTH_FAILED', message);
  }
}

/**
 * A configured limit was reached: too many connections to a host, too many calls in flight on
 * one connection, or a peer so slow to read that its unsent data passed the buffer limit.
 */
export class LimitError extends TsroError {
  constructor(message: string) {
    super('LIMIT_EXCEEDED', message);
  }
}

/** A wait ran out of time. */
export class TimeoutError extends TsroError {
  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/**
 * A call or a value does not fit the declared API: unknown member, readonly property, wrong
 * argument count, a value of the wrong type, or a value that cannot be carried at all.
 */
export class UsageError extends TsroError {
  constructor(
    code:
      | 'UNKNOWN_MEMBER'
      | 'READONLY'
      | 'ARGUMENT_COUNT'
      | 'TYPE_MISMATCH'
      | 'NOT_SERIALIZABLE'
      | 'DECLARATION_INVALID',
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * A slot call failed on the source side. `code` is always `'REMOTE'`; `remoteName` and
 * `remoteMessage` are what the slot threw, or, when the host refused the call before running
 * it, `remoteCode` says why (e.g. `'ARGUMENT_COUNT'`).
 */
export class RemoteError extends TsroError {
  readonly remoteName: string;
  readonly remoteMessage: string;
  readonly remoteCode: string | undefined;
  constructor(remoteName: string, remoteMessage: string, remoteCode?: string) {
    super('REMOTE', `${remoteName}: ${remoteMessage}`);
    this.remoteName = remoteName;
    this.remoteMessage = remoteMessage;
    this.remoteCode = remoteCode || undefined;
  }
}
