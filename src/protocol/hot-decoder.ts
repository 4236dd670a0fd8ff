// Decoders for the four steady-state packets (PropertyChange, SignalEmit, Invoke, InvokeReply
// with a value), straight from a frame to JavaScript values: the receiving half of
// hot-packets.ts. protobufjs builds a reader and a message object per nested message; on the
// receiving end of a property update that was the largest cost left.
//
// Only the canonical form is taken here: the frame is exactly one Packet field, and every field
// inside is one this side knows with the expected wire type. Anything else (unknown fields,
// repeated oneof members, an error reply, a Value that is a list, object, Map, date or bigint)
// returns false or falls back to protobufjs for that part, so what protobufjs accepts is still
// accepted, with the same result. Malformed input throws PROTOCOL_ERROR.

import { ProtocolError } from '../errors';
import { checkValueCost, DEFAULT_MAX_VALUES_PER_FRAME } from './frame-cost';
import { schema } from './schema';
import { decodeValue, type ValueMessage } from './value-codec';
import { readVarint, varintEnd } from '../transport/varint';
import { platform } from '../util/platform';

/** Receives decoded hot packets. A missing method sends that kind down the general path. */
export interface HotPacketHandler {
  propertyChange?(source: number, index: number, value: unknown): void;
  signal?(source: number, index: number, args: unknown[]): void;
  invoke?(source: number, index: number, serial: number, args: unknown[]): void;
  replyValue?(serial: number, value: unknown): void;
  /** StreamItems (Packet field 21: a two-byte tag). */
  streamItems?(serial: number, items: unknown[]): void;
}

// Decoding state: one frame at a time, never re-entered.
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
/** What is left of the frame's value budget (frame-cost.ts): one budget per frame, not per value. */
let remaining = DEFAULT_MAX_VALUES_PER_FRAME;
let limit = DEFAULT_MAX_VALUES_PER_FRAME;

function overBudget(): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `a frame carries more than ${limit} values; refused before decoding it`);
}

const NOT_HOT = Symbol('not hot');

// Doubles are read by copying their 8 bytes here: no DataView per value.
const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

function malformed(what: string): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `malformed ${what}`);
}

function varint(end: number): number {
  // Ids, indexes, serials below 128 and the lengths of small values: one byte, read here.
  if (pos < end) {
    const b = buf[pos]!;
    if (b < 0x80) {
      pos++;
      return b;
    }
  }
  const v = readVarint(buf, pos, end);
  if (v < 0) throw malformed('varint');
  pos = varintEnd;
  return v;
}

