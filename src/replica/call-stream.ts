// The replica side of a stream call: what a stream slot's call returns, consumed with
// `for await`. The call is sent on the first next(). Items wait here until taken; each taken
// item is acknowledged to the host (in batches, at once when the consumer is waiting), which
// runs at most a window ahead of what was taken, so memory stays bounded whatever the pace.
// return() (a `break` out of the loop) ends the stream at the source, quietly.

/** What a stream needs from the connection that carries it. */
export interface StreamControl {
  /** The consumer took `items` more items. */
  credit(items: number): void;
  /** The consumer stopped reading before the end: tell the host (quietly, no error here). */
  cancel(): void;
}

/** Acknowledge taken items in batches of this many (or when the consumer is waiting). */
const CREDIT_BATCH = 256;

type Waiter = { resolve(r: IteratorResult<unknown>): void; reject(e: unknown): void };

const DONE: IteratorResult<unknown> = Object.freeze({ value: undefined, done: true });

/**
 * Gives a rejection the consumer's stack: it runs as a reaction of the promise the consumer
 * awaits, so V8's async stack trace reaches the consumer's frames.
 */
function withConsumerStack(error: unknown): never {
  if (error instanceof Error) Error.captureStackTrace(error);
  throw error;
}

export class CallStream implements AsyncIterableIterator<unknown> {
  #open: ((stream: CallStream) => StreamControl) | undefined;
  #control: StreamControl | undefined;
  #buffer: unknown[] = [];
  #head = 0;
  #waiters: Waiter[] = [];
  /** Set once no more items will come: the error to end with after the buffer (none: done). */
  #end: { readonly error: unknown } | undefined;
  #unacked = 0;
  readonly #map: ((item: unknown) => unknown) | undefined;

  /** @internal `open` sends the call (on the first next()); it throws if it cannot. */
  constructor(open: (stream: CallStream) => StreamControl, map?: (item: unknown) => unknown) {
    this.#open = open;
    this.#map = map;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#open !== undefined) {
      const open = this.#open;
      this.#open = undefined;
      try {
        this.#control = open(this);
      } catch (err) {
        this.#end = { error: err };
      }
    }
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head];
      this.#buffer[this.#head++] = undefined;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      this.#took();
      return Promise.resolve({ value, done: false });
    }
    const end = this.#end;
    if (end !== undefined) {
      if (end.error === undefined) return Promise.resolve(DONE);
      this.#end = { error: undefined }; // the error once, then done
      return Promise.reject(end.error).then(undefined, withConsumerStack);
    }
    return new Promise<IteratorResult<unknown>>((resolve, reject) => this.#waiters.push({ resolve, reject })).then(
      undefined,
      withConsumerStack,
    );
  }

  /** Stops reading: the host ends the generator (its finally runs). Buffered items are dropped. */
  return(): Promise<IteratorResult<unknown>> {
    const started = this.#open === undefined;
    this.#open = undefined;
    if (this.#end === undefined) {
      this.#end = { error: undefined };
      if (started) this.#control?.cancel();
    }
    this.#buffer = [];
    this.#head = 0;
    this.#settleWaiters();
    return Promise.resolve(DONE);
  }

  #took(): void {
    this.#unacked++;
    if (this.#end === undefined && (this.#unacked >= CREDIT_BATCH || this.#head === 0)) {
      this.#control?.credit(this.#unacked);
      this.#unacked = 0;
    }
  }

  /** @internal Items arrived. */
  push(items: readonly unknown[]): void {
    if (this.#end !== undefined) return;
    const map = this.#map;
    let i = 0;
    // Consumers already waiting take the first items directly.
    while (i < items.length && this.#waiters.length > 0) {
      const value = map ? map(items[i++]) : items[i++];
      this.#waiters.shift()!.resolve({ value, done: false });
      this.#took();
    }
    for (; i < items.length; i++) this.#buffer.push(map ? map(items[i]) : items[i]);
  }

  /** @internal The stream ended at the source (error: how), or its connection did: after the buffered items. */
  end(error?: unknown): void {
    if (this.#end !== undefined) return;
    this.#end = { error };
    this.#settleWaiters();
  }

  /** @internal The caller gave up (timeout, abort): the error at once, buffered items dropped. */
  abort(error: unknown): void {
    if (this.#end !== undefined && this.#end.error === undefined && this.#buffer.length === 0) return;
    this.#buffer = [];
    this.#head = 0;
    this.#end = { error };
    this.#settleWaiters();
  }

  #settleWaiters(): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    const end = this.#end!;
    waiters.forEach((w, i) => {
      if (i === 0 && end.error !== undefined) {
        this.#end = { error: undefined };
        w.reject(end.error);
      } else {
        w.resolve(DONE);
      }
    });
  }
}
