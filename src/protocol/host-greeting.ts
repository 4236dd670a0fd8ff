// Tells a node, at the first bytes it receives, that the other end is not a tsro host (an HTTP
// server, an SSH or SMTP banner, a database...), instead of reading those bytes as the length of
// a frame that never completes and failing later with "closed in the middle of a frame" or a
// handshake timeout. A host's side of the conversation starts with one frame holding a Handshake
// packet, or a Goodbye when it refuses the connection (tsro.proto): the first frame's bytes are
// its length, that packet's tag, the packet's length (the rest of the frame) and its first field.
// Other protocols' greetings fail one of those checks (an SMTP "220 " passes the first two).

import { ProtocolError } from '../errors';
import { MAX_VARINT32_BYTES } from '../transport/varint';

/** Packet.handshake = 6 and Packet.goodbye = 15, length-delimited (wire type 2). */
export const HANDSHAKE_TAG = (6 << 3) | 2;
export const GOODBYE_TAG = (15 << 3) | 2;
/** Handshake.version = 1 (varint) and Goodbye.error = 1 (length-delimited). */
const HANDSHAKE_VERSION_KEY = (1 << 3) | 0;
const GOODBYE_ERROR_KEY = (1 << 3) | 2;

/** Bytes of the other side's greeting shown in the error. */
const SHOWN = 48;

/**
 * Checks the first chunk a host sent: undefined if it can start a tsro conversation (or is too
 * short to tell), else the error that names what it sent.
 */
export function checkHostGreeting(head: Uint8Array, label: string): ProtocolError | undefined {
  const reader = { pos: 0 };
  const frameLength = readVarint(head, reader);
  if (frameLength === TOO_SHORT) return undefined;
  if (frameLength === MALFORMED || frameLength === 0) return notTsro(head, label);
  if (reader.pos === head.length) return undefined;
  const tag = head[reader.pos++];
  if (tag !== HANDSHAKE_TAG && tag !== GOODBYE_TAG) return notTsro(head, label);
  // The packet holds that one field, so its length accounts for the rest of the frame exactly.
  const start = reader.pos;
  const fieldLength = readVarint(head, reader);
  if (fieldLength === TOO_SHORT) return undefined;
  if (fieldLength === MALFORMED || 1 + (reader.pos - start) + fieldLength !== frameLength) return notTsro(head, label);
  if (reader.pos === head.length || fieldLength === 0) return undefined;
  // A Handshake starts with its version (field 1, always set: encoders write fields in number
  // order); a Goodbye with its error (field 1).
  const first = head[reader.pos];
  return first === (tag === HANDSHAKE_TAG ? HANDSHAKE_VERSION_KEY : GOODBYE_ERROR_KEY) ? undefined : notTsro(head, label);
}

const TOO_SHORT = -1;
const MALFORMED = -2;

/** Reads a varint at reader.pos: its value, TOO_SHORT if `head` ends inside it, or MALFORMED. */
function readVarint(head: Uint8Array, reader: { pos: number }): number {
  let value = 0;
  for (let i = 0, weight = 1; ; i++, weight *= 0x80) {
    if (i === MAX_VARINT32_BYTES) return MALFORMED;
    if (reader.pos === head.length) return TOO_SHORT;
    const b = head[reader.pos++]!;
    value += (b & 0x7f) * weight;
    if (b < 0x80) return value;
  }
}

function notTsro(head: Uint8Array, label: string): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `${label} is not a tsro host: it sent ${show(head)} where a tsro handshake begins`);
}

/** The greeting as text if it reads as text (most other protocols start with one), else hex. */
function show(head: Uint8Array): string {
  const shown = head.subarray(0, SHOWN);
  const more = head.length > SHOWN ? '...' : '';
  const text = shown.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09);
  if (text) return JSON.stringify(String.fromCharCode(...shown) + more);
  return `bytes ${Array.from(shown.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ')}${head.length > 16 ? ' ...' : ''}`;
}