function isAscii(start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

/** Decodes the Value message in buf[start, end). */
function value(start: number, end: number): unknown {
  // Every value pays, a lone scalar too (as in frame-cost.ts): 1M one-byte arguments are 1M units.
  if (--remaining < 0) throw overBudget();
  if (start === end) return undefined;
  pos = start;
  const tag = buf[pos++]!;
  let result: unknown;
  switch (tag) {
    case 0x08: {
      const z = varint(end);
      result = (z >>> 1) ^ -(z & 1);
      break;
    }
    case 0x11: {
      if (end - pos < 8) throw malformed('double');
      for (let i = 0; i < 8; i++) scratch[i] = buf[pos + i]!;
      result = scratchView.getFloat64(0, true);
      pos += 8;
      break;
    }
    case 0x1a: {
      const n = varint(end);
      if (n > end - pos) throw malformed('string');
      // Refused like the general decoder refuses it, rather than patched with U+FFFD.
      if (!isAscii(pos, pos + n) && !platform.isUtf8(buf, pos, pos + n)) throw malformed('string (invalid UTF-8)');
      // UTF-8 is decoded by the platform (Node.js: short ASCII strings in JavaScript, others by
      // Buffer's native decoder, src/util/node).
      result = platform.utf8Slice(buf, pos, pos + n);
      pos += n;
      break;
    }
    case 0x20:
      result = varint(end) !== 0;
      break;
    case 0x30:
      varint(end);
      result = null;
      break;
    default:
      result = NOT_HOT;
  }
  if (result === NOT_HOT || pos !== end) {
    // Anything but a lone scalar: the general decoder, on exactly these bytes, if what is left
    // of the frame's budget affords it (the unit paid above is given back: the walk counts it).
    remaining += 1;
    remaining -= checkValueCost(buf, start, end, remaining);
    if (remaining < 0) throw overBudget();
    let message: ValueMessage;
    try {
      message = schema.Value.decode(buf.subarray(start, end)) as unknown as ValueMessage;
    } catch (err) {
      throw new ProtocolError('PROTOCOL_ERROR', `undecodable value: ${(err as Error).message}`, err);
    }
    result = decodeValue(message);
  }
  pos = end;
  return result;
}

/** A length-delimited field's extent; leaves pos at its start. */
function delimited(end: number): number {
  const n = varint(end);
  if (n > end - pos) throw malformed('field length');
  return pos + n;
}

/**
 * Decodes `frame` if it is a hot packet the handler takes, delivering it; returns false (having
 * delivered nothing) if the frame should go down the general path.
 */
export function decodeHotPacket(frame: Uint8Array, handler: HotPacketHandler, valueLimit = DEFAULT_MAX_VALUES_PER_FRAME): boolean {
  return decodeHotPacketAt(frame, 0, frame.length, handler, valueLimit);
}

/**
 * decodeHotPacket for the frame `bytes[start, frameEnd)`, read in place (a received chunk holds
 * many frames; a view of each would cost more than decoding it).
 */
export function decodeHotPacketAt(
  bytes: Uint8Array,
  start: number,
  frameEnd: number,
  handler: HotPacketHandler,
  valueLimit = DEFAULT_MAX_VALUES_PER_FRAME,
): boolean {
  // Every hot packet has a tag and a length; anything shorter (an empty frame) is not one, and
  // the bytes past frameEnd belong to the next frame.
  if (frameEnd - start < 2) return false;
  const kind = bytes[start];
  const stream = kind === 0xaa && bytes[start + 1] === 0x01 && handler.streamItems !== undefined;
  if (
    !(
      stream ||
      (kind === 0x0a && handler.propertyChange) ||
      (kind === 0x12 && handler.invoke) ||
      (kind === 0x1a && handler.replyValue) ||
      (kind === 0x22 && handler.signal)
    )
  ) {
    return false;
  }
  buf = bytes;
  pos = start + (stream ? 2 : 1);
  limit = valueLimit;
  remaining = valueLimit;
  const end = delimited(frameEnd);
  if (end !== frameEnd) return false; // more than one field in the Packet: not canonical
  let source = 0;
  let index = 0;
  let serial = 0;
  let single: unknown;
  let seenSingle = false;
  let args: unknown[] | undefined;
  // Field numbers: PropertyChange{source=1,index=2,value=3}, SignalEmit{source=1,index=2,args=3},
  // Invoke{source=1,index=2,serial=3,args=4}, InvokeReply{serial=1,value=2,error=3},
  // StreamItems{serial=1,items=2}.
  while (pos < end) {
    const tag = buf[pos++]!;
    const field = tag >>> 3;
    const wire = tag & 7;
    if (tag >= 0x80) return false;
    if (wire === 0) {
      const v = varint(end);
      if (kind === 0x1a || stream) {
        if (field !== 1) return false;
        serial = v;
      } else if (field === 1) source = v;
      else if (field === 2) index = v;
      else if (field === 3 && kind === 0x12) serial = v;
      else return false;
    } else if (wire === 2) {
      const fieldEnd = delimited(end);
      const isValue = kind === 0x0a ? field === 3 : kind === 0x1a ? field === 2 : false;
      const isArg = stream ? field === 2 : kind === 0x22 ? field === 3 : kind === 0x12 ? field === 4 : false;
      if (isValue) {
        // A singular message field sent twice is merged by protobuf: not canonical, not ours.
        if (seenSingle) return false;
        seenSingle = true;
        single = value(pos, fieldEnd);
      }
      else if (isArg) {
        args ??= [];
        if (args.length >= limit) throw new ProtocolError('PROTOCOL_ERROR', `a frame carries more than ${limit} values`);
        args.push(value(pos, fieldEnd));
      }
      else return false; // e.g. an error reply
    } else {
      return false;
    }
  }
  if (stream) {
    handler.streamItems!(serial, args ?? []);
    return true;
  }
  switch (kind) {
    case 0x0a:
      handler.propertyChange!(source, index, single);
      break;
    case 0x12:
      handler.invoke!(source, index, serial, args ?? []);
      break;
    case 0x1a:
      handler.replyValue!(serial, single);
      break;
    default:
      handler.signal!(source, index, args ?? []);
  }
  return true;
}
