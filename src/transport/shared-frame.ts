// Frames encoded once for many connections (a source's property changes and signals fanned out
// to every replica): the length-prefixed bytes are laid down once, in an arena of the source, and
// every connection's send queue refers to them instead of copying them. Consecutive frames of
// one arena are contiguous, so a connection that takes every frame of a source in a turn (the
// common case: every listener of a source gets all of its frames) hands its socket one slice of
// the arena, the same bytes every other connection writes.

import { platform } from '../util/platform';
import { varintSize, writeVarint } from './varint';

/**
 * Frames at least this large are never copied on the send path: queues refer to the encoder's
 * own buffer and write its length prefix beside it. Below it, one copy is cheaper than another
 * chunk for the socket to write.
 */
export const LARGE_FRAME = 16 * 1024;

/** A frame shared by every connection it is sent to. Its bytes must never change once made. */
export interface SharedFrame {
  /** The frame, without its length prefix. */
  readonly bytes: Uint8Array;
  /** Where its length-prefixed copy lives, arena[start, end); undefined for a large frame (LARGE_FRAME). */
  readonly arena: Uint8Array | undefined;
  readonly start: number;
  readonly end: number;
}

// An arena starts small (a source that changes once in a while holds no more than its frames) and
// follows the traffic of the turn before, within these bounds.
const MIN_ARENA = 512;
const MAX_ARENA = 64 * 1024;

/**
 * The arena of one source. Append-only: bytes handed out are never written again, because
 * sockets may still be sending them. Forgotten at the end of each turn in which it was used, so
 * that an idle source holds no buffer, and so that a connection that is slow to send pins at most
 * the frames of its own sources.
 */
export class FrameArena {
  #buffer: Uint8Array | undefined = undefined;
  #end = 0;
  #used = 0;
  #lastTurn = 0;
  #scheduled = false;
  readonly #forget = (): void => {
    this.#scheduled = false;
    this.#lastTurn = this.#used;
    this.#used = 0;
    this.#buffer = undefined;
    this.#end = 0;
  };

  constructor(private readonly schedule: (fn: () => void) => void = (fn) => platform.schedule(fn)) {}

  /** The frame as a SharedFrame; small frames are copied (once) into the arena with their prefix. */
  place(bytes: Uint8Array): SharedFrame {
    const length = bytes.length;
    if (length >= LARGE_FRAME) return { bytes, arena: undefined, start: 0, end: 0 };
    const need = varintSize(length) + length;
    let buf = this.#buffer;
    if (buf === undefined || buf.length - this.#end < need) {
      let capacity = Math.max(MIN_ARENA, Math.min(MAX_ARENA, Math.max(this.#lastTurn, 2 * this.#used)));
      while (capacity < need) capacity *= 2;
      buf = this.#buffer = platform.allocUnsafe(capacity);
      this.#end = 0;
    }
    const start = this.#end;
    const at = writeVarint(buf, start, length);
    if (length < 32) {
      for (let i = 0; i < length; i++) buf[at + i] = bytes[i]!;
    } else {
      buf.set(bytes, at);
    }
    const end = at + length;
    this.#end = end;
    this.#used += need;
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.schedule(this.#forget);
    }
    return { bytes, arena: buf, start, end };
  }
}

/** A frame sent to one connection only, as a SharedFrame (not placed in any arena). */
export function unshared(bytes: Uint8Array): SharedFrame {
  return { bytes, arena: undefined, start: 0, end: 0 };
}
