// Connection events of a Node (connected, disconnected with the error, reconnecting with the
// delay of the next attempt) across a host restart, and connectToNode({ retry: true }) to a host
// that is not up yet. Over tcp (the same port again) and local sockets.

import { expect } from 'chai';
import { Host, type NodeEvents } from '../../src/index';
import { transports, uniqueLocalUrl } from '../support/fixtures';
import { World, WAIT_MS, expectTsro, rejectionOf } from '../support/e2e';
import { Worker } from '../support/worker';
import { nextEvent } from '../../src/testing';

type Ev<E extends keyof NodeEvents> = Parameters<NodeEvents[E]>[0];

/** A URL nothing listens on yet, that a host can bind later. */
async function freeUrl(w: World, transport: string): Promise<string> {
  if (transport === 'local') return uniqueLocalUrl('later');
  const probe = await w.host('tcp://127.0.0.1:0');
  const url = probe.hostUrl;
  await probe.close();
  return url;
}

for (const t of transports()) {
  describe(`connection events (${t.name})`, () => {
    let w: World;
    beforeEach(() => (w = new World()));
    afterEach(() => w.close());

    async function startHost(url: string): Promise<Host> {
      const host = await w.host(url);
      host.enableRemoting(new Worker());
      return host;
    }

    it('connected on every (re)connection, disconnected with the error on every loss, reconnecting with the delay', async function () {
      this.timeout(8000);
      const url = await freeUrl(w, t.name);
      let host = await startHost(url);
      const node = w.node({ reconnect: { initialDelay: 50, maxDelay: 200, factor: 2 } });
      const seen: string[] = [];
      node.on('connected', ({ url: u }) => seen.push(`connected ${u}`));
      node.on('disconnected', ({ url: u, error }) => seen.push(`disconnected ${u} ${error.code}`));
      const first = nextEvent<[Ev<'connected'>]>(node, 'connected', { timeout: WAIT_MS });
      await node.connectToNode(url);
      expect((await first)[0]).to.deep.equal({ url });
      const r = node.acquire(Worker);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);

      const lost = nextEvent<[Ev<'disconnected'>]>(node, 'disconnected', { timeout: WAIT_MS });
      const retry = nextEvent<[Ev<'reconnecting'>]>(node, 'reconnecting', { timeout: WAIT_MS });
      await host.close();
      const [gone] = await lost;
      expect(gone.url).to.equal(url);
      expectTsro(gone.error, 'DISCONNECTED');
      const [next] = await retry;
      expect(next).to.include({ url, attempt: 1, delay: 50 });

      const back = nextEvent<[Ev<'connected'>]>(node, 'connected', { timeout: WAIT_MS });
      host = await startHost(url);
      expect((await back)[0]).to.deep.equal({ url });
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(seen).to.deep.equal([`connected ${url}`, `disconnected ${url} DISCONNECTED`, `connected ${url}`]);
      await node.close();
      expect(seen, 'no disconnected event for node.close()').to.have.length(3);
    });

    it('connectToNode({ retry: true }) keeps trying with the backoff until the host answers', async function () {
      this.timeout(8000);
      const url = await freeUrl(w, t.name);
      const node = w.node({ reconnect: { initialDelay: 20, maxDelay: 100, factor: 2 } });
      const delays: number[] = [];
      node.on('reconnecting', ({ delay }) => delays.push(delay));
      const connected = node.connectToNode(url, { retry: true });
      await nextEvent(node, 'reconnecting', { timeout: WAIT_MS });
      await nextEvent(node, 'reconnecting', { timeout: WAIT_MS });
      await startHost(url);
      await connected;
      expect(delays.slice(0, 2)).to.deep.equal([20, 40]);
      const r = node.acquire(Worker);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await r.add(1, 2)).to.equal(3);
    });

    it('without retry a failed first attempt rejects as before', async () => {
      const url = await freeUrl(w, t.name);
      const node = w.node();
      expectTsro(await rejectionOf(node.connectToNode(url)), 'CONNECT_FAILED');
    });

    it('a retrying connectToNode rejects with CLOSED when the node closes, and with CANCELLED when its signal aborts', async () => {
      const url = await freeUrl(w, t.name);
      const node = w.node({ reconnect: { initialDelay: 20, maxDelay: 50, factor: 2 } });
      const ac = new AbortController();
      const aborted = rejectionOf(node.connectToNode(url, { retry: true, signal: ac.signal }));
      await nextEvent(node, 'reconnecting', { timeout: WAIT_MS });
      ac.abort('no more');
      const err = await aborted;
      expectTsro(err, 'CANCELLED');
      expect(err.cause).to.equal('no more');
      const closed = rejectionOf(node.connectToNode(url, { retry: true }));
      await nextEvent(node, 'reconnecting', { timeout: WAIT_MS });
      await node.close();
      expectTsro(await closed, 'CLOSED');
    });

    it('retries even with reconnect: false', async () => {
      const url = await freeUrl(w, t.name);
      const node = w.node({ reconnect: false });
      const connected = node.connectToNode(url, { retry: true });
      await nextEvent(node, 'reconnecting', { timeout: WAIT_MS });
      await startHost(url);
      await connected;
    });
  });
}
