// What one connection has to send, between the code that sends frames and its socket: frames
// sent in one event-loop turn reach the socket together (one write, or one writev of a few
// chunks), length-prefixed; frames shared with other connections (fan-out) are referred to, not
// copied; large frames are never copied. And when the connection falls behind -- more than
// `pressureThreshold` bytes waiting -- frames are held here instead of being handed to the
// socket, so that a newer property change can replace an older one of the same property that
// is still waiting (coalescing) rather than queueing behind it.
//
// Ordering, exactly: frames reach the socket in the order they were sent, except that a held
// frame sent with a coalescing key is replaced in place (at the older frame's position) by a
// later frame of the same key, as long as no frame without a key was sent between the two. A
// frame without a key (a signal, a reply, a stream item, anything but a property change) seals
// what is held before it: nothing sent after it can replace anything before it. So whenever the
// other side takes a frame without a key, everything keyed that was sent before it has arrived
// with the value it had then, or a later one sent before that frame; nothing is dropped but
// keyed frames that a later one of the same key, arriving in the same run, replaced.

import { platform } from '../util/platform';
import { LARGE_FRAME, type SharedFrame } from './shared-frame';
import { varintSize, writeVarint } from './varint';

/** Runs `fn` later, once. */
export type Scheduler = (fn: () => void) => void;

/** Where a send queue's bytes go: a socket (or any byte stream shaped like one). */
export interface ChunkSink {
  /**
   * Hands over one chunk; the sink may keep a reference to it until written. `written`, if
   * given, is called once the chunk (and everything before it) has been written out.
   */
  write(chunk: Uint8Array, written?: () => void): void;
  /** Brackets writes that should reach the OS together (one writev). */
  cork(): void;
  uncork(): void;
  /** Bytes handed to write() and not yet taken by the OS. */
  readonly unsent: number;
}

/** What a send queue tells its owner. */
export interface SendQueueEvents {
  /** The connection went under pressure (`true`) or came back under the threshold (`false`). */
  pressure(pressured: boolean, unsent: number): void;
  /** A held keyed frame was replaced by a later one of the same key. */
  coalesced(): void;
}

// A chunk is only worth its own write above this; runs of smaller chunks are merged by copying.
const MERGE_BELOW = 512;
const EMPTY = new Uint8Array(0);
// Shared by every queue that holds nothing (never written to: #hold makes a queue its own array).
const EMPTY_HELD: Held[] = [];

/** A frame held while the connection is under pressure. */
interface Held {
  /** The frame without its prefix (a copy, unless shared or large: those never change). */
  bytes: Uint8Array;
  /** Prefix and frame. */
  size: number;
}

export class SendQueue {
  // The batch of this turn: `chunks` (finished), then the open run buf[runStart, runEnd), which
  // the next frame extends when it continues it (the same arena, or this queue's own buffer).
  #chunks: Uint8Array[] = [];
  #runBuf: Uint8Array | undefined = undefined;
  #runStart = 0;
  #runEnd = 0;
  #batchBytes = 0;
  // This queue's own buffer, for frames that are copied: [0, #ownEnd) handed out or in the run.
  // Dropped at every flush: an idle connection holds no write buffer.
  #own: Uint8Array | undefined = undefined;
  #ownEnd = 0;
  #ownLastTurn = 0;
  #scheduled = false;

  // Under pressure: everything sent waits here, in order. `#keys` maps the key of each held
  // keyed frame sent since the last frame without a key to its position.
  #pressured = false;
  #held: Held[] = EMPTY_HELD;
  #heldBytes = 0;
  #keys: Map<number, number> | undefined = undefined;
  /** A written-callback is pending: it will tell whether the socket emptied. */
  #fenced = false;

