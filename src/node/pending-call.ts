// A slot call (or a property set) waiting for its reply: its serial, deadline, abort wiring and
// the resolving functions of the promise its caller awaits, with the helpers that make that
// promise and the errors it may reject with.

import { CancelledError } from '../errors';
import type { CallStream } from '../replica/call-stream';
import type { DeadlineQueue, Deadlined } from './call-deadlines';

export class PendingCall implements Deadlined {
  settled = false;
  deadline = 0;
  queue: DeadlineQueue | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  /** A stream call: its items and end go here instead of resolve/reject. */
  stream: CallStream | undefined = undefined;
  resolve: (value: unknown) => void = settleNothing;
  reject: (error: Error) => void = settleNothing;
  constructor(
    readonly serial: number,
    /** Names the call in errors: `slot "print" of "Printer"`, or for a set its own text. */
    readonly slot: string,
    readonly source: string | undefined,
    readonly timeout: number,
  ) {}
}

function settleNothing(): void {}

// The call whose promise is being made: one executor for every call takes its resolving
// functions, instead of a closure made per call (100 k calls in flight are 100 k fewer objects
// for the garbage collector to copy).
let promised: PendingCall | undefined;
function promiseExecutor(resolve: (value: unknown) => void, reject: (error: Error) => void): void {
  const call = promised!;
  promised = undefined;
  call.resolve = resolve;
  call.reject = reject;
}

/** The promise of `call`, settled through call.resolve / call.reject. */
export function promiseOf(call: PendingCall): Promise<unknown> {
  promised = call;
  return new Promise<unknown>(promiseExecutor);
}

export function describeCall(call: { readonly slot: string; readonly source: string | undefined }): string {
  return call.source === undefined ? call.slot : `slot "${call.slot}" of "${call.source}"`;
}

/** The rejection of a call whose signal is aborted. */
export function cancelledError(what: string, signal: AbortSignal): CancelledError {
  return new CancelledError(`${what} was cancelled`, signal.reason);
}

/**
 * Gives a rejection the caller's stack: it is made where the reply is read, but runs as a
 * reaction of the promise the caller awaits, so V8's async stack trace reaches the caller's
 * frames. Costs nothing on success.
 */
export function withCallerStack(error: unknown): never {
  if (error instanceof Error) Error.captureStackTrace(error);
  throw error;
}
