// The printer sample's own test suite (samples/printer/printer.test.ts), written with
// tsro/testing: loaded here so mocha runs it with the rest of npm test, and run once more under
// node's own test runner, which must report every test passed.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'chai';
import '../../samples/printer/printer.test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SUITE = path.join(ROOT, 'dist', 'samples', 'printer', 'printer.test.js');

function nodeTest(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', SUITE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('printer sample suite under node --test', () => {
  it('passes all 9 tests under node:test', async function () {
    this.timeout(30_000);
    const { code, output } = await nodeTest();
    expect(code, output).to.equal(0);
    expect(output, output).to.match(/^# tests 9$/m);
    expect(output, output).to.match(/^# pass 9$/m);
    expect(output, output).to.match(/^# fail 0$/m);
  });
});
