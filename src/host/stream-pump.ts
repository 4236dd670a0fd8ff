// The host side of one stream call: pulls items from the slot's async iterator, encodes them
// and sends them in batches (StreamItems), never more than the window ahead of what the
// consumer has taken (StreamCredit). When the caller gives up, or the connection ends, the
// iterator is returned, so an async generator's `finally` runs; its result is then dropped.
//
// Flow control: at most STREAM_WINDOW_ITEMS items, and no new item once STREAM_WINDOW_BYTES
// bytes of encoded items, are past what the consumer has acknowledged taking. The producer is
// simply not asked for its next item, so a slow consumer pauses it (and bounds memory on both
// sides) without it doing anything.

import { errorInfo, type CallOutcome, type StreamOutcome } from './source-binding';
import { encodeStreamItems, streamItemSize } from '../protocol/hot-packets';

/** Items a producer may run ahead of its consumer. */
export const STREAM_WINDOW_ITEMS = 1024;
/** Encoded bytes a producer may run ahead of its consumer (it stops pulling once this many are unacknowledged). */
export const STREAM_WINDOW_BYTES = 2 * 1024 * 1024;
/** A batch is sent once it holds this many bytes, else when the producer pauses. */
const BATCH_BYTES = 64 * 1024;

// Batches go out once the producer stops yielding synchronously (after the I/O phase), not on
// a timer: captured at load, so that tests faking the global timers do not stall streams.
const afterIo: (fn: () => void) => void = setImmediate;

/** What the pump needs from its connection. */
export interface StreamSink {
  /** Sends an encoded StreamItems packet; false if the connection is closed. Throws FRAME_TOO_LARGE. */
  sendEncoded(bytes: Uint8Array): boolean;
}

export class StreamPump {
  /** Encoded sizes of the items sent (or batched) and not acknowledged, oldest first. */
  private readonly sizes: number[] = [];
  private sizesHead = 0;
  private aheadBytes = 0;
  /** Conformed items not sent yet; encoded together when the batch goes. */
  private batch: unknown[] = [];
  private batchBytes = 0;
  private flushScheduled = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** Resolves once the iterator is done (returned, exhausted or thrown). */
  readonly ended: Promise<void>;
  private markEnded!: () => void;

  constructor(
    private readonly serial: number,
    private readonly source: StreamOutcome,
    private readonly sink: StreamSink,
    /** The stream's end, unless it was stopped: the InvokeReply to send. */
    private readonly finish: (outcome: CallOutcome) => void,
    /**
     * Runs the pump in its call's context: the loop starts inside it and keeps it across its
     * awaits, so the generator's body (resumed by each next()) sees currentCall().
     */
    private readonly inContext: <T>(step: () => T) => T = (step) => step(),
  ) {
    this.ended = new Promise<void>((resolve) => (this.markEnded = resolve));
  }

  start(): void {
    this.inContext(() => void this.run());
  }

  private get aheadItems(): number {
    return this.sizes.length - this.sizesHead;
  }

  private get full(): boolean {
    return this.aheadItems >= STREAM_WINDOW_ITEMS || this.aheadBytes >= STREAM_WINDOW_BYTES;
  }

  /** The consumer took `items` more items. */
  credit(items: number): void {
    const n = Math.min(items, this.aheadItems);
    for (let i = 0; i < n; i++) this.aheadBytes -= this.sizes[this.sizesHead++]!;
    if (this.sizesHead === this.sizes.length) {
      this.sizes.length = 0;
      this.sizesHead = 0;
    } else if (this.sizesHead > 1024) {
      this.sizes.splice(0, this.sizesHead);
      this.sizesHead = 0;
    }
    if (this.wake !== undefined && !this.full) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }

  /** The caller gave up (or its connection ended): no more items, the iterator is returned. */
  stop(): Promise<void> {
    this.stopped = true;
    this.batch = [];
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    return this.ended;
  }

  private async run(): Promise<void> {
    const it = this.source.stream;
    const { conformItem, what } = this.source;
    let outcome: CallOutcome = { value: undefined, what: 'stream' };
    // The iterator needs returning unless it finished by itself (done, or threw).
    let open = true;
    try {
      for (;;) {
        while (this.full && !this.stopped) {
          this.flush();
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
        if (this.stopped) break;
        let r: IteratorResult<unknown>;
        try {
          r = await it.next();
        } catch (err) {
          open = false;
          throw err;
        }
        if (r.done === true) {
          open = false;
          break;
        }
        if (this.stopped) break;
        const item = conformItem(r.value);
        const size = streamItemSize(item, what);
        this.batch.push(item);
        this.batchBytes += size;
        this.sizes.push(size);
        this.aheadBytes += size;
        if (this.batchBytes >= BATCH_BYTES) this.flush();
        else this.scheduleFlush();
      }
      if (!this.stopped) this.flush();
    } catch (err) {
      outcome = { error: errorInfo(err) };
      // The items before the error were produced: they go first.
      try {
        if (!this.stopped) this.flush();
      } catch {
        this.batch = [];
      }
    }
    if (open && typeof it.return === 'function') {
      try {
        await it.return!();
      } catch (err) {
        // A generator whose finally throws: the caller has the first error, or gave up.
        if (!('error' in outcome)) outcome = { error: errorInfo(err) };
      }
    }
    if (!this.stopped) this.finish(outcome);
    this.markEnded();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    afterIo(() => {
      this.flushScheduled = false;
      if (this.stopped) return;
      try {
        this.flush();
      } catch {
        // Cannot be sent (over the peer's frame limit): the loop meets the same on its next flush.
        this.stop().catch(() => {});
        this.finish({ error: errorInfo(new Error('a batch of stream items could not be sent')) });
      }
    });
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const frame = encodeStreamItems(this.serial, this.batch, this.source.what);
    this.batch = [];
    this.batchBytes = 0;
    if (!this.sink.sendEncoded(frame)) this.stop().catch(() => {});
  }
}
