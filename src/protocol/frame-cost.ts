// What a frame would cost to decode, counted before decoding it. A Value can be 2 bytes on the
// wire and ~300 bytes of heap while being decoded (an empty Map: its protobufjs message, the
// Map, the entries), so a frame within the size limit could still become gigabytes of objects
// and seconds of work. This walks the encoded values without allocating and refuses a frame
// whose cost is over the limit, so a hostile peer costs one closed connection, not the process.
//
// Cost units, weighted by what decoding really allocates (measured: spec/hardening/frame-memory
// .spec.ts; no shape costs more than ~60 bytes of heap per unit at the peak of decoding):
//   every Value 1, scalars included; more for kinds that allocate objects: a list, object,
//   packed array, bigint or date +2, bytes or buffer +3, a Map +5; every object field 4, every
//   Map entry 1; every number of a packed array 1. Anything else a frame carries that decodes to
//   objects (an Init's API definition, a source list) costs 1 per nested message.
// Nesting deeper than protobufjs's own recursion limit is refused here too. A frame whose
// structure does not parse is left for the decoder to reject.

import { ProtocolError } from '../errors';
import { readVarint, varintEnd } from '../transport/varint';

/**
 * Cost units a frame may carry by default. With the weights above, and the 16 MiB frame limit
 * bounding what strings and bytes hold, one frame's decoded values stay within 64 MiB:
 * SECURITY.md has the measured figures.
 */
export const DEFAULT_MAX_VALUES_PER_FRAME = 384 * 1024;

/**
 * An object field: its key string, its Field message and its slot in the decoded object. Keys
 * are distinct in a hostile object, which makes the object a dictionary: ~230 bytes a key.
 */
const FIELD_COST = 4;

/** Extra cost of each Value kind (by its field number in tsro.v1.Value) over the 1 every Value pays. */
const KIND_COST: readonly number[] = [0, 0, 0, 0, 0, /* bytes */ 3, 0, /* bigint */ 2, /* date */ 2, /* list */ 2, /* object */ 2, /* map */ 5, /* buffer */ 3, /* doubles */ 2, /* ints */ 2];

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

/**
 * Calls `each(start, end, field)` for every length-delimited field of the message in [pos, end),
 * and `every(field)`, if given, for every field of any wire type, first.
 */
function fields(
  pos: number,
  end: number,
  each: (start: number, stop: number, field: number) => void,
  every?: (field: number) => void,
): void {
  while (pos < end) {
    let tag: number;
    [tag, pos] = varint(pos, end);
    every?.(tag >>> 3);
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
  // Every member present is paid for, scalars too: protobufjs decodes each one it meets, and a
  // repeated message member is merged, not replaced.
  fields(start, end, (s, e, field) => {
    switch (field) {
      case 9: // list: ValueList{items = 1}
        fields(s, e, (is, ie, f) => f === 1 && value(is, ie, depth + 1, limit));
        break;
      case 10: // object: Struct{fields = 1: Field{key = 1, value = 2}}
        fields(s, e, (fs, fe, f) => {
          if (f !== 1) return;
          spend(FIELD_COST, limit);
          fields(fs, fe, (vs, ve, g) => g === 2 && value(vs, ve, depth + 1, limit));
        });
        break;
      case 11: // map: MapValue{entries = 1: Entry{key = 1, value = 2}}; an empty entry still costs
        fields(s, e, (es, ee, f) => {
          if (f !== 1) return;
          spend(1, limit);
          fields(es, ee, (vs, ve) => value(vs, ve, depth + 1, limit));
        });
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
  }, (field) => {
    if (field < KIND_COST.length) spend(KIND_COST[field]!, limit);
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
  21: [2], // streamItems.items
};

/** Every nested message (and string) of a structure that is not a Value costs 1. */
function nested(start: number, end: number, depth: number, limit: number): void {
  if (depth > MAX_DEPTH) throw new ProtocolError('PROTOCOL_ERROR', `a message nested deeper than ${MAX_DEPTH} levels`);
  fields(start, end, (s, e) => {
    spend(1, limit);
    nested(s, e, depth + 1, limit);
  });
}

/** Returns the units spent; throws PROTOCOL_ERROR past `limit`. */
function run(frame: Uint8Array, limit: number, walk: () => void): number {
  buf = frame;
  budget = limit;
  try {
    walk();
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  } finally {
    buf = new Uint8Array(0);
  }
  return limit - budget;
}

/**
 * Throws PROTOCOL_ERROR if decoding the Packet in `frame` would cost more than `limit` units;
 * returns what it costs.
 */
export function checkFrameCost(frame: Uint8Array, limit: number): number {
  return run(frame, limit, () =>
    fields(0, frame.length, (s, e, member) => {
      const valueFields = VALUE_FIELDS[member];
      if (!valueFields) {
        // sourceList.sources, sourceQuery.names, sourcePage.sources: 1 per entry.
        if (member === 7 || member === 40 || member === 41) fields(s, e, () => spend(1, limit));
        return;
      }
      fields(s, e, (vs, ve, f) => {
        if (valueFields.includes(f)) value(vs, ve, 0, limit);
        else if (member === 12 && f === 3) nested(vs, ve, 0, limit); // init.definition
      });
    }),
  );
}

/**
 * Throws PROTOCOL_ERROR if decoding the Value in frame[start, end) would cost more than `limit`
 * units; returns the units it costs (the hot decoder takes them from the frame's budget).
 */
export function checkValueCost(frame: Uint8Array, start: number, end: number, limit: number): number {
  return run(frame, limit, () => value(start, end, 0, limit));
}
