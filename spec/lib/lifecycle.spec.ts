// Hosts that die, freeze and come back, in real child processes: replicas turn suspect at once,
// pending calls reject, and the node reconnects and re-initializes them by itself.

import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Node, type Replica } from '../../src/index';
import { recordingLogger, transports, within } from '../support/fixtures';
import { Printer } from '../support/printer';
import { exited, startChildHost, type ChildHost } from '../support/child-hosts';
import { nextEvent, waitFor, waitForState } from '../../src/testing';

const HEARTBEAT_MS = 300;

function startHost(url: string, inkLevel: number): Promise<ChildHost> {
  return startChildHost([url, String(inkLevel)]);
}

for (const t of transports()) {
  describe(`lifecycle over ${t.name}`, function () {
    this.timeout(20_000);
    const children: ChildProcess[] = [];
    const nodes: Node[] = [];

    afterEach(async () => {
      await Promise.all(nodes.splice(0).map((n) => n.close()));
      for (const c of children.splice(0)) {
        if (c.signalCode === 'SIGSTOP') c.kill('SIGCONT');
        c.kill('SIGKILL');
        await exited(c);
      }
    });

    async function host(url: string, ink: number): Promise<ChildHost> {
      const h = await startHost(url, ink);
      children.push(h.process);
      return h;
    }

    it('turns replicas suspect when the host is killed, fails pending calls, and re-initializes after a restart', async () => {
      const first = await host(t.url(), 80);
      const logger = recordingLogger();
      const node = new Node({ logger, reconnect: { initialDelay: 20, maxDelay: 200 } });
      nodes.push(node);
      await node.connectToNode(first.url);
      const r = node.acquire(Printer);
      expect(await r.waitForSource(5000)).to.equal(true);
      expect(r.inkLevel).to.equal(80);

      const pending = r.hang();
      const suspect = waitForState(r, 'suspect', { timeout: 5000 });
      first.process.kill('SIGKILL');
      await suspect;
      const err = await pending.then(() => undefined, (e: unknown) => e);
      expect(err).to.have.property('code', 'DISCONNECTED');
      expect(() => {
        r.inkLevel = 1;
      }).to.throw().with.property('code', 'NOT_VALID');
      expect(r.inkLevel, 'keeps the last value while suspect').to.equal(80);
      await exited(first.process);

      const initialized = nextEvent(r, 'initialized', { timeout: 10_000 });
      const changed = nextEvent(r, 'inkLevelChanged', { timeout: 10_000 });
      await host(first.url, 55);
      await initialized;
      expect(r.state).to.equal('valid');
      expect(await changed).to.deep.equal([55]);
      expect(r.inkLevel).to.equal(55);
      expect(await r.add(2, 2)).to.equal(4);
      await logger.waitFor(/lost the connection/);
    });

    it('detects a frozen host by heartbeat and picks it up again when it wakes', async () => {
      const h = await host(t.url(), 10);
      const node = new Node({
        logger: recordingLogger(),
        heartbeatInterval: HEARTBEAT_MS,
        connectTimeout: 400,
        reconnect: { initialDelay: 20, maxDelay: 100 },
      });
      nodes.push(node);
      await node.connectToNode(h.url);
      const r = node.acquire(Printer);
      expect(await r.waitForSource(5000)).to.equal(true);

      const frozeAt = Date.now();
      h.process.kill('SIGSTOP');
      await waitForState(r, 'suspect', { timeout: 3000 });
      // Two intervals of silence, the quarter-interval tick that notices it, and slack for a
      // loaded machine's timers.
      expect(Date.now() - frozeAt).to.be.below(3 * HEARTBEAT_MS);
      const pending = r.add(1, 1);
      expect(await pending.then(() => 'resolved', (e: { code: string }) => e.code)).to.equal('NOT_VALID');

      h.process.kill('SIGCONT');
      await waitForState(r, 'valid', { timeout: 10_000 });
      h.process.send({ type: 'set', name: 'inkLevel', value: 11 });
      await waitFor(r, 'inkLevel', 11);
    });

    it('does not reconnect when reconnect is false', async () => {
      const h = await host(t.url(), 1);
      const logger = recordingLogger();
      const node = new Node({ logger, reconnect: false });
      nodes.push(node);
      await node.connectToNode(h.url);
      const r = node.acquire(Printer);
      expect(await r.waitForSource(5000)).to.equal(true);
      const suspect = waitForState(r, 'suspect', { timeout: 5000 });
      h.process.kill('SIGKILL');
      await suspect;
      await logger.waitFor(/lost the connection/);
      expect(logger.lines.some((l) => /reconnecting/.test(l.message))).to.equal(false);
    });
  });
}
