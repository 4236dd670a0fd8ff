// Required by .mocharc.json before any spec: stops the test run at once, with what to do, when
// src/protocol/tsro.proto has changed since src/protocol/tsro-descriptor.ts (what the runtime
// builds its message types from) was generated and compiled. `npx tsc` alone does not
// regenerate it; `npm run build` (and so `npm test`) does.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');

const root = path.join(__dirname, '..');
const parsed = protobuf.parse(fs.readFileSync(path.join(root, 'src', 'protocol', 'tsro.proto'), 'utf8'), { keepCase: false }).root.toJSON();
const { TSRO_DESCRIPTOR } = require(path.join(root, 'dist', 'src', 'protocol', 'tsro-descriptor.js'));
if (JSON.stringify(parsed) !== JSON.stringify(TSRO_DESCRIPTOR)) {
  throw new Error(
    'src/protocol/tsro.proto has changed since src/protocol/tsro-descriptor.ts was generated: run `npm run build` ' +
      '(it runs scripts/generate-proto-module.js, then tsc) before the specs.',
  );
}
