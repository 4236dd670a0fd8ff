#!/usr/bin/env node
// Writes src/protocol/tsro-descriptor.ts: src/protocol/tsro.proto as the JSON descriptor
// protobufjs builds its types from, so the protocol layer needs neither a file system nor
// protobufjs's .proto parser at run time (browsers, bundles: the light build suffices).
// tsro.proto stays the spec: `npm run build` regenerates the module, and
// spec/protocol/schema.spec.ts fails when it no longer matches the .proto.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');

const root = path.join(__dirname, '..');
const protoPath = path.join(root, 'src', 'protocol', 'tsro.proto');
const descriptor = protobuf.parse(fs.readFileSync(protoPath, 'utf8'), { keepCase: false }).root.toJSON();
const out = path.join(root, 'src', 'protocol', 'tsro-descriptor.ts');
const text =
  '// Generated from src/protocol/tsro.proto by scripts/generate-proto-module.js (run by `npm run build`).\n' +
  '// Edit tsro.proto, not this file: spec/protocol/schema.spec.ts checks that this is what the .proto\n' +
  '// parses to. One line: it is data for protobufjs, not for reading (read the .proto).\n\n' +
  "import type { INamespace } from 'protobufjs/light';\n\n" +
  '/** src/protocol/tsro.proto as a protobufjs JSON descriptor. */\n' +
  `export const TSRO_DESCRIPTOR = ${JSON.stringify(descriptor)} as INamespace;\n`;
if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) fs.writeFileSync(out, text);
