// Splits a received byte stream back into frames (varint length + body), the inverse of
// FrameWriter. It runs on every chunk of every connection, so the common case -- many small
// frames inside one chunk -- costs a varint read per frame and nothing else: a frame is handed
// on as a range of the chunk (a view per frame, Buffer#subarray, measured ~170 ns, more than
// decoding a property change), and only a receiver that wants a Uint8Array gets one made.

import { platform } from '../util/platform';
import { ProtocolError, type TsroError } from '../errors';
import { MAX_VARINT32_BYTES } from './varint';

// Weight of the 7-bit group at each position of a varint. Multiplication (not `<<`) keeps the
// 5th group exact for lengths of 2^31 and above.
const GROUP_WEIGHT = [1, 0x80, 0x4000, 0x200000, 0x10000000] as const;

/** Receives a frame as `buf[start, end)`; valid only during the call, as a frame is. */
export type FrameRangeSink = (buf: Uint8Array, start: number, end: number) => void;

/**
 * Incremental frame decoder.
 *
 * Feed it the chunks of a byte stream, in order, with `push()`; it calls `onFrame` synchronously,
 * in order, once per complete frame. A frame that lies inside one chunk is delivered as a
 * subarray of that chunk (no copy), so it is only valid for as long as the caller leaves the
 * chunk's bytes alone; a frame that spans chunks is copied once, when its last byte arrives.
 *
 * Errors: a length prefix above `maxFrameSize` throws `ProtocolError('FRAME_TOO_LARGE')` as soon
 * as the prefix is complete, before any of the body is buffered; a prefix longer than 5 bytes or
 * above 0xFFFFFFFF throws `ProtocolError('PROTOCOL_ERROR')`. Any throw out of `push()` -- those,
 * or one from `onFrame` itself -- leaves the decoder dead: every later `push()` rethrows the same
 * error, since the stream position is no longer known.
 */
export class FrameDecoder {
  private maxFrameSize: number;
  private readonly onFrame: FrameRangeSink;
  private readonly from: string;

  // A length prefix cut off by the end of the previous chunk (prefixBytes === 0: none).
  private prefixValue = 0;
  private prefixBytes = 0;

  // A body that spans chunks: the pieces so far and how many bytes are still missing
  // (bodyMissing === 0: none). Pieces are joined once, when the last one arrives.
  private readonly parts: Uint8Array[] = [];
  private partsLength = 0;
  private bodyLength = 0;
  private bodyMissing = 0;

  private failed = false;
  private failure: unknown = undefined;

  // Checks the first chunk of the stream once (see checkFirstBytes), then is cleared.
  private firstBytesCheck: ((head: Uint8Array) => TsroError | undefined) | undefined = undefined;
  private receivedAny = false;

  /**
   * Changes the limit for frames whose length prefix has not been read yet (a host accepts only
   * small frames until a peer is admitted, then its configured maximum).
   */
  setMaxFrameSize(maxFrameSize: number): void {
    this.maxFrameSize = maxFrameSize;
  }

  /**
   * @param maxFrameSize the largest body length accepted, in bytes (an integer, 0..0xFFFFFFFF).
   * @param onFrame receives each frame's body (or, as `{ range }`, its place in the chunk); see the class comment for how long it stays valid.
   * @param label who sends the stream (usually a URL), named in error messages.
   */
  constructor(maxFrameSize: number, onFrame: ((frame: Uint8Array) => void) | { readonly range: FrameRangeSink }, label?: string) {
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < 0 || maxFrameSize > 0xffffffff) {
      throw new RangeError(`FrameDecoder: maxFrameSize must be an integer in 0..4294967295, got ${maxFrameSize}`);
    }
    this.maxFrameSize = maxFrameSize;
    // `{ range }` takes each frame as a range of the chunk it lies in (or of the joined pieces of
    // one that spanned chunks): no view is made per frame.
    if (typeof onFrame === 'function') {
      this.onFrame = (buf, start, end) => onFrame(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    } else {
      this.onFrame = onFrame.range;
    }
    this.from = label === undefined ? 'the peer' : label;
  }

