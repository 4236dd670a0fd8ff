// Golden bytes of every packet kind: src/protocol/tsro.proto is the protocol's spec, and these pin
// what it encodes to. A change here is a wire-format change: bump PROTOCOL_VERSION with it.
// (Messages avoid zero scalars outside oneofs: proto3 does not encode them, so they would not
// decode back as written.)

import { expect } from 'chai';
import { typeFromMessage, typeToMessage } from '../../src/protocol/api-codec';
import type { PacketMessage } from '../../src/protocol/messages';
import { decodePacket, encodePacket } from '../../src/protocol/packet-codec';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { enums, schema } from '../../src/protocol/schema';
import type { ScalarType } from '../../src/api/wire-type';

const golden: [string, PacketMessage, string][] = [
  ['handshake', { handshake: { version: 1, agent: 'a', maxFrameSize: 67108864 } }, '320a08011201611880808020'],
  ['sourceList', { sourceList: { sources: [{ id: 1, name: 'P', typeName: 'P', signature: 'ab' }] } }, '3a0e0a0c08011201501a015022026162'],
  ['sourceAdded', { sourceAdded: { source: { id: 2, name: 'Q', typeName: 'T', signature: 'cd' } } }, '420e0a0c08021201511a015422026364'],
  ['sourceRemoved', { sourceRemoved: { source: 2 } }, '4a020802'],
  ['acquire', { acquire: { source: 1, wantDefinition: true } }, '520408011001'],
  ['acquire of the shared stream', { acquire: { source: 1, wantDefinition: true, sharedStream: true } }, '5206080110011801'],
  ['release', { release: { source: 1 } }, '5a020801'],
  ['init', { init: { source: 1, values: [{ int: 100 }, { bool: false }] } }, '620b0801120308c80112022000'],
  ['init with the shared stream number', { init: { source: 1, values: [{ int: 100 }], streamSeq: 300 } }, '620a0801120308c80120ac02'],
  [
    'init with definition',
    {
      init: {
        source: 1,
        values: [{ int: 5 }],
        definition: {
          typeName: 'T',
          signature: 's',
          properties: [{ name: 'x', type: { scalar: 3 }, mode: 1 }],
          signals: [{ name: 'sig', params: [{ name: 'a', type: { scalar: 6 } }] }],
          slots: [{ name: 'f', params: [{ name: 'n', type: { array: { scalar: 5 } } }], returns: { nullable: { scalar: 6 } }, required: 1 }],
        },
      },
    },
    '624108011202080a1a390a01541201731a090a0178120208031801220e0a0373696712070a0161120208062a160a016612090a016e1204120208051a042a0208062001',
  ],
  ['propertyChange', { propertyChange: { source: 1, index: 2, value: { int: 42 } } }, '0a08080110021a020854'],
  ['signal', { signal: { source: 1, index: 1, args: [{ int: 1 }, { string: 'x' }] } }, '220d080110011a0208021a031a0178'],
  ['invoke', { invoke: { source: 1, index: 3, serial: 7, args: [{ int: 1 }, { int: 2 }] } }, '120e0801100318072202080222020804'],
  ['setProperty', { setProperty: { source: 1, index: 1, value: { double: 2.5 }, serial: 8 } }, '2a11080110011a091100000000000004402008'],
  ['reply with a value', { reply: { serial: 7, value: { int: 3 } } }, '1a06080712020806'],
  [
    'reply with an error',
    { reply: { serial: 7, error: { code: 'REMOTE', name: 'RangeError', message: 'no' } } },
    '1a1c08071a180a0652454d4f5445120a52616e67654572726f721a026e6f',
  ],
  [
    'reply with an error carrying data and a cause',
    {
      reply: {
        serial: 7,
        error: {
          code: 'REMOTE',
          name: 'E',
          message: 'm',
          data: { object: { fields: [{ key: 'id', value: { int: 3 } }] } },
          cause: { code: 'REMOTE', name: 'C', message: 'c' },
        },
      },
    },
    '1a3008071a2c0a0652454d4f54451201451a016d220c520a0a080a026964120208062a0e0a0652454d4f54451201431a0163',
  ],
  ['cancel', { cancel: { serial: 7, code: 'TIMEOUT' } }, 'a2010b0807120754494d454f5554'],
  ['streamItems', { streamItems: { serial: 7, items: [{ int: 1 }, { int: 2 }] } }, 'aa010a08071202080212020804'],
  ['streamCredit', { streamCredit: { serial: 7, items: 512 } }, 'b201050807108004'],
  ['ping', { ping: { nonce: 5 } }, '6a020805'],
  ['pong', { pong: { nonce: 5 } }, '72020805'],
  [
    'goodbye',
    { goodbye: { error: { code: 'PROTOCOL_MISMATCH', name: 'ProtocolError', message: 'v' } } },
    '7a270a250a1150524f544f434f4c5f4d49534d41544348120d50726f746f636f6c4572726f721a0176',
  ],
];

describe('packet golden bytes', () => {
  it('is protocol version 1', () => {
    expect(PROTOCOL_VERSION).to.equal(1);
  });

  for (const [name, message, hex] of golden) {
    it(`${name} encodes to ${hex.length / 2} bytes`, () => {
      expect(Buffer.from(encodePacket(message)).toString('hex')).to.equal(hex);
    });
    it(`${name} decodes back`, () => {
      const decoded = decodePacket(Buffer.from(hex, 'hex'));
      const object = schema.Packet.toObject(decoded as never, { defaults: false, enums: Number, longs: Number });
      expect(object).to.deep.equal(JSON.parse(JSON.stringify(message)));
    });
  }

  it('keeps hot messages small (frame = 1-byte length prefix + packet)', () => {
    const size = (name: string): number => golden.find((g) => g[0] === name)![2].length / 2 + 1;
    expect(size('invoke'), 'add(1, 2)').to.be.at.most(20);
    expect(size('reply with a value')).to.be.at.most(20);
    expect(size('propertyChange')).to.be.at.most(20);
  });

  it('maps every wire scalar to the Scalar enum of the .proto', () => {
    const scalars: ScalarType[] = ['any', 'void', 'bool', 'int32', 'int64', 'double', 'string', 'bytes', 'date'];
    for (const s of scalars) {
      expect(typeToMessage(s).scalar, s).to.equal(enums.Scalar[s.toUpperCase()]);
      expect(typeFromMessage(typeToMessage(s))).to.equal(s);
    }
    expect(Object.keys(enums.Scalar)).to.have.length(scalars.length);
  });

  it('rejects a frame that is not a packet', () => {
    expect(() => decodePacket(Buffer.from('ff', 'hex'))).to.throw().with.property('code', 'PROTOCOL_ERROR');
    expect(() => decodePacket(new Uint8Array(0))).to.throw().with.property('code', 'PROTOCOL_ERROR');
  });
});
