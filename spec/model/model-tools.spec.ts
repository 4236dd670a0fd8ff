// Models from the command line and the playlist sample, end to end: `tsro rows` and `tsro watch`
// on a model (the real binary, as a child process, against a host in this process), and
// dist/samples/playlist/playlist.js run to completion.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'chai';
import { Field, ListModel, ValueType, type Host } from '../../src/index';
import { TCP_ANY, within } from '../support/fixtures';
import { World } from '../support/e2e';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const SAMPLE = path.join(ROOT, 'dist', 'samples', 'playlist', 'playlist.js');

@ValueType('CliTrack')
class Track {
  @Field({ type: 'string' }) title = '';
  @Field({ type: 'int32' }) seconds = 0;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: string[], ms = 15_000): Promise<Run> {
  return within(
    new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [file, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    }),
    ms,
    `${path.basename(file)} ${args.join(' ')} to exit`,
  );
}

/** Lines of a running child's stdout, awaited one pattern at a time. */
function lines(child: ChildProcess): (re: RegExp) => Promise<string> {
  const seen: string[] = [];
  let partial = '';
  let wake: (() => void) | undefined;
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    const parts = (partial + s).split('\n');
    partial = parts.pop()!;
    seen.push(...parts);
    wake?.();
  });
  let next = 0;
  return (re) =>
    within(
      (async () => {
        for (;;) {
          while (next < seen.length) if (re.test(seen[next++]!)) return seen[next - 1]!;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      })(),
      8000,
      `a line matching ${re}`,
    );
}

describe('models: tsro rows and tsro watch', function () {
  this.timeout(30_000);
  let w: World;
  let host: Host;
  let model: ListModel<Track>;

  before(async () => {
    w = new World();
    host = await w.host(TCP_ANY);
    model = new ListModel(Track);
    model.push(...Array.from({ length: 2500 }, (_, i) => Object.assign(new Track(), { title: `t${i}`, seconds: i })));
    host.enableRemoting(model, 'Tracks');
  });

  after(() => w.close());

  it('tsro rows prints a range, or the rest of the model in pages; --json gives one row per line', async () => {
    const some = await run(MAIN, ['rows', host.hostUrl, 'Tracks', '10', '3']);
    expect(some.code, some.stderr).to.equal(0);
    const text = some.stdout.trim().split('\n');
    expect(text).to.have.length(3);
    expect(text[0]).to.match(/^10: .*t10.*10/);
    const json = await run(MAIN, ['rows', '--json', host.hostUrl, 'Tracks', '1000']);
    expect(json.code, json.stderr).to.equal(0);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { index: number; row: { title: string; seconds: number } });
    expect(rows).to.have.length(1500);
    expect(rows[0]).to.deep.equal({ index: 1000, row: { title: 't1000', seconds: 1000 } });
    expect(rows[1499]!.index).to.equal(2499);
  });

  it('tsro rows refuses a range outside the model and a source that is not a model', async () => {
    const outside = await run(MAIN, ['rows', host.hostUrl, 'Tracks', '2499', '2']);
    expect(outside.code).to.equal(5);
    expect(outside.stderr).to.match(/OUT_OF_RANGE/);
    const missing = await run(MAIN, ['rows', '--timeout', '300', host.hostUrl, 'Nope']);
    expect(missing.code).to.equal(3);
    const bad = await run(MAIN, ['rows', host.hostUrl, 'Tracks', 'x']);
    expect(bad.code).to.equal(1);
  });

  it('tsro watch on a model prints the row count, then each row operation; SIGTERM ends it with 0', async () => {
    const child = spawn(process.execPath, [MAIN, 'watch', '--json', host.hostUrl, 'Tracks'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const next = lines(child);
    try {
      expect(JSON.parse(await next(/"rowCount"/))).to.deep.include({ event: 'rowCount', args: [2500] });
      model.set(3, Object.assign(new Track(), { title: 'changed', seconds: 1 }));
      expect(JSON.parse(await next(/"rowsChanged",.*changed/))).to.deep.include({ args: [3, 1], rows: [{ title: 'changed', seconds: 1 }] });
      model.remove(0, 2);
      expect(JSON.parse(await next(/"rowsRemoved"/))).to.deep.include({ args: [0, 2] });
      model.move(0, 1, 5);
      expect(JSON.parse(await next(/"rowsMoved"/))).to.deep.include({ args: [0, 1, 5] });
      model.insert(0, Object.assign(new Track(), { title: 'first', seconds: 2 }));
      expect(JSON.parse(await next(/"rowsInserted"/))).to.deep.include({ args: [0, 1], rows: [{ title: 'first', seconds: 2 }] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await within(exited, 5000, 'tsro watch to exit')).to.equal(0);
      expect(stderr).to.equal('');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('samples: playlist', () => {
  it('runs to completion: lazy rows, a renamed track, an appended track, an edit and a move', async function () {
    this.timeout(30_000);
    const r = await run(SAMPLE, [], 25_000);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const out = r.stdout;
    expect(out).to.match(/has 100000 tracks; columns: title, seconds/);
    expect(out).to.match(/rows 50000-50004 of 100000:/);
    expect(out).to.match(/50002 {2}Song 50003 \(live\)/);
    expect(out).to.match(/appended 1 track at 100000; cached already: true/);
    expect(out).to.match(/now has "Encore \(extended\)" last/);
    expect(out).to.match(/rowsMoved\(99999, 2, 0\)/);
    expect(out).to.match(/cache holds \d+ of 100001 rows/);
  });
});