  /** Bytes received but not yet delivered: a partial length prefix plus a partial body. */
  get bufferedBytes(): number {
    return this.prefixBytes + this.partsLength;
  }

  /**
   * Consumes the next chunk of the stream, calling `onFrame` for every frame it completes.
   * Throws a ProtocolError on a malformed or oversized length prefix; see the class comment.
   */
  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failure;
    try {
      if (!this.receivedAny) {
        this.receivedAny = true;
        if (this.firstBytesCheck !== undefined) this.checkHead(chunk);
      }
      this.consume(chunk);
    } catch (err) {
      this.failed = true;
      this.failure = err;
      this.parts.length = 0;
      throw err;
    }
  }

  /**
   * Has the stream's first chunk shown to `check` before anything is decoded (ignored once bytes
   * have arrived: it is too late to tell); an error it returns fails the decoder like a malformed
   * prefix. A peer that speaks another protocol is then named at its first bytes, instead of
   * its bytes being waited on as the rest of a frame that never comes.
   */
  checkFirstBytes(check: (head: Uint8Array) => TsroError | undefined): void {
    this.firstBytesCheck = check;
  }

  private checkHead(chunk: Uint8Array): void {
    const check = this.firstBytesCheck!;
    this.firstBytesCheck = undefined;
    const error = check(chunk);
    if (error !== undefined) throw error;
  }

  private consume(chunk: Uint8Array): void {
    const end = chunk.length;
    let pos = 0;

    if (this.bodyMissing !== 0) {
      const take = this.bodyMissing < end ? this.bodyMissing : end;
      if (take === 0) return;
      this.parts.push(take === end ? chunk : chunk.subarray(0, take));
      this.partsLength += take;
      this.bodyMissing -= take;
      pos = take;
      if (this.bodyMissing !== 0) return;
      this.deliverParts();
    }

    while (pos < end) {
      let length: number;
      const first = chunk[pos];
      if (first < 0x80 && this.prefixBytes === 0) {
        length = first;
        pos++;
      } else {
        // Multi-byte prefix, possibly continuing one the previous chunk cut off.
        let value = this.prefixValue;
        let count = this.prefixBytes;
        for (;;) {
          if (pos === end) {
            this.prefixValue = value;
            this.prefixBytes = count;
            return;
          }
          const b = chunk[pos++];
          if (count === MAX_VARINT32_BYTES - 1 && b > 0x0f) {
            throw new ProtocolError(
              'PROTOCOL_ERROR',
              b & 0x80
                ? `${this.from} sent a frame length prefix longer than ${MAX_VARINT32_BYTES} bytes`
                : `${this.from} sent a frame length prefix above 4294967295`,
            );
          }
          value += (b & 0x7f) * GROUP_WEIGHT[count];
          count++;
          if (b < 0x80) break;
        }
        this.prefixValue = 0;
        this.prefixBytes = 0;
        length = value;
      }

      if (length > this.maxFrameSize) {
        throw new ProtocolError(
          'FRAME_TOO_LARGE',
          `${this.from} sent a frame of ${length} bytes; the limit is ${this.maxFrameSize}`,
        );
      }

      const available = end - pos;
      if (available >= length) {
        const start = pos;
        pos += length;
        this.onFrame(chunk, start, pos);
      } else {
        // An empty piece is not kept: if the whole body then arrives in the next chunk, it is
        // the only piece and is delivered without a copy.
        if (available !== 0) this.parts.push(chunk.subarray(pos));
        this.partsLength = available;
        this.bodyLength = length;
        this.bodyMissing = length - available;
        return;
      }
    }
  }

  private deliverParts(): void {
    const parts = this.parts;
    let frame: Uint8Array;
    if (parts.length === 1) {
      frame = parts[0];
    } else {
      frame = platform.allocUnsafe(this.bodyLength);
      let offset = 0;
      for (let i = 0; i < parts.length; i++) {
        frame.set(parts[i], offset);
        offset += parts[i].length;
      }
    }
    // Reset before the callback, so that the decoder is consistent if it pushes re-entrantly.
    parts.length = 0;
    this.partsLength = 0;
    this.bodyLength = 0;
    this.onFrame(frame, 0, frame.length);
  }
}
