// src/protocol/tsro.proto is the protocol's spec; the runtime parses the copy generated into
// src/protocol/tsro-proto.ts (so it needs no file system). The two must hold the same text.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TSRO_PROTO } from '../../src/protocol/tsro-proto';
import { schema } from '../../src/protocol/schema';

describe('protocol schema module', () => {
  it('holds exactly the text of src/protocol/tsro.proto (run `npm run build` to regenerate it)', () => {
    const protoPath = path.join(__dirname, '..', '..', '..', 'src', 'protocol', 'tsro.proto');
    const text = fs.readFileSync(protoPath, 'utf8');
    expect(TSRO_PROTO === text, 'src/protocol/tsro-proto.ts is stale: run `npm run build` (or node scripts/generate-proto-module.js)').to.equal(true);
  });

  it('is the schema the codecs use', () => {
    expect(schema.Packet.fullName).to.equal('.tsro.v1.Packet');
    expect(TSRO_PROTO).to.include('message Packet');
  });
});
