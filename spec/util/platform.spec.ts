// The core's platform has two implementations: plain JavaScript (browsers, any runtime) and
// Node.js's (Buffer). Both must write and read the same bytes; only Node.js has a Buffer kind.

import { expect } from 'chai';
import * as fc from 'fast-check';
import { encodeSignal } from '../../src/protocol/hot-packets';
import { decodeHotPacket } from '../../src/protocol/hot-decoder';
import { decodeValue, encodeValue } from '../../src/protocol/value-codec';
import { schema } from '../../src/protocol/schema';
import { nodePlatform } from '../../src/util/node/node-platform';
import { installPlatform, platform, portablePlatform } from '../../src/util/platform';

function withPortable<T>(fn: () => T): T {
  installPlatform(portablePlatform);
  try {
    return fn();
  } finally {
    installPlatform(nodePlatform);
  }
}

const wellFormed = fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => s.isWellFormed());

describe('platform', () => {
  it('is the Node.js one here (installed by the Node.js entry point)', () => {
    expect(platform.isBuffer(Buffer.alloc(1))).to.equal(true);
    expect(platform.runtime).to.equal(`node/${process.version}`);
  });

  it('portable: UTF-8 length, writing and reading agree with Buffer on any well-formed string', () => {
    fc.assert(
      fc.property(wellFormed, (s) => {
        const expected = Buffer.from(s, 'utf8');
        expect(portablePlatform.utf8Length(s)).to.equal(expected.length);
        const out = new Uint8Array(expected.length + 2);
        portablePlatform.utf8Write(out, s, 1);
        expect(Buffer.from(out.subarray(1, 1 + expected.length)).equals(expected)).to.equal(true);
        expect(portablePlatform.utf8Slice(out, 1, 1 + expected.length)).to.equal(s);
        expect(portablePlatform.isUtf8(out, 1, 1 + expected.length)).to.equal(true);
      }),
    );
  });

  it('portable: isUtf8 agrees with Node.js on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(portablePlatform.isUtf8(bytes, 0, bytes.length)).to.equal(nodePlatform.isUtf8(bytes, 0, bytes.length));
      }),
    );
  });

  it('portable: hot packets have the same bytes and decode to the same values (bytes, not Buffer)', () => {
    const args = [1, -2.5, 'ascii', 'ünïcødé 😀', true, null, undefined, new Uint8Array([1, 2]), [1, 2], { a: 'b' }, 12n];
    const nodeBytes = encodeSignal(1, 2, args, 'signal');
    const portableBytes = withPortable(() => encodeSignal(1, 2, args, 'signal'));
    expect(Buffer.from(portableBytes).equals(Buffer.from(nodeBytes))).to.equal(true);
    let decoded: unknown[] | undefined;
    withPortable(() =>
      decodeHotPacket(nodeBytes, {
        signal: (_s, _i, a) => {
          decoded = a;
        },
      }),
    );
    expect(decoded).to.deep.equal(args);
  });

  it('portable: a Buffer travels as bytes and arrives as a Uint8Array; under Node.js as a Buffer', () => {
    const buf = Buffer.from([7, 8]);
    const viaPortable = withPortable(() => decodeValue(schema.Value.decode(schema.Value.encode(encodeValue(buf, 'v')).finish()) as never));
    expect(Object.getPrototypeOf(viaPortable)).to.equal(Uint8Array.prototype);
    expect([...(viaPortable as Uint8Array)]).to.deep.equal([7, 8]);
    const viaNode = decodeValue(schema.Value.decode(schema.Value.encode(encodeValue(buf, 'v')).finish()) as never);
    expect(Buffer.isBuffer(viaNode)).to.equal(true);
  });
});
