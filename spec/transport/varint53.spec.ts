// The 53-bit varints of sequence numbers (NATS tunnels and shared streams): protobuf's encoding,
// exact for every safe integer, and refused when cut off or longer than 8 bytes.

import { expect } from 'chai';
import fc from 'fast-check';
import { readVarint53, varint53Size, varintEnd, writeVarint53 } from '../../src/transport/varint';

describe('53-bit varints (sequence numbers)', () => {
  it('writes what protobuf writes', () => {
    const bytes = (n: number): string => {
      const buf = new Uint8Array(varint53Size(n));
      expect(writeVarint53(buf, 0, n)).to.equal(buf.length);
      return Buffer.from(buf).toString('hex');
    };
    expect(bytes(0)).to.equal('00');
    expect(bytes(127)).to.equal('7f');
    expect(bytes(128)).to.equal('8001');
    expect(bytes(300)).to.equal('ac02');
    expect(bytes(2 ** 32)).to.equal('8080808010');
    expect(bytes(Number.MAX_SAFE_INTEGER)).to.equal('ffffffffffffff0f');
  });

  it('reads back every safe integer exactly, at any offset', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 5 }), (n, offset) => {
        const buf = new Uint8Array(offset + varint53Size(n) + 3);
        const end = writeVarint53(buf, offset, n);
        expect(readVarint53(buf, offset, buf.length)).to.equal(n);
        expect(varintEnd).to.equal(end);
      }),
      { seed: 53, numRuns: 500 },
    );
  });

  it('refuses a varint cut off by the end, or longer than 8 bytes', () => {
    expect(readVarint53(Uint8Array.of(0x80, 0x80), 0, 2)).to.equal(-1);
    expect(readVarint53(new Uint8Array(9).fill(0x80), 0, 9)).to.equal(-1);
  });
});
