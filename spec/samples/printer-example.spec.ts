// The printer sample's own test suite (samples/printer/printer.test.ts), written with
// tsro/testing: loaded here so mocha runs it with the rest of npm test, and run once more under
// node's own test runner, which must report every test passed.

import * as path from 'node:path';
import { expect } from 'chai';
import '../../samples/printer/printer.test';
import { runNode } from '../support/run-node';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SUITE = path.join(ROOT, 'dist', 'samples', 'printer', 'printer.test.js');

describe('printer sample suite under node --test', () => {
  it('passes all 9 tests under node:test', async function () {
    this.timeout(30_000);
    const { code, stdout, stderr } = await runNode(['--test', '--test-reporter=tap', SUITE], { cwd: ROOT, killAfterMs: 25_000 });
    const output = stdout + stderr;
    expect(code, output).to.equal(0);
    expect(output, output).to.match(/^# tests 9$/m);
    expect(output, output).to.match(/^# pass 9$/m);
    expect(output, output).to.match(/^# fail 0$/m);
  });
});
