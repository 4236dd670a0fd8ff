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
  [
    'acquireRefused (field 16: a two-byte tag)',
    { acquireRefused: { source: 3, error: { code: 'FRAME_TOO_LARGE', name: 'ProtocolError', message: 'm' } } },
    '820127080312230a0f4652414d455f544f4f5f4c41524745120d50726f746f636f6c4572726f721a016d',
  ],
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
  // Models (Packet fields 30-39)
  ['modelInit', { modelInit: { source: 3, count: 1000000, rowType: { valueType: { name: 'Track', fields: [{ name: 'title', type: { scalar: 6 } }, { name: 'seconds', type: { scalar: 3 } }] } }, readonly: true } }, 'f2012f080310c0843d1a253a230a05547261636b120b0a057469746c6512020806120d0a077365636f6e6473120208032001'],
  ['rowsRequest', { rowsRequest: { source: 3, request: 1, start: 100, count: 20, cacheSize: 1000, fields: ['title'], uncached: true } }, 'fa0114080310011864201428e80732057469746c653801'],
  ['rowsReply', { rowsReply: { source: 3, request: 1, start: 100, rows: [{ string: 'a' }, { int: 5 }] } }, '82020f08031001186422031a01612202080a'],
  ['rowsReply with an error', { rowsReply: { source: 3, request: 2, error: { code: 'OUT_OF_RANGE', name: 'UsageError', message: 'no' } } }, '820224080310022a1e0a0c4f55545f4f465f52414e4745120a55736167654572726f721a026e6f'],
  ['rowsInserted', { rowsInserted: { source: 3, start: 10, count: 2, rows: [{ string: 'a' }, { string: 'b' }] } }, '8a02100803100a180222031a016122031a0162'],
  ['rowsRemoved', { rowsRemoved: { source: 3, start: 1, count: 2 } }, '920206080310011802'],
  ['rowsMoved', { rowsMoved: { source: 3, start: 1, count: 1, destination: 3 } }, '9a02080803100118012003'],
  ['rowsChanged', { rowsChanged: { source: 3, start: 5, rows: [{ string: 'x' }] } }, 'a20209080310051a031a0178'],
  ['modelReset', { modelReset: { source: 3, count: 7 } }, 'aa020408031007'],
  ['rowSet', { rowSet: { source: 3, request: 4, index: 2, row: { string: 'y' } } }, 'b2020b08031004180222031a0179'],
  // Source lists on request (40-49): the node's limit in its Handshake, a partial SourceList,
  // then SourceQuery (by name, or a page) answered by SourcePage.
  [
    'handshake with source_list_limit (field 5)',
    { handshake: { version: 2, agent: 'tsro', maxFrameSize: 67108864, sourceListLimit: 1000 } },
    '3210080212047473726f188080802028e807',
  ],
  ['sourceList, partial', { sourceList: { partial: true, total: 10000 } }, '3a05100118904e'],
  ['sourceQuery by name (field 40)', { sourceQuery: { request: 1, names: ['P4711'] } }, 'c20209080112055034373131'],
  ['sourceQuery, a page', { sourceQuery: { request: 2, after: 500, limit: 1000 } }, 'c20208080218f40320e807'],
  ['sourcePage (field 41)', { sourcePage: { request: 1, sources: [{ id: 2, name: 'Q', typeName: 'T', signature: 'cd' }] } }, 'ca02100801120c08021201511a015422026364'],
  [
    'sourcePage with a next page',
    { sourcePage: { request: 3, sources: [{ id: 1, name: 'P', typeName: 'P', signature: 'ab' }], next: 1 } },
    'ca02120803120c08011201501a0150220261621801',
  ],
];

describe('packet golden bytes', () => {
  it('is protocol version 2', () => {
    expect(PROTOCOL_VERSION).to.equal(2);
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
