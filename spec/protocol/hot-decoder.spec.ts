// The hot-packet decoder must deliver exactly what the general (protobufjs) path delivers, fall
// back to it for anything not in canonical form, and refuse malformed input with PROTOCOL_ERROR.

import { expect } from 'chai';
import { decodeHotPacket, decodeHotPacketAt } from '../../src/protocol/hot-decoder';
import { encodeInvoke, encodePropertyChange, encodeReplyValue, encodeSignal, encodeStreamItems } from '../../src/protocol/hot-packets';
import { decodePacket, encodePacket } from '../../src/protocol/packet-codec';
import { generalView, hotRecorder, type Seen } from '../support/hot-packets';

/** What the general path makes of the same frame. */
function general(frame: Uint8Array): Seen {
  return generalView(decodePacket(frame));
}

const values: unknown[] = [
  0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, 0.1, NaN, -Infinity, '', 'abc', 'é日本😀', 'x'.repeat(300), true, false,
  null, undefined, new Uint8Array([1, 2]), Buffer.from([3]), [1, 2], [0.5], ['a', { b: [null] }], new Map([[1n, new Date(5)]]), 2n ** 80n,
];

describe('hot packet decoder', () => {
  it('delivers what the general decoder delivers, for every kind and value', () => {
    for (const v of values) {
      const frames = [
        encodePropertyChange(3, 1, v, 'p'),
        encodePropertyChange(3, 0, v, 'p'),
        encodeSignal(3, 2, [v, 'x', v], 'a'),
        encodeInvoke(300, 4, 123456, [v, v], 'a'),
        encodeInvoke(1, 0, 1, [], 'a'),
        encodeReplyValue(77, v, 'r'),
        encodeStreamItems(9, [v, 1, v], 'i'),
        encodeStreamItems(70000, [], 'i'),
      ];
      for (const frame of frames) {
        const { handler, seen } = hotRecorder();
        expect(decodeHotPacket(frame, handler)).to.equal(true);
        expect(seen).to.have.length(1);
        expect(seen[0]).to.deep.equal(general(frame));
      }
    }
  });

  it('reads a frame in place inside a larger buffer exactly as on its own, whatever surrounds it', () => {
    const frames = values.flatMap((v) => [encodePropertyChange(3, 1, v, 'p'), encodeSignal(3, 2, [v, 'x'], 'a'), encodeReplyValue(77, v, 'r')]);
    for (const frame of frames) {
      for (const fill of [0x00, 0x0a, 0x80, 0xff]) {
        // Bytes before and after that would change the result if read: a hot packet tag, a
        // continuation byte, a length.
        const around = new Uint8Array(frame.length + 6).fill(fill);
        around.set(frame, 3);
        const alone = hotRecorder();
        const inPlace = hotRecorder();
        expect(decodeHotPacket(frame, alone.handler)).to.equal(true);
        expect(decodeHotPacketAt(around, 3, 3 + frame.length, inPlace.handler)).to.equal(true);
        expect(inPlace.seen).to.deep.equal(alone.seen);
      }
    }
  });

  it('never reads past the end of its range: an empty or cut frame followed by a valid one', () => {
    const next = encodePropertyChange(1, 1, 5, 'p');
    const { handler, seen } = hotRecorder();
    const buf = Buffer.concat([Buffer.from([0x0a]), next]);
    // An empty frame at 0: not a hot packet (the general path skips it as an unknown kind).
    expect(decodeHotPacketAt(buf, 0, 0, handler)).to.equal(false);
    // A one-byte frame [0x0a]: not a hot packet either (a tag without its length).
    expect(decodeHotPacketAt(buf, 0, 1, handler)).to.equal(false);
    // A frame cut one byte short of its length refuses, whatever follows it.
    expect(() => decodeHotPacketAt(buf, 1, buf.length - 1, handler)).to.throw().with.property('code', 'PROTOCOL_ERROR');
    expect(seen).to.deep.equal([]);
  });

  it('decodes ASCII strings of every short length (and UTF-8 ones) as the general decoder does', () => {
    for (let n = 0; n <= 40; n++) {
      for (const s of ['abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'.slice(0, n), '\u0000\u007f'.repeat(n).slice(0, n), 'é'.repeat(n)]) {
        const frame = encodeSignal(1, 0, [s, s + 'x'], 'a');
        const { handler, seen } = hotRecorder();
        expect(decodeHotPacket(frame, handler)).to.equal(true);
        expect(seen[0]).to.deep.equal(general(frame));
        expect((seen[0]![3] as string[])[0]).to.equal(s);
      }
    }
  });

  it('keeps -0 and NaN exact', () => {
    const { handler, seen } = hotRecorder();
    decodeHotPacket(encodeSignal(1, 1, [-0, NaN], 'a'), handler);
    const args = seen[0]![3] as number[];
    expect(Object.is(args[0], -0)).to.equal(true);
    expect(Number.isNaN(args[1])).to.equal(true);
  });

  it('leaves other packets, error replies and non-canonical frames to the general path', () => {
    const { handler, seen } = hotRecorder();
    const notHot = [
      encodePacket({ handshake: { version: 1 } }),
      encodePacket({ reply: { serial: 1, error: { code: 'REMOTE', name: 'E', message: 'm' } } }),
      // Two Packet fields in one frame (valid protobuf: the last wins).
      Buffer.concat([encodePropertyChange(1, 1, 1, 'p'), encodePropertyChange(1, 1, 2, 'p')]),
      // An unknown field inside PropertyChange.
      Buffer.from('0a0a080110021a0208547801', 'hex'),
    ];
    for (const frame of notHot) expect(decodeHotPacket(frame, handler), Buffer.from(frame).toString('hex')).to.equal(false);
    expect(decodeHotPacket(encodePropertyChange(1, 1, 1, 'p'), { invoke: handler.invoke })).to.equal(false);
    expect(seen).to.deep.equal([]);
  });

  it('refuses malformed frames with PROTOCOL_ERROR and delivers nothing', () => {
    const { handler, seen } = hotRecorder();
    const malformed = [
      Buffer.from('0a05', 'hex'), // length past the end
      Buffer.from('0a0308011a', 'hex'), // value field cut short
      Buffer.from('0a04080110ff', 'hex'), // varint running off the end
      Buffer.from('0a05081a03' + '1a', 'hex').subarray(0, 5),
      Buffer.from('0a0d1a0b11000000000000', 'hex'), // double cut short (length claims more)
    ];
    for (const frame of malformed) {
      expect(() => decodeHotPacket(frame, handler), Buffer.from(frame).toString('hex')).to.throw().with.property('code', 'PROTOCOL_ERROR');
    }
    expect(seen).to.deep.equal([]);
  });
});

describe('hot packet decoder: non-canonical frames found by fuzzing', () => {
  it('leaves a reply whose value field appears more than once to the general decoder (protobuf merges them)', () => {
    const frame = Uint8Array.from([26, 33, 8, 7, 18, 2, 8, 6, 18, 3, 26, 1, 120, 18, 20, 82, 18, 10, 7, 10, 1, 119, 18, 2, 8, 2, 10, 7, 10, 1, 104, 18, 2, 48, 0]);
    const seen: unknown[] = [];
    expect(decodeHotPacket(frame, { replyValue: (...a) => seen.push(a) })).to.equal(false);
    expect(seen).to.deep.equal([]);
  });
});
