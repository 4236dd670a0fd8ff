// The samples, end to end: `npm start` runs dist/samples/demo.js, which forks two hosts and two
// clients over tcp. This runs it as a child process and checks that it ends by itself, exits 0,
// and that the clients saw what the scenarios are about.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = path.join(ROOT, 'dist', 'samples', 'demo.js');
const KILL_AFTER_MS = 18_000;

function runDemo(): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

describe('samples', () => {
  it('npm start: the demo runs both scenarios in separate processes and exits 0 by itself', async function () {
    this.timeout(20_000);
    const { code, signal, output } = await runDemo();
    const context = `demo output:\n${output}`;
    expect(signal, `the demo was killed after ${KILL_AFTER_MS} ms\n${context}`).to.equal(null);
    expect(code, context).to.equal(0);
    const lines = output.split('\n');
    const has = (re: RegExp): void => {
      expect(lines.some((l) => re.test(l)), `no line matches ${re}\n${context}`).to.equal(true);
    };

    // GPS: each position, then the final one, seen by the client process.
    for (let i = 1; i <= 5; i++) has(new RegExp(`^\\[gps-client\\]\\s+position ${i}: \\d+\\.\\d{4}, \\d+\\.\\d{4}`));
    has(/^\[gps-client\]\s+final position 59\.9199, 10\.7417 after 5 updates$/);
    has(/^\[gps-host\]\s+GpsReceiver remoted at tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);

    // Printer: slot results, property changes, the signal, refusals, the dynamic replica.
    has(/^\[printer-client\]\s+print\("Hello, remote world!"\) -> 1 page$/);
    has(/^\[printer-client\]\s+print\("Quarterly report: .*"\) -> 3 pages$/);
    has(/^\[printer-client\]\s+ink level: 95%$/);
    has(/^\[printer-client\]\s+busy$/);
    has(/^\[printer-client\]\s+idle$/);
    has(/^\[printer-client\]\s+jammed on page 2: paper jam/);
    has(/^\[printer-client\]\s+setting busy refused: READONLY/);
    has(/^\[printer-client\]\s+source applied it: ink level 10%$/);
    has(/^\[printer-client\]\s+print\(.*\) failed: REMOTE OutOfInkError: 4 pages need 20% ink, 10% left$/);
    has(/^\[printer-client\]\s+dynamic replica valid: properties inkLevel, busy; slots print; signals jammed$/);
    has(/^\[printer-client\]\s+dyn\.invoke\("print", .*\) -> 1 page$/);
    has(/^\[printer-host\]\s+told to shut down: 4 jobs printed, 5% ink left$/);
    has(/^\[demo\]\s+all processes exited cleanly/);

    // Nothing went to stderr, tsro logged no warning.
    // The registry scenario: the monitor found both sensors through the registry alone.
    expect(output, context).to.match(/\[monitor\]\s+kitchen: [-\d.]+ °C \(replica valid\)/);
    expect(output, context).to.match(/\[monitor\]\s+garage: [-\d.]+ °C \(replica valid\)/);
    expect(output, context).to.include('instances of Thermometer: garage, kitchen');
    expect(output, context).not.to.match(/\(stderr\)|\[tsro\]/);
  });
});
