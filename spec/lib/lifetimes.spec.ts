// Closing every host and node releases every handle: no listening or connected socket, no timer
// keeps the process alive afterwards (process.getActiveResourcesInfo()).

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Host, Node } from '../../src/index';
import { parseUrl } from '../../src/transport/url';
import { recordingLogger, transports, uniqueLocalUrl } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Gadget, WAIT_MS, expectTsro, handshakeFrame, packetFrame, rejectionOf, sourceEvent, turn } from '../support/e2e';

const WATCHED = ['TCPServerWrap', 'TCPSocketWrap', 'PipeWrap', 'Timeout', 'ConnectWrap', 'GetAddrInfoReqWrap'];

/** How many resources of each watched kind keep the event loop alive now. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(WATCHED.map((k) => [k, 0]));
  for (const r of process.getActiveResourcesInfo()) if (r in counts) counts[r]! += 1;
  return counts;
}

/** Snapshot before a test's sockets exist (after letting earlier tests' callbacks run). */
async function baseline(): Promise<Record<string, number>> {
  await turn();
  await turn();
  return resources();
}

/**
 * Waits (turn by turn of the event loop, at most `ms`) until the watched resources are back to
 * `before`: sockets that were ended need their peer's FIN to be read before they go.
 */
async function expectEventuallyBackTo(before: Record<string, number>, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  let now = resources();
  while (JSON.stringify(now) !== JSON.stringify(before) && Date.now() < deadline) {
    await turn();
    now = resources();
  }
  expect(now, `active resources ${ms} ms after closing everything`).to.deep.equal(before);
}

async function expectBackTo(before: Record<string, number>): Promise<void> {
  // A handle closed in this loop iteration is released in its close-callbacks phase, which comes
  // after the check phase where the first setImmediate runs: wait for the next iteration too.
  await turn();
  await turn();
  expect(resources(), 'active resources after closing everything').to.deep.equal(before);
}

