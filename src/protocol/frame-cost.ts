// What a frame would cost to decode, counted before decoding it. A Value can be 2 bytes on the
// wire and ~45 bytes of heap once decoded, so a frame within the size limit could still become
// gigabytes of objects and seconds of work. This walks the encoded values without allocating
// and refuses a frame carrying more elements than the limit, so a hostile peer costs one closed
// connection, not the process.
//
// Elements: every Value, every object key, every number of a packed array. Nesting deeper than
// protobufjs's own recursion limit is refused here too. A frame whose structure does not parse
// is left for the decoder to reject.

import { ProtocolError } from '../errors';
import { readVarint, varintEnd } from '../transport/varint';

/** Elements a frame may carry by default: about 45 MB of decoded values at the worst. */
export const DEFAULT_MAX_VALUES_PER_FRAME = 1 << 20;

const MAX_DEPTH = 100;

let buf: Uint8Array = new Uint8Array(0);
let budget = 0;

class Stop extends Error {}
const STOP = new Stop();

function varint(pos: number, end: number): [number, number] {
  const v = readVarint(buf, pos, end);
  if (v < 0) throw STOP;
  return [v, varintEnd];
}

function spend(n: number, limit: number): void {
  budget -= n;
  if (budget < 0) {
    throw new ProtocolError('PROTOCOL_ERROR', `a frame carries more than ${limit} values; refused before decoding it`);
  }
}

/** Calls `each(start, end, field)` for every length-delimited field of the message in [pos, end). */
function fields(pos: number, end: number, each: (start: number, stop: number, field: number) => void): void {
  while (pos < end) {
    let tag: number;
    [tag, pos] = varint(pos, end);
    const wire = tag & 7;
    switch (wire) {
      case 0:
        [, pos] = varint(pos, end);
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        let len: number;
        [len, pos] = varint(pos, end);
        if (len > end - pos) throw STOP;
        each(pos, pos + len, tag >>> 3);
        pos += len;
        break;
      }
      default:
        throw STOP;
    }
  }
}

function value(start: number, end: number, depth: number, limit: number): void {
  spend(1, limit);
  if (depth > MAX_DEPTH) throw new ProtocolError('PROTOCOL_ERROR', `a value nested deeper than ${MAX_DEPTH} levels`);
  fields(start, end, (s, e, field) => {
    switch (field) {
      case 9: // list: ValueList{items = 1}
        fields(s, e, (is, ie, f) => f === 1 && value(is, ie, depth + 1, limit));
        break;
      case 10: // object: Struct{fields = 1: Field{key = 1, value = 2}}
        fields(s, e, (fs, fe, f) => {
          if (f !== 1) return;
          spend(1, limit);
          fields(fs, fe, (vs, ve, g) => g === 2 && value(vs, ve, depth + 1, limit));
        });
        break;
      case 11: // map: MapValue{entries = 1: Entry{key = 1, value = 2}}
        fields(s, e, (es, ee, f) => f === 1 && fields(es, ee, (vs, ve) => value(vs, ve, depth + 1, limit)));
        break;
      case 13: // doubles: PackedDoubles{items = 1, packed fixed64}
        fields(s, e, (ps, pe) => spend((pe - ps) >>> 3, limit));
        break;
      case 14: // ints: PackedInts{items = 1, packed varints: each ends with a byte < 0x80}
        fields(s, e, (ps, pe) => {
          let n = 0;
          for (let i = ps; i < pe; i++) if (buf[i]! < 0x80) n++;
          spend(n, limit);
        });
        break;
    }
  });
}

// For each Packet member, the fields of its message that are Values.
const VALUE_FIELDS: Record<number, readonly number[]> = {
  1: [3], // propertyChange.value
  2: [4], // invoke.args
  3: [2], // reply.value
  4: [3], // signal.args
  5: [3], // setProperty.value
  6: [4], // handshake.credential
  12: [2], // init.values
};

function run(frame: Uint8Array, limit: number, walk: () => void): void {
  buf = frame;
  budget = limit;
  try {
    walk();
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  } finally {
    buf = new Uint8Array(0);
  }
}

/** Throws PROTOCOL_ERROR if the Packet in `frame` carries more than `limit` value elements. */
export function checkFrameCost(frame: Uint8Array, limit: number): void {
  run(frame, limit, () =>
    fields(0, frame.length, (s, e, member) => {
      const valueFields = VALUE_FIELDS[member];
      if (!valueFields) {
        if (member === 7) fields(s, e, () => spend(1, limit)); // sourceList.sources
        return;
      }
      fields(s, e, (vs, ve, f) => valueFields.includes(f) && value(vs, ve, 0, limit));
    }),
  );
}

/** Throws PROTOCOL_ERROR if the Value in frame[start, end) has more than `limit` elements. */
export function checkValueCost(frame: Uint8Array, start: number, end: number, limit: number): void {
  run(frame, limit, () => value(start, end, 0, limit));
}
