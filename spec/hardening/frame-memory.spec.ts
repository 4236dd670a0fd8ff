// The memory one admitted frame can make a host hold, measured, not estimated: a child process
// with --expose-gc decodes the largest frame of each costly shape that the default limits admit
// (frame size and value budget) through the general and the hot decoder, and reports the heap
// held at the peak of decoding and after. SECURITY.md quotes these figures. The bound: the
// frame's own bytes plus what decoding holds stay within 64 MiB.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const MiB = 1024 * 1024;
const BOUND = 64 * MiB;

interface Row {
  shape: string;
  path: string;
  frameBytes: number;
  peakBytes: number;
  retainedBytes: number;
}

describe('hardening: memory one admitted frame can hold (measured)', function () {
  this.timeout(120_000);

  it(`stays within ${BOUND / MiB} MiB (frame included) for every shape, at the peak of decoding`, async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', path.join(__dirname, '../support/frame-memory-child.js')],
        { maxBuffer: 1 << 20 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const rows = out.trim().split('\n').map((l) => JSON.parse(l) as Row);
    expect(rows.length).to.be.at.least(20);
    const mib = (n: number): string => (n / MiB).toFixed(1);
    const table = rows.map((r) => `  ${r.shape} (${r.path}): frame ${mib(r.frameBytes)} MiB, peak ${mib(r.peakBytes)} MiB, kept ${mib(r.retainedBytes)} MiB`);
    const worst = rows.reduce((a, b) => (a.frameBytes + a.peakBytes >= b.frameBytes + b.peakBytes ? a : b));
    if (process.env.TSRO_FRAME_MEMORY_REPORT) console.log(`${table.join('\n')}\n  worst: ${worst.shape}, ${mib(worst.frameBytes + worst.peakBytes)} MiB`);
    for (const r of rows) {
      // The frame's own bytes are alive while it is decoded (and after, where bytes values are
      // views over it): counted with the peak.
      expect(r.frameBytes + r.peakBytes, `${r.shape} (${r.path}): frame + peak`).to.be.at.most(BOUND);
      expect(r.retainedBytes, `${r.shape} (${r.path}): kept`).to.be.at.most(BOUND);
    }
  });
});
