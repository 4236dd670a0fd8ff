// src/protocol/tsro.proto is the protocol's spec; the runtime builds its types from the JSON
// descriptor generated into src/protocol/tsro-descriptor.ts (no file system, no .proto parser).
// The descriptor must be exactly what the .proto parses to.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { TSRO_DESCRIPTOR } from '../../src/protocol/tsro-descriptor';
import { schema } from '../../src/protocol/schema';

describe('protocol schema module', () => {
  it('is what src/protocol/tsro.proto parses to (run `npm run build` to regenerate it)', () => {
    const protoPath = path.join(__dirname, '..', '..', '..', 'src', 'protocol', 'tsro.proto');
    const parsed = protobuf.parse(fs.readFileSync(protoPath, 'utf8'), { keepCase: false }).root.toJSON();
    expect(JSON.parse(JSON.stringify(TSRO_DESCRIPTOR)), 'src/protocol/tsro-descriptor.ts is stale: run `npm run build`').to.deep.equal(
      JSON.parse(JSON.stringify(parsed)),
    );
  });

  it('gives every field the proto3 encoding the parsed .proto gives it (packing, presence)', () => {
    const protoPath = path.join(__dirname, '..', '..', '..', 'src', 'protocol', 'tsro.proto');
    const parsed = protobuf.parse(fs.readFileSync(protoPath, 'utf8'), { keepCase: false }).root;
    parsed.resolveAll();
    let fields = 0;
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          const ours = schema.Packet.root.lookupType(nested.fullName);
          for (const f of nested.fieldsArray) {
            const g = ours.fields[f.name]!;
            expect([g.id, g.type, g.repeated, g.packed, Boolean(g.hasPresence)], `${nested.fullName}.${f.name}`).to.deep.equal([
              f.id,
              f.type,
              f.repeated,
              f.packed,
              Boolean(f.hasPresence),
            ]);
            fields++;
          }
        }
        if (nested instanceof protobuf.Namespace) walk(nested);
      }
    };
    walk(parsed);
    expect(fields).to.be.greaterThan(50);
  });
});
