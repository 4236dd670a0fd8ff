// How the CLI fails: one line on stderr and an exit code per class of failure (the table is in
// docs/cli.md). Every error a command meets is turned into a CliFailure
// by `toFailure`; nothing else reaches the user, and never a stack trace.

import { CODES, isTsroErrorCode, RemoteError, TsroError, type FailureKind } from '../errors';

/** Exit codes, one per class of failure. Keep the table in docs/cli.md in step. */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** Bad command line: unknown command or option, missing or extra operands, malformed URL, bad JSON. */
  USAGE: 1,
  /** The host could not be reached, the handshake failed, or the connection was lost. */
  CONNECTION: 2,
  /** No such source (not offered within --timeout), property or slot. */
  NOT_FOUND: 3,
  /** The slot threw (or rejected) on the source. */
  REMOTE: 4,
  /** Refused: readonly property, wrong argument count, a value of the wrong type. */
  REFUSED: 5,
  /** A set or call got no answer within --timeout. */
  TIMEOUT: 6,
  /** The host refused the credential (--credential) or client certificate (AUTH_FAILED). */
  AUTH: 7,
  /** A bug in tsro. */
  INTERNAL: 70,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line and an exit code. */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

export function usage(message: string): CliFailure {
  return new CliFailure(ExitCode.USAGE, message);
}

/** The exit code of each kind of library failure (src/errors.ts says which code is which kind). */
const EXIT_OF_KIND: { readonly [K in FailureKind]: ExitCode | undefined } = {
  usage: ExitCode.USAGE,
  connection: ExitCode.CONNECTION,
  notFound: ExitCode.NOT_FOUND,
  refused: ExitCode.REFUSED,
  remote: ExitCode.REMOTE,
  internal: undefined,
};

/** Exit code of a library error code (also of a RemoteError's `remoteCode`). */
function exitCodeOf(code: string | undefined): ExitCode | undefined {
  return code !== undefined && isTsroErrorCode(code) && code !== 'REMOTE' ? EXIT_OF_KIND[CODES[code].kind] : undefined;
}

/** One line: newlines folded, so that a message never spreads over several lines. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * Turns anything a command threw into a CliFailure. `what` names the operation for remote
 * errors, e.g. `Printer.print()`.
 */
export function toFailure(err: unknown, what?: string): CliFailure {
  if (err instanceof CliFailure) return err;
  if (err instanceof RemoteError) {
    const byHost = err.remoteCode !== undefined ? exitCodeOf(err.remoteCode) : undefined;
    if (byHost !== undefined) return new CliFailure(byHost, `refused by the host: ${err.remoteMessage} (${err.remoteCode})`);
    const prefix = what ? `${what} threw ` : 'the source threw ';
    return new CliFailure(ExitCode.REMOTE, `${prefix}${err.remoteName}: ${err.remoteMessage}`);
  }
  if (err instanceof TsroError) {
    if (err.code === 'AUTH_FAILED') return new CliFailure(ExitCode.AUTH, `${err.message} (${err.code}; see --credential, --cert, --key)`);
    return new CliFailure(exitCodeOf(err.code) ?? ExitCode.INTERNAL, `${err.message} (${err.code})`);
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new CliFailure(ExitCode.INTERNAL, `internal error: ${message}`);
}
