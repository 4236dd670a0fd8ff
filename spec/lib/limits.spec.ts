// Limits and authentication on hosts: a refused credential learns nothing, a full host refuses
// new connections, a connection cannot run unbounded calls at once, a silent peer is dropped,
// and a replica that stops reading is disconnected instead of growing the host's memory.

import { expect } from 'chai';
import { Host, Node, type HostOptions } from '../../src/index';
import { recordingLogger, transports, within } from '../support/fixtures';
import { Printer } from '../support/printer';
import { RawClient, World, WAIT_MS, expectTsro, handshakeFrame, rejectionOf } from '../support/e2e';

for (const t of transports()) {
  describe(`host limits and authentication (${t.name})`, () => {
    const w = new World();
    afterEach(() => w.close());

    async function hostWith(options: HostOptions): Promise<{ host: Host; printer: Printer }> {
      const host = await w.host(t.url(), options);
      const printer = new Printer();
      host.enableRemoting(printer);
      return { host, printer };
    }

    describe('authentication', () => {
      const authenticate = (credential: unknown): boolean => credential === 'open sesame';

      it('admits a node whose credential passes the check', async () => {
        const { host } = await hostWith({ authenticate });
        const node = w.node({ credential: 'open sesame' });
        await node.connectToNode(host.hostUrl);
        const r = node.acquire(Printer);
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      });

      it('takes an async check and a per-URL credential function', async () => {
        const seen: unknown[] = [];
        const { host } = await hostWith({
          authenticate: async (credential) => {
            seen.push(credential);
            await Promise.resolve();
            return typeof credential === 'object' && credential !== null && (credential as { token?: string }).token === 'abc';
          },
        });
        const node = w.node({ credential: (url: string) => ({ token: 'abc', url }) });
        await node.connectToNode(host.hostUrl);
        expect(seen).to.deep.equal([{ token: 'abc', url: host.hostUrl }]);
      });

      it('refuses a wrong or missing credential with AUTH_FAILED, before the node learns anything', async () => {
        const { host } = await hostWith({ authenticate });
        for (const credential of ['wrong', undefined]) {
          const node = w.node({ credential, reconnect: false });
          const err = await rejectionOf(node.connectToNode(host.hostUrl));
          expectTsro(err, 'AUTH_FAILED');
          expect(node.knownSources()).to.deep.equal([]);
        }
        // A raw peer never gets the source list either: only the refusal.
        const raw = await RawClient.connect(host.hostUrl);
        w.defer(() => raw.destroy());
        raw.send(handshakeFrame());
        const goodbye = await raw.packet('goodbye');
        expect(goodbye.goodbye?.error?.code).to.equal('AUTH_FAILED');
        await raw.whenClosed();
        expect(raw.packets.map((p) => p.kind)).to.not.include('sourceList');
      });

      it('refuses when the check throws, and the host keeps serving others', async () => {
        const { host } = await hostWith({
          authenticate: (credential) => {
            if (credential === 'boom') throw new Error('database down');
            return true;
          },
        });
        expectTsro(await rejectionOf(w.node({ credential: 'boom', reconnect: false }).connectToNode(host.hostUrl)), 'AUTH_FAILED');
        const ok = w.node({ credential: 'fine' });
        await ok.connectToNode(host.hostUrl);
        expect(await ok.acquire(Printer).waitForSource(WAIT_MS)).to.equal(true);
      });
    });

    it('refuses connections past maxConnections with LIMIT_EXCEEDED, and takes new ones when there is room', async () => {
      const { host } = await hostWith({ maxConnections: 1, logger: recordingLogger() });
      const first = w.node();
      await first.connectToNode(host.hostUrl);
      const second = w.node({ reconnect: false });
      expectTsro(await rejectionOf(second.connectToNode(host.hostUrl)), 'LIMIT_EXCEEDED');
      await first.close();
      const third = w.node();
      await third.connectToNode(host.hostUrl);
      expect(await third.acquire(Printer).waitForSource(WAIT_MS)).to.equal(true);
    });

    it('refuses calls past maxInFlightCalls on one connection; others still run', async () => {
      const { host } = await hostWith({ maxInFlightCalls: 2 });
      const node = await w.connectedNode(host);
      const r = node.acquire(Printer);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      void r.hang().catch(() => {});
      void r.hang().catch(() => {});
      const err = await rejectionOf(r.hang());
      expectTsro(err, 'REMOTE');
      expect(err).to.have.property('remoteCode', 'LIMIT_EXCEEDED');
      // Sync slots finish at once and do not count against the limit while queued behind them.
      const other = await w.connectedNode(host);
      const r2 = other.acquire(Printer);
      expect(await r2.waitForSource(WAIT_MS)).to.equal(true);
      expect(await r2.add(1, 2)).to.equal(3);
    });

    it('drops a peer that connects and says nothing within handshakeTimeout', async () => {
      const logger = recordingLogger();
      const { host } = await hostWith({ handshakeTimeout: 100, logger });
      const raw = await RawClient.connect(host.hostUrl);
      w.defer(() => raw.destroy());
      await raw.whenClosed(3000);
      await logger.waitFor(/did not complete the handshake/);
    });

    // Property changes alone would coalesce under pressure (spec/host/pressure.spec.ts): the
    // signals here cannot, so the unsent bytes grow until maxBufferedBytes.
    it('disconnects a replica that stops reading signals instead of buffering without bound', async () => {
      const logger = recordingLogger();
      const { host, printer } = await hostWith({ maxBufferedBytes: 256 * 1024, logger });
      const healthy = await w.connectedNode(host);
      const good = healthy.acquire(Printer);
      expect(await good.waitForSource(WAIT_MS)).to.equal(true);

      const raw = await RawClient.connect(host.hostUrl);
      w.defer(() => raw.destroy());
      const list = await raw.handshake();
      const id = list.sourceList!.sources![0]!.id!;
      raw.sendPacket({ acquire: { source: id } });
      await raw.packet('init');
      raw.socket.pause(); // reads nothing from now on

      const before = process.memoryUsage().arrayBuffers;
      const chunk = 'x'.repeat(16 * 1024);
      let i = 0;
      // Big changes, a turn at a time, until the host gives up on the reader.
      while (raw.isOpen && i < 2000) {
        printer.queue = [chunk, String(i++)];
        printer.jammed(i, chunk);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await within(logger.waitFor(/reads too slowly/), WAIT_MS, 'the slow reader to be dropped');
      expect(process.memoryUsage().arrayBuffers - before).to.be.below(64 * 1024 * 1024);
      // The healthy replica got the latest value.
      const last = String(i - 1);
      if (good.queue[1] !== last) {
        await within(new Promise<void>((resolve) => good.on('queueChanged', (q) => q[1] === last && resolve())), WAIT_MS, 'the last change');
      }
      expect(good.queue[1]).to.equal(last);
    });
  });
}

describe('node-side credential validation', () => {
  it('refuses an uncarriable credential clearly when connecting', async () => {
    const host = new Host('tcp://127.0.0.1:0', { logger: recordingLogger() });
    await host.listening;
    const node = new Node({ credential: Symbol('no'), logger: recordingLogger(), reconnect: false });
    try {
      expectTsro(await rejectionOf(node.connectToNode(host.hostUrl)), 'NOT_SERIALIZABLE');
    } finally {
      await node.close();
      await host.close();
    }
  });
});
