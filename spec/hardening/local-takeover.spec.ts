// Finding 8: two hosts started at once on a stale `local:` path could both report listening
// (one unreachable), and when that one closed, the live host's socket file was unlinked.
// Taking over a stale path is now atomic (a lock file), and a host never deletes a socket file
// that is not the one it bound.

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Host, silentLogger } from '../../src/index';
import { parseUrl } from '../../src/transport/url';
import { Printer } from '../support/printer';
import { WAIT_MS, World } from '../support/e2e';
import { within } from '../support/fixtures';
import { uniqueLocalUrl } from '../transport/helpers';
import { worldPerTest } from '../support/world-fixture';

function pathOf(url: string): string {
  const a = parseUrl(url);
  if (a.scheme !== 'local') throw new Error('not local');
  return a.path;
}

/** A socket file nobody listens on, as a crashed host leaves it: bind, then SIGKILL. */
async function deadSocketFile(socketPath: string): Promise<void> {
  const script = `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  await within(new Promise((resolve) => child.once('exit', resolve)), 10_000, 'the child to die');
  expect(fs.lstatSync(socketPath).isSocket(), 'a socket file is left behind').to.equal(true);
}

describe('hardening: local: sockets are taken over atomically and never deleted by another host', function () {
  this.timeout(60_000);
  if (process.platform === 'win32') return;

  const w = worldPerTest();

  for (let round = 1; round <= 3; round++) {
    it(`two hosts racing for a stale path: exactly one listens, the other gets LISTEN_FAILED (round ${round})`, async () => {
      const url = uniqueLocalUrl();
      w.defer(() => fs.rmSync(pathOf(url), { force: true }));
      await deadSocketFile(pathOf(url));
      const a = new Host(url, { logger: silentLogger });
      const b = new Host(url, { logger: silentLogger });
      w.defer(() => a.close());
      w.defer(() => b.close());
      const outcomes = await Promise.all([a, b].map((h) => h.listening.then(() => 'listening', (err: { code?: string }) => err.code)));
      expect([...outcomes].sort()).to.deep.equal(['LISTEN_FAILED', 'listening']);
      const winner = outcomes[0] === 'listening' ? a : b;
      const loser = winner === a ? b : a;
      winner.enableRemoting(new Printer());
      await loser.close();
      const node = await w.node({ reconnect: false });
      await within(node.connectToNode(url), WAIT_MS, 'a node to reach the winner');
      const r = node.acquire(Printer);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(fs.existsSync(`${pathOf(url)}.lock`), 'no lock file left').to.equal(false);
    });
  }

  it('a host closing does not delete the socket file another host bound at its path', async () => {
    const url = uniqueLocalUrl();
    const first = await w.host(url);
    // Someone removes the first host's file and a second host binds the path anew.
    fs.unlinkSync(pathOf(url));
    const second = await w.host(url);
    second.enableRemoting(new Printer());
    const mine = fs.lstatSync(pathOf(url));
    await first.close();
    const after = fs.lstatSync(pathOf(url));
    expect([after.ino, after.dev], 'the second host\'s file is still there').to.deep.equal([mine.ino, mine.dev]);
    const node = await w.node({ reconnect: false });
    await within(node.connectToNode(url), WAIT_MS, 'a node to reach the second host');
    expect(await node.acquire(Printer).waitForSource(WAIT_MS)).to.equal(true);
  });
});
