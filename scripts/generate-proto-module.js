#!/usr/bin/env node
// Writes src/protocol/tsro-proto.ts, the text of src/protocol/tsro.proto as a TypeScript string,
// so the protocol layer loads its schema without a file system (browsers, bundles). tsro.proto
// stays the spec: `npm run build` regenerates the module, and spec/protocol/schema.spec.ts fails
// when the two differ.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const proto = fs.readFileSync(path.join(root, 'src', 'protocol', 'tsro.proto'), 'utf8');
const out = path.join(root, 'src', 'protocol', 'tsro-proto.ts');
const text =
  '// Generated from src/protocol/tsro.proto by scripts/generate-proto-module.js (run by `npm run build`).\n' +
  '// Edit tsro.proto, not this file: spec/protocol/schema.spec.ts checks that both hold the same text.\n\n' +
  '/** The text of src/protocol/tsro.proto. */\n' +
  `export const TSRO_PROTO = ${JSON.stringify(proto)};\n`;
if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) fs.writeFileSync(out, text);
