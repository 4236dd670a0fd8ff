// The error types tsro throws and rejects with. Every one is a TsroError with a stable string
// `code` that callers can switch on; the table of codes lives in docs/errors.md.
// This module sits below every layer (every folder of src/ imports it). One table, CODES, says
// for every code which class carries it and what kind of failure it is; the protocol rebuilds
// errors from wire codes and the CLI picks its exit codes from it.

/** Every code a TsroError can carry. Listed, with meanings, in docs/errors.md. */
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
  | 'CANCELLED'
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
  | 'LIMIT_EXCEEDED'
  | 'OUT_OF_RANGE';

/** Base class of every error tsro produces. */
export class TsroError extends Error {
  /** What kind of failure this is: one of the codes in the table of TsroErrorCode. */
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

/** A wait or a call ran out of time. */
export class TimeoutError extends TsroError {
  constructor(message: string) {
    super('TIMEOUT', message);
  }
}

/**
 * A call or wait was given up through its AbortSignal: `cause` is the signal's `reason`. On the
 * host, a slot's `currentCall().signal` is aborted with one of these (or a TimeoutError) when
 * its caller gives up.
 */
export class CancelledError extends TsroError {
  constructor(message: string, cause?: unknown) {
    super('CANCELLED', message, { cause });
  }
}

/**
 * A call or a value does not fit the declared API: unknown member, readonly property, wrong
 * argument count, a value of the wrong type, a value that cannot be carried at all, or a row
 * index outside a model (`OUT_OF_RANGE`).
 */
export class UsageError extends TsroError {
  constructor(
    code:
      | 'UNKNOWN_MEMBER'
      | 'READONLY'
      | 'ARGUMENT_COUNT'
      | 'TYPE_MISMATCH'
      | 'NOT_SERIALIZABLE'
      | 'DECLARATION_INVALID'
      | 'OUT_OF_RANGE',
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * A slot call failed on the source side. `code` is always `'REMOTE'`; `remoteName` and
 * `remoteMessage` are what the slot threw, or, when the host refused the call before running
 * it, `remoteCode` says why (e.g. `'ARGUMENT_COUNT'`). `remoteData` holds the thrown value's
 * own enumerable properties that the wire can carry (e.g. `code`, `sensorId`; all of a thrown
 * plain object), and `cause` is a RemoteError for the thrown error's `cause`, if it had one.
 */
export class RemoteError extends TsroError {
  /** The `name` of what the slot threw (e.g. `'RangeError'`), or `'Error'`. */
  readonly remoteName: string;
  /** The `message` of what the slot threw. */
  readonly remoteMessage: string;
  /** Why the host refused the call before running the slot (e.g. `'ARGUMENT_COUNT'`); undefined if the slot threw. */
  readonly remoteCode: string | undefined;
  /** The thrown value's own enumerable properties that the wire can carry (empty if none). */
  readonly remoteData: Record<string, unknown>;
  constructor(
    remoteName: string,
    remoteMessage: string,
    remoteCode?: string,
    details: { readonly remoteData?: Record<string, unknown>; readonly cause?: RemoteError } = {},
  ) {
    super('REMOTE', `${remoteName}: ${remoteMessage}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.remoteName = remoteName;
    this.remoteMessage = remoteMessage;
    this.remoteCode = remoteCode || undefined;
    this.remoteData = details.remoteData ?? {};
  }
}

/**
 * The persisted store could not read or write its file (`PERSISTENCE_FAILED`, with the Node
 * error as `cause`), or was used after close() (`CLOSED`).
 */
export class PersistenceError extends TsroError {
  constructor(message: string, cause?: unknown, code: 'PERSISTENCE_FAILED' | 'CLOSED' = 'PERSISTENCE_FAILED') {
    super(code, message, cause === undefined ? undefined : { cause });
  }
}

/**
 * What kind of failure a code is, for whoever reports it: the CLI turns each kind into one exit
 * code. `usage`: the call was malformed; `connection`: a host could not be reached, spoken to or
 * kept; `notFound`: no such source or member; `refused`: the API or a limit refused it;
 * `remote`: the source itself failed; `internal`: a local failure the caller cannot fix by
 * changing the call.
 */
export type FailureKind = 'usage' | 'connection' | 'notFound' | 'refused' | 'remote' | 'internal';

/** The one table of codes: the class that carries each one and its kind of failure. @internal */
export const CODES: { readonly [C in TsroErrorCode]: { readonly kind: FailureKind; readonly make: (message: string) => TsroError } } = {
  URL_INVALID: { kind: 'usage', make: (m) => new UrlError(m) },
  LISTEN_FAILED: { kind: 'internal', make: (m) => new ListenError(m) },
  CONNECT_FAILED: { kind: 'connection', make: (m) => new ConnectError(m) },
  PROTOCOL_MISMATCH: { kind: 'connection', make: (m) => new ProtocolError('PROTOCOL_MISMATCH', m) },
  PROTOCOL_ERROR: { kind: 'connection', make: (m) => new ProtocolError('PROTOCOL_ERROR', m) },
  FRAME_TOO_LARGE: { kind: 'refused', make: (m) => new ProtocolError('FRAME_TOO_LARGE', m) },
  DISCONNECTED: { kind: 'connection', make: (m) => new DisconnectedError(m, 'DISCONNECTED') },
  CLOSED: { kind: 'connection', make: (m) => new DisconnectedError(m, 'CLOSED') },
  NOT_VALID: { kind: 'connection', make: (m) => new NotValidError(m, 'NOT_VALID') },
  // A handshake or answer that never came: the CLI reports it as a connection failure.
  TIMEOUT: { kind: 'connection', make: (m) => new TimeoutError(m) },
  // The caller gave up on purpose (an AbortSignal): nothing the call itself could change.
  CANCELLED: { kind: 'internal', make: (m) => new CancelledError(m) },
  REMOTE: { kind: 'remote', make: (m) => new RemoteError('Error', m) },
  UNKNOWN_SOURCE: { kind: 'notFound', make: (m) => new NotValidError(m, 'UNKNOWN_SOURCE') },
  UNKNOWN_MEMBER: { kind: 'notFound', make: (m) => new UsageError('UNKNOWN_MEMBER', m) },
  READONLY: { kind: 'refused', make: (m) => new UsageError('READONLY', m) },
  ARGUMENT_COUNT: { kind: 'refused', make: (m) => new UsageError('ARGUMENT_COUNT', m) },
  TYPE_MISMATCH: { kind: 'refused', make: (m) => new UsageError('TYPE_MISMATCH', m) },
  NOT_SERIALIZABLE: { kind: 'refused', make: (m) => new UsageError('NOT_SERIALIZABLE', m) },
  SIGNATURE_MISMATCH: { kind: 'refused', make: (m) => new NotValidError(m, 'SIGNATURE_MISMATCH') },
  DECLARATION_INVALID: { kind: 'internal', make: (m) => new UsageError('DECLARATION_INVALID', m) },
  PERSISTENCE_FAILED: { kind: 'internal', make: (m) => new PersistenceError(m) },
  AUTH_FAILED: { kind: 'connection', make: (m) => new AuthError(m) },
  LIMIT_EXCEEDED: { kind: 'connection', make: (m) => new LimitError(m) },
  OUT_OF_RANGE: { kind: 'refused', make: (m) => new UsageError('OUT_OF_RANGE', m) },
};

/** True if `code` is one of tsro's codes (e.g. one that arrived over the wire). @internal */
export function isTsroErrorCode(code: string): code is TsroErrorCode {
  return Object.prototype.hasOwnProperty.call(CODES, code);
}
