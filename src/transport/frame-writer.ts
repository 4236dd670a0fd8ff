// Batches outgoing frames so that everything sent during one event-loop turn reaches the socket in
// a single write. A socket.write per message costs 15-40x more than copying the message into a
// shared buffer, so the writer copies and the socket sees one write per turn.

import { platform } from '../util/platform';
import { varintSize, writeVarint } from './varint';

/** Runs `fn` later, once. FrameWriter uses it to defer the flush of a batch. */
export type Scheduler = (fn: () => void) => void;

// The platform's: in Node.js setImmediate rather than a microtask or nextTick, which runs after
// the I/O callbacks of the current loop iteration, so replies to every chunk read in that
// iteration share one write.
const defaultSchedule: Scheduler = (fn) => platform.schedule(fn);

// Small to start: an idle connection keeps at most this much. Busy ones grow by doubling.
const INITIAL_CAPACITY = 4 * 1024;
// A buffer grown past this for one large batch is dropped after the flush, so that one big
// message does not pin that much memory for the rest of the connection's life.
const MAX_RETAINED_CAPACITY = 1024 * 1024;
// Below this, a byte loop beats TypedArray#set's fixed cost.
const SMALL_COPY = 32;

/**
 * Length-prefixes frames and hands them to `sink` in batches.
 *
 * `write()` appends a frame to the pending batch and, if none is scheduled yet, schedules a flush;
 * the flush hands every frame written since the previous one to `sink` in ONE call, in write
 * order. `flush()` does the same immediately.
 *
 * Every array given to `sink` is the sink's to keep: the writer never writes to those bytes
 * again (a socket may still be holding them). Frames are copied on `write()`, so the caller may
 * reuse its frame right after.
 */
export class FrameWriter {
  private readonly sink: (bytes: Uint8Array) => void;
  private readonly schedule: Scheduler;
  private readonly scheduledFlush: () => void;

  // The pending batch is buffer[start, end). Bytes before `start` belong to earlier batches that
  // were handed to the sink; bytes after `end` are free for the next frames.
  private buffer: Uint8Array | undefined = undefined;
  private start = 0;
  private end = 0;
  private scheduled = false;

  /**
   * @param sink receives each batch; called from `flush()` or from the scheduled callback.
   * @param schedule defers the automatic flush; defaults to the platform's (Node.js: setImmediate).
   */
  constructor(sink: (bytes: Uint8Array) => void, schedule: Scheduler = defaultSchedule) {
    this.sink = sink;
    this.schedule = schedule;
    this.scheduledFlush = () => {
      this.scheduled = false;
      this.flush();
    };
  }

  /** Bytes written but not yet handed to the sink, length prefixes included. */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /** Appends `frame`, prefixed by its length as a varint, to the pending batch. */
  write(frame: Uint8Array): void {
    const length = frame.length;
    const need = varintSize(length) + length;
    let buf = this.buffer;
    if (buf === undefined || buf.length - this.end < need) buf = this.grow(need);
    let offset = writeVarint(buf, this.end, length);
    if (length < SMALL_COPY) {
      for (let i = 0; i < length; i++) buf[offset + i] = frame[i];
    } else {
      buf.set(frame, offset);
    }
    offset += length;
    this.end = offset;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.scheduledFlush);
    }
  }

  /** Hands the pending batch, if any, to the sink now. The scheduled flush then finds nothing. */
  flush(): void {
    const buf = this.buffer;
    if (buf === undefined || this.end === this.start) return;
    const bytes = buf.subarray(this.start, this.end);
    // Advance first: if the sink throws, these bytes still count as handed over, never resent.
    // Also dropped once batches shrink well below a grown buffer: memory follows the traffic.
    if (buf.length > MAX_RETAINED_CAPACITY || (buf.length > INITIAL_CAPACITY && bytes.length * 4 < buf.length)) {
      this.buffer = undefined;
      this.start = this.end = 0;
    } else {
      this.start = this.end;
    }
    this.sink(bytes);
  }

  /** Drops the pending batch without handing it to the sink (the connection is gone). */
  discard(): void {
    this.start = this.end;
  }

  // Moves the pending batch to a new buffer with room for `need` more bytes. Capacity doubles
  // from INITIAL_CAPACITY, so a batch that keeps growing is copied O(log n) times, not per frame.
  private grow(need: number): Uint8Array {
    const pending = this.end - this.start;
    let capacity = INITIAL_CAPACITY;
    while (capacity < pending + need) capacity *= 2;
    // A batch this large is handed to the socket whole and dropped after the flush: doubling
    // would keep up to twice its size alive in the socket's queue (what maxBufferedBytes and the
    // host-wide bound count is the bytes, so the memory must be the bytes too). 1/8 of headroom
    // keeps growth geometric.
    if (capacity > MAX_RETAINED_CAPACITY) capacity = Math.ceil((pending + need) * 1.125);
    const next = platform.allocUnsafe(capacity);
    if (pending !== 0) next.set(this.buffer!.subarray(this.start, this.end), 0);
    this.buffer = next;
    this.start = 0;
    this.end = pending;
    return next;
  }
}