for (const t of transports()) {
  describe(`lifetimes (${t.name})`, () => {
    const logger = recordingLogger();
    let opened: { close(): Promise<void> }[] = [];

    afterEach(async () => {
      // Only does anything if a test failed half-way.
      for (const o of opened.reverse()) await o.close();
      opened = [];
    });

    function host(url = t.url(), options = {}): Host {
      const h = new Host(url, { logger, ...options });
      opened.push(h);
      return h;
    }
    function node(options = {}): Node {
      const n = new Node({ logger, ...options });
      opened.push(n);
      return n;
    }

    /** A host with a Printer, a node with a valid replica, one call and one change done. */
    async function busyPair(): Promise<{ h: Host; n: Node; printer: Printer }> {
      const h = host();
      await h.listening;
      const printer = new Printer();
      h.enableRemoting(printer);
      const n = node();
      await n.connectToNode(h.hostUrl);
      const r = n.acquire(Printer);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await r.print('x')).to.equal(1);
      const changed = new Promise<void>((resolve) => r.once('inkLevelChanged', () => resolve()));
      printer.inkLevel = 1;
      await changed;
      return { h, n, printer };
    }

    it('closing the node, then the host, leaves no handle once the sockets have finished closing', async () => {
      const before = await baseline();
      const { h, n } = await busyPair();
      await n.close();
      await h.close();
      await expectEventuallyBackTo(before);
    });

    it('closing the host, then the node, leaves no handle (no reconnect timer either) once the sockets have finished closing', async () => {
      const before = await baseline();
      const { h, n } = await busyPair();
      await h.close();
      await n.close();
      await expectEventuallyBackTo(before);
    });

    // close() resolves only once its sockets are released, even if the host never closes its side.
    it('closing the node, then the host, leaves no handle by the time both close() calls resolved', async () => {
      const before = await baseline();
      const { h, n } = await busyPair();
      await n.close();
      await h.close();
      await expectBackTo(before);
    });

    it('closing the host, then the node, leaves no handle by the time both close() calls resolved', async () => {
      const before = await baseline();
      const { h, n } = await busyPair();
      await h.close();
      await n.close();
      await expectBackTo(before);
    });

    // Without a host to finish the close: a host that reads the node's FIN but never
    // closes its side (a frozen or misbehaving peer) must not keep the node's socket.
    it('node.close() releases its socket even when the host never finishes closing', async () => {
      const held: net.Socket[] = [];
      const server = net.createServer({ allowHalfOpen: true }, (s) => {
        held.push(s);
        s.on('error', () => {});
        s.write(handshakeFrame());
        s.write(packetFrame({ sourceList: { sources: [] } }));
      });
      const local = parseUrl(uniqueLocalUrl('halfopen'));
      const socketPath = local.scheme === 'local' ? local.path : '';
      await new Promise<void>((resolve) => {
        if (t.name === 'tcp') server.listen({ host: '127.0.0.1', port: 0 }, resolve);
        else server.listen({ path: socketPath }, resolve);
      });
      const url = t.name === 'tcp' ? `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}` : local.url;
      try {
        await turn();
        const before = resources();
        const n = node({ reconnect: false });
        await n.connectToNode(url);
        const open = resources();
        await n.close();
        await expectBackTo({ ...open, [t.name === 'tcp' ? 'TCPSocketWrap' : 'PipeWrap']: before[t.name === 'tcp' ? 'TCPSocketWrap' : 'PipeWrap']! + 1 });
      } finally {
        for (const s of held) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('closing with a call in flight leaves no handle, and the call rejects', async () => {
      const before = await baseline();
      const h = host();
      await h.listening;
      const gadget = new Gadget();
      h.enableRemoting(gadget);
      const n = node({ heartbeatInterval: 1000 });
      await n.connectToNode(h.hostUrl);
      const g = n.acquire(Gadget);
      expect(await g.waitForSource(WAIT_MS)).to.equal(true);
      const entered = sourceEvent(gadget, 'hangEntered');
      const call = g.hang();
      await entered;
      await h.close();
      await n.close();
      expectTsro(await rejectionOf(call), ['DISCONNECTED', 'CLOSED']);
      await expectEventuallyBackTo(before);
    });

    it('a waitForSource that resolved leaves no timer behind', async () => {
      const h = host();
      await h.listening;
      h.enableRemoting(new Printer());
      const n = node();
      await n.connectToNode(h.hostUrl);
      await turn();
      const before = resources();
      const r = n.acquire(Printer);
      expect(await r.waitForSource(60_000)).to.equal(true);
      await turn();
      expect(resources().Timeout).to.equal(before.Timeout);
      await n.close();
      await h.close();
    });

    it('a failed connect leaves no handle', async () => {
      const before = await baseline();
      const n = node();
      const url = t.name === 'tcp' ? await (async () => {
        const gone = host();
        await gone.listening;
        const u = gone.hostUrl;
        await gone.close();
        return u;
      })() : uniqueLocalUrl('nobody');
      expectTsro(await rejectionOf(n.connectToNode(url)), 'CONNECT_FAILED');
      await n.close();
      await expectBackTo(before);
    });

    it('a host that failed to listen leaves no handle once closed', async () => {
      const first = host();
      await first.listening;
      await turn();
      const before = resources();
      const second = host(first.hostUrl);
      expectTsro(await rejectionOf(second.listening), 'LISTEN_FAILED');
      await second.close();
      await expectBackTo(before);
      await first.close();
    });

    it('a host that was never connected to leaves no handle once closed', async () => {
      const before = await baseline();
      const h = host();
      await h.listening;
      await h.close();
      await expectBackTo(before);
    });

    if (t.name === 'local' && process.platform !== 'win32') {
      it('removes its socket file when closed', async () => {
        const url = uniqueLocalUrl('file');
        const addr = parseUrl(url);
        if (addr.scheme !== 'local') throw new Error('not local');
        const h = host(url);
        await h.listening;
        expect(fs.existsSync(addr.path)).to.equal(true);
        const n = node();
        await n.connectToNode(url);
        await n.close();
        await h.close();
        expect(fs.existsSync(addr.path)).to.equal(false);
      });
    }
  });
}
