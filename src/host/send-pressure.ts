// How a host's sources learn that replicas fall behind: which connections are under pressure
// (more than the host's pressureThreshold bytes waiting to be sent; their property changes
// coalesce, see src/transport/send-queue.ts), an event on every change, a wait for none to be
// left, and how many property changes were coalesced. The host's BufferedBytesPool reports; this
// turns that into the Host's public surface.

import { CancelledError, UsageError } from '../errors';
import { checkSignal, type WaitOptions } from '../replica/call-options';
import { BufferedBytesPool, type PressureChange } from '../transport/buffered-bytes-pool';
import { setLongTimeout, type LongTimeout, type Timers } from '../util/timers';

export type { PressureChange };

export class SendPressure {
  readonly pool: BufferedBytesPool;
  readonly #waiters = new Set<(drained: boolean) => void>();
  #closed = false;

  constructor(
    maxTotalBufferedBytes: number,
    pressureThreshold: number,
    private readonly timers: Timers,
    emit: (change: PressureChange) => void,
  ) {
    this.pool = new BufferedBytesPool(maxTotalBufferedBytes, pressureThreshold, (change) => {
      emit(change);
      if (change.connections === 0) for (const w of [...this.#waiters]) w(true);
    });
  }

  get pressured(): number {
    return this.pool.pressured;
  }

  get coalesced(): number {
    return this.pool.coalesced;
  }

  /** Resolves true once no connection is under pressure (at once if none is); false on timeout or close. */
  drained(wait: number | WaitOptions | undefined): Promise<boolean> {
    let ms = Infinity;
    let signal: AbortSignal | undefined;
    try {
      if (typeof wait === 'number') ms = wait;
      else if (wait !== null && typeof wait === 'object') {
        ms = wait.timeout ?? Infinity;
        signal = wait.signal;
        checkSignal(signal);
      } else if (wait !== undefined) {
        throw new UsageError('TYPE_MISMATCH', `drained takes a number of ms or { timeout, signal } (got ${String(wait)})`);
      }
      if (typeof ms !== 'number' || Number.isNaN(ms)) throw new UsageError('TYPE_MISMATCH', `drained: timeout must be a number of ms (got ${String(ms)})`);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(new CancelledError('waiting for the host to drain was cancelled', signal.reason));
    if (this.pool.pressured === 0) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      let timer: LongTimeout | undefined;
      const onAbort = (): void => {
        cleanup();
        reject(new CancelledError('waiting for the host to drain was cancelled', signal!.reason));
      };
      const cleanup = (): void => {
        timer?.clear();
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(done);
      };
      const done = (drained: boolean): void => {
        cleanup();
        resolve(drained);
      };
      if (ms >= 0 && ms !== Infinity) timer = setLongTimeout(this.timers, () => done(false), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(done);
    });
  }

  /** The host closed: waits end (false unless nothing is under pressure any more). */
  close(): void {
    this.#closed = true;
    for (const w of [...this.#waiters]) w(this.pool.pressured === 0);
  }
}