  readonly #scheduledFlush = (): void => {
    this.#scheduled = false;
    this.flush();
  };
  // Made when first needed (under pressure): an idle queue holds no more than it must.
  #onWrittenFn: (() => void) | undefined;
  get #onWritten(): () => void {
    return (this.#onWrittenFn ??= () => this.#written());
  }
  #written(): void {
    this.#fenced = false;
    if (!this.#pressured) return;
    // Written since the fence was set (a turn's batch): wait for that too.
    if (this.sink.unsent === 0) this.#release();
    else this.#fence();
  }

  /**
   * @param pressureThreshold bytes waiting (here and in the sink) past which keyed frames are held
   *   and coalesced; Infinity: never.
   */
  constructor(
    private readonly sink: ChunkSink,
    private readonly pressureThreshold: number = Infinity,
    private readonly events?: SendQueueEvents,
    private readonly schedule: Scheduler = (fn) => platform.schedule(fn),
  ) {}

  /** Bytes sent here and not yet handed to the sink (held ones included), length prefixes included. */
  get pendingBytes(): number {
    return this.#batchBytes + this.#runEnd - this.#runStart + this.#heldBytes;
  }

  /** True while frames are held (the connection is over its pressure threshold). */
  get pressured(): boolean {
    return this.#pressured;
  }

  /** If a frame of `key` were sent now, the bytes of the held frame it would replace (0: none). */
  replaceable(key: number): number {
    if (!this.#pressured || key < 0) return 0;
    const at = this.#keys?.get(key);
    return at === undefined ? 0 : this.#held[at]!.size;
  }

  /**
   * The fast path of fan-out: if `frame` continues this turn's open run (the next frame of the
   * same arena) and the queue is not under pressure, takes it by extending the run; else false
   * and the caller takes the ordinary path (writeShared). The caller bounds how much it lets
   * through here between two ordinary sends (the pressure and hard-limit checks).
   */
  extend(frame: SharedFrame): boolean {
    if (this.#runEnd !== frame.start || this.#runBuf !== frame.arena || this.#runBuf === undefined || this.#pressured) return false;
    this.#runEnd = frame.end;
    return true;
  }

  /** Bytes that may still be queued before the pressure threshold is passed (0 under pressure). */
  get roomBeforePressure(): number {
    if (this.#pressured) return 0;
    return this.pressureThreshold - (this.#batchBytes + this.#runEnd - this.#runStart + this.sink.unsent);
  }

  /** Queues a frame for this connection only; it is copied (or, if large, referred to until written). */
  write(frame: Uint8Array): void {
    const length = frame.length;
    if (this.#pressured) {
      this.#hold(length >= LARGE_FRAME ? frame : frame.slice(), -1);
    } else if (length >= LARGE_FRAME) {
      this.#large(frame);
    } else {
      this.#copy(frame);
    }
    this.#sent();
  }

  /**
   * Queues a frame shared with other connections. `key` >= 0 makes it coalescable: under
   * pressure it replaces a held frame of the same key (see the file comment).
   */
  writeShared(frame: SharedFrame, key: number): void {
    if (this.#pressured) {
      this.#hold(frame.bytes, key);
    } else if (frame.arena !== undefined) {
      const { arena, start, end } = frame;
      if (this.#runBuf === arena && this.#runEnd === start) {
        this.#runEnd = end;
      } else {
        this.#closeRun();
        this.#runBuf = arena;
        this.#runStart = start;
        this.#runEnd = end;
      }
    } else if (frame.bytes.length >= LARGE_FRAME) {
      this.#large(frame.bytes);
    } else {
      this.#copy(frame.bytes);
    }
    this.#sent();
  }

  /** Hands this turn's batch to the sink now (held frames stay held while under pressure). */
  flush(): void {
    this.#closeRun();
    const chunks = this.#chunks;
    const n = chunks.length;
    // Copied frames from now on go to a new buffer, sized after this turn's.
    if (this.#own !== undefined) {
      this.#ownLastTurn = this.#ownEnd;
      this.#own = undefined;
      this.#ownEnd = 0;
    }
    if (n === 0) {
      if (this.#pressured) this.#fence();
      return;
    }
    this.#batchBytes = 0;
    if (n === 1) {
      const chunk = chunks[0]!;
      chunks.length = 0;
      this.#hand(chunk, this.#pressured);
    } else {
      this.#writeAll(chunks.slice(), this.#pressured);
      chunks.length = 0;
    }
  }

  /** Hands over everything, held frames included (the connection is closing). */
  flushAll(): void {
    this.flush();
    if (this.#held.length > 0) this.#writeHeld(false);
    this.#pressured = false;
  }

  /** Drops everything not yet handed over (the connection is gone). */
  discard(): void {
    this.#chunks.length = 0;
    this.#runBuf = undefined;
    this.#runStart = this.#runEnd = 0;
    this.#batchBytes = 0;
    this.#own = undefined;
    this.#ownEnd = 0;
    this.#held = EMPTY_HELD;
    this.#heldBytes = 0;
    this.#keys = undefined;
    this.#pressured = false;
  }

  // After every send: schedule the flush; see whether the connection just went over the threshold.
  #sent(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.schedule(this.#scheduledFlush);
    }
    if (!this.#pressured && this.#batchBytes + this.#runEnd - this.#runStart + this.sink.unsent > this.pressureThreshold) {
      this.#pressured = true;
      this.events?.pressure(true, this.pendingBytes + this.sink.unsent);
    }
  }

  #closeRun(): void {
    const buf = this.#runBuf;
    if (buf === undefined) return;
    this.#chunks.push(buf.subarray(this.#runStart, this.#runEnd));
    this.#batchBytes += this.#runEnd - this.#runStart;
    this.#runBuf = undefined;
    this.#runStart = this.#runEnd = 0;
  }

  #copy(frame: Uint8Array): void {
    const length = frame.length;
    const need = varintSize(length) + length;
    let own = this.#own;
    if (own === undefined || own.length - this.#ownEnd < need) own = this.#grow(need);
    const start = this.#ownEnd;
    const at = writeVarint(own, start, length);
    if (length < 32) {
      for (let i = 0; i < length; i++) own[at + i] = frame[i]!;
    } else {
      own.set(frame, at);
    }
    const end = at + length;
    this.#ownEnd = end;
    if (this.#runBuf === own && this.#runEnd === start) {
      this.#runEnd = end;
    } else {
      this.#closeRun();
      this.#runBuf = own;
      this.#runStart = start;
      this.#runEnd = end;
    }
  }

  // A large frame is its own chunk, after its prefix (copied, like a small frame).
  #large(frame: Uint8Array): void {
    const prefix = new Uint8Array(varintSize(frame.length));
    writeVarint(prefix, 0, frame.length);
    const own = this.#own;
    if (own !== undefined && own.length - this.#ownEnd >= prefix.length && this.#runBuf === own && this.#runEnd === this.#ownEnd) {
      own.set(prefix, this.#ownEnd);
      this.#ownEnd += prefix.length;
      this.#runEnd = this.#ownEnd;
      this.#closeRun();
    } else {
      this.#closeRun();
      this.#chunks.push(prefix);
      this.#batchBytes += prefix.length;
    }
    this.#chunks.push(frame);
    this.#batchBytes += frame.length;
  }

  // A new own buffer with room for `need` bytes; the run in the old one, if open, is closed.
  #grow(need: number): Uint8Array {
    if (this.#runBuf !== undefined && this.#runBuf === this.#own) this.#closeRun();
    let capacity = Math.max(256, Math.min(64 * 1024, this.#ownLastTurn));
    while (capacity < need) capacity *= 2;
    this.#own = platform.allocUnsafe(capacity);
    this.#ownEnd = 0;
    return this.#own;
  }

  #hold(bytes: Uint8Array, key: number): void {
    const size = varintSize(bytes.length) + bytes.length;
    if (key >= 0) {
      const keys = (this.#keys ??= new Map());
      const at = keys.get(key);
      if (at !== undefined) {
        const entry = this.#held[at]!;
        this.#heldBytes += size - entry.size;
        entry.bytes = bytes;
        entry.size = size;
        this.events?.coalesced();
        return;
      }
      keys.set(key, this.#held.length);
    } else {
      this.#keys?.clear();
    }
    if (this.#held === EMPTY_HELD) this.#held = [];
    this.#held.push({ bytes, size });
    this.#heldBytes += size;
  }

  // Asks the sink to say when what it holds now has been written.
  #fence(): void {
    if (this.#fenced) return;
    this.#fenced = true;
    this.sink.write(EMPTY, this.#onWritten);
  }

  #hand(chunk: Uint8Array, fence: boolean): void {
    if (fence && !this.#fenced) {
      this.#fenced = true;
      this.sink.write(chunk, this.#onWritten);
    } else {
      this.sink.write(chunk);
    }
  }

  // Several chunks in one go; runs of small ones are merged into one (a chunk costs the socket
  // more than copying a few hundred bytes).
  #writeAll(chunks: Uint8Array[], fence: boolean): void {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunks.length) {
      const c = chunks[i]!;
      if (c.length >= MERGE_BELOW || i + 1 === chunks.length || chunks[i + 1]!.length >= MERGE_BELOW) {
        out.push(c);
        i++;
        continue;
      }
      let j = i;
      let total = 0;
      while (j < chunks.length && chunks[j]!.length < MERGE_BELOW) total += chunks[j++]!.length;
      const merged = platform.allocUnsafe(total);
      let at = 0;
      for (let k = i; k < j; k++) {
        merged.set(chunks[k]!, at);
        at += chunks[k]!.length;
      }
      out.push(merged);
      i = j;
    }
    if (out.length === 1) {
      this.#hand(out[0]!, fence);
      return;
    }
    this.sink.cork();
    for (let k = 0; k < out.length - 1; k++) this.sink.write(out[k]!);
    this.#hand(out[out.length - 1]!, fence);
    this.sink.uncork();
  }

  // The held frames, in order, as chunks: runs of small ones copied together with their
  // prefixes, large ones referred to after theirs.
  #writeHeld(fence: boolean): void {
    const held = this.#held;
    const chunks: Uint8Array[] = [];
    let i = 0;
    while (i < held.length) {
      let j = i;
      let total = 0;
      while (j < held.length && held[j]!.bytes.length < LARGE_FRAME) total += held[j++]!.size;
      if (total > 0) {
        const run = platform.allocUnsafe(total);
        let at = 0;
        for (let k = i; k < j; k++) {
          const b = held[k]!.bytes;
          at = writeVarint(run, at, b.length);
          run.set(b, at);
          at += b.length;
        }
        chunks.push(run);
      }
      if (j < held.length) {
        const b = held[j]!.bytes;
        const prefix = new Uint8Array(varintSize(b.length));
        writeVarint(prefix, 0, b.length);
        chunks.push(prefix, b);
        j++;
      }
      i = j;
    }
    this.#held = EMPTY_HELD;
    this.#heldBytes = 0;
    this.#keys = undefined;
    if (chunks.length === 1) {
      this.#hand(chunks[0]!, fence);
      return;
    }
    this.sink.cork();
    for (let k = 0; k < chunks.length - 1; k++) this.sink.write(chunks[k]!);
    this.#hand(chunks[chunks.length - 1]!, fence);
    this.sink.uncork();
  }

  // The sink emptied while under pressure: what this turn sent so far, then the held frames, go
  // out; the pressure ends unless that is over the threshold again.
  #release(): void {
    this.#closeRun();
    if (this.#chunks.length > 0) {
      const chunks = this.#chunks.slice();
      this.#chunks.length = 0;
      this.#batchBytes = 0;
      this.#writeAll(chunks, false);
    }
    if (this.#held.length > 0) this.#writeHeld(false);
    const unsent = this.sink.unsent + this.pendingBytes;
    if (unsent > this.pressureThreshold) {
      this.#fence();
      return;
    }
    this.#pressured = false;
    this.events?.pressure(false, unsent);
  }
}
