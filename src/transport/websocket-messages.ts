// How tsro frames ride on WebSocket, for both ends (Node.js `ws` and the browser's WebSocket):
// every binary message holds one or more whole frames (varint length + body, the same bytes as
// on a TCP stream); text messages, and a message that ends inside a frame, are protocol errors.
// Platform-free: plain Uint8Array and numbers only.

import { ProtocolError } from '../errors';
import { MAX_VARINT32_BYTES } from './varint';

/**
 * The WebSocket subprotocol tsro asks for and selects. A client that asked for it and got a
 * server that did not select it is talking to something that is not a tsro host.
 */
export const WEBSOCKET_SUBPROTOCOL = 'tsro';

/**
 * A batch of frames larger than this is split, at frame boundaries, into several messages. Small
 * enough that a receiver's message limit need not grow with the batch, large enough that the
 * common batch (everything sent in one event-loop turn) is one message.
 */
export const MAX_BATCH_MESSAGE_BYTES = 1024 * 1024;

/**
 * The largest message a receiver whose frame limit is `maxFrameSize` accepts: one frame with its
 * longest prefix, or a batch of smaller frames.
 */
export function maxMessageSize(maxFrameSize: number): number {
  return Math.max(MAX_BATCH_MESSAGE_BYTES, maxFrameSize + MAX_VARINT32_BYTES);
}

/**
 * Checks that `message` is a sequence of whole frames, none longer than `maxFrameSize`.
 *
 * @throws ProtocolError (`PROTOCOL_ERROR` for a message that ends inside a frame or a malformed
 *   length, `FRAME_TOO_LARGE` for a frame over the limit), naming `from`.
 */
export function checkWholeFrames(message: Uint8Array, maxFrameSize: number, from: string): void {
  const end = message.length;
  if (end === 0) throw new ProtocolError('PROTOCOL_ERROR', `${from} sent an empty WebSocket message (a tsro message holds whole frames)`);
  let offset = 0;
  while (offset < end) {
    let length = 0;
    let weight = 1;
    let i = 0;
    for (;;) {
      if (offset >= end) throw notFrames(from, `a frame length is cut off at byte ${offset}`);
      if (i === MAX_VARINT32_BYTES) throw notFrames(from, 'a frame length is longer than 5 bytes');
      const b = message[offset++]!;
      length += (b & 0x7f) * weight;
      weight *= 0x80;
      i++;
      if (b < 0x80) break;
    }
    if (length > 0xffffffff) throw notFrames(from, 'a frame length is above 2^32 - 1');
    if (length > maxFrameSize) {
      throw new ProtocolError('FRAME_TOO_LARGE', `${from} sent a frame of ${length} bytes; the limit is ${maxFrameSize}`);
    }
    if (end - offset < length) {
      throw notFrames(from, `it ends inside a frame (${end - offset} of its ${length} bytes)`);
    }
    offset += length;
  }
}

/**
 * Splits a batch of whole frames into messages of at most MAX_BATCH_MESSAGE_BYTES, at frame
 * boundaries (a frame larger than that is a message of its own). A batch that fits is returned
 * as is.
 */
export function splitIntoMessages(batch: Uint8Array): Uint8Array[] {
  if (batch.length <= MAX_BATCH_MESSAGE_BYTES) return [batch];
  const messages: Uint8Array[] = [];
  let start = 0;
  let offset = 0;
  while (offset < batch.length) {
    let length = 0;
    let weight = 1;
    let p = offset;
    for (;;) {
      const b = batch[p++]!;
      length += (b & 0x7f) * weight;
      weight *= 0x80;
      if (b < 0x80) break;
    }
    const next = p + length;
    if (next - start > MAX_BATCH_MESSAGE_BYTES && offset > start) {
      messages.push(batch.subarray(start, offset));
      start = offset;
    }
    offset = next;
  }
  messages.push(batch.subarray(start, offset));
  return messages;
}

/** Names a WebSocket close code for an error message, e.g. "1009 message too big". */
export function describeCloseCode(code: number, reason: string): string {
  const name = CLOSE_CODES[code];
  const text = name === undefined ? `code ${code}` : `${code} ${name}`;
  return reason ? `${text}: ${reason}` : text;
}

const CLOSE_CODES: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure, without a close frame',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'missing extension',
  1011: 'internal error',
  1015: 'TLS handshake failure',
};

function notFrames(from: string, why: string): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `${from} sent a WebSocket message that is not whole tsro frames: ${why}`);
}
