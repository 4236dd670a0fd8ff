// URLs and listening/connecting, through Host and Node: a bad URL throws URL_INVALID at once, a
// taken address rejects `listening` with LISTEN_FAILED, nobody listening rejects connectToNode
// with CONNECT_FAILED; and what a closed node or host does when used.

import { expect } from 'chai';
import { Host, ListenError, UrlError, ConnectError } from '../../src/index';
import { transports, uniqueLocalUrl } from '../support/fixtures';
import { Printer } from '../support/printer';
import { World, WAIT_MS, expectTsro, listenerOf, rejectionOf, thrownBy } from '../support/e2e';
import { worldPerTest } from '../support/world-fixture';

describe('URLs, listening and connecting', () => {
  const w = worldPerTest();

  describe('malformed URLs throw URL_INVALID at once, naming the URL', () => {
    for (const bad of ['nope', 'tcp://x', 'tcp://127.0.0.1', 'http://127.0.0.1:80', 'tcp://127.0.0.1:99999', 'local:', '']) {
      it(`new Host(${JSON.stringify(bad)})`, () => {
        const e = expectTsro(thrownBy(() => new Host(bad, { logger: w.hostLog })), 'URL_INVALID');
        expect(e).to.be.instanceOf(UrlError);
        expect(e.message).to.include(JSON.stringify(bad));
      });

      it(`node.connectToNode(${JSON.stringify(bad)})`, () => {
        const node = w.node();
        const e = expectTsro(thrownBy(() => node.connectToNode(bad)), 'URL_INVALID');
        expect(e.message).to.include(JSON.stringify(bad));
      });
    }

    it('a non-string URL', () => {
      expectTsro(thrownBy(() => new Host(42 as unknown as string, { logger: w.hostLog })), 'URL_INVALID');
      expectTsro(thrownBy(() => w.node().connectToNode(undefined as unknown as string)), 'URL_INVALID');
    });
  });

  for (const t of transports()) {
    describe(`over ${t.name}`, () => {
      it('hostUrl is the real bound URL once listening', async () => {
        const host = await w.host(t.url());
        if (t.name === 'tcp') expect(host.hostUrl).to.match(/^tcp:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
        else if (t.name === 'ws') expect(host.hostUrl).to.match(/^ws:\/\/127\.0\.0\.1:[1-9][0-9]*\/tsro$/);
        else expect(host.hostUrl).to.match(/^local:/);
        const node = await w.connectedNode(host);
        host.enableRemoting(new Printer());
        expect(await node.acquire(Printer).waitForSource(WAIT_MS)).to.equal(true);
      });

      it('an address in use rejects `listening` with LISTEN_FAILED naming the URL; the first host is unaffected', async () => {
        const first = await w.host(t.url());
        first.enableRemoting(new Printer());
        const second = new Host(first.hostUrl, { logger: w.hostLog });
        w.defer(() => second.close());
        const e = expectTsro(await rejectionOf(second.listening, 'the second host listening'), 'LISTEN_FAILED');
        expect(e).to.be.instanceOf(ListenError);
        expect(e.message).to.include(first.hostUrl);
        await second.close();
        const node = await w.connectedNode(first);
        const r = node.acquire(Printer);
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
        expect(await r.add(1, 2)).to.equal(3);
      });

      it('a host whose `listening` nobody awaits reports a failure to listen to its logger', async () => {
        w.allowLoggedErrors();
        const first = await w.host(t.url());
        const second = new Host(first.hostUrl, { logger: w.hostLog });
        w.defer(() => second.close());
        const line = await w.hostLog.waitFor(/listen/);
        expect(String(line.message) + String(line.error)).to.include(first.hostUrl);
        expectTsro(line.error, 'LISTEN_FAILED');
      });

      it('a host that failed to listen can still be closed, and enableRemoting on it after close is false', async () => {
        const first = await w.host(t.url());
        const second = new Host(first.hostUrl, { logger: w.hostLog });
        await rejectionOf(second.listening);
        await second.close();
        await second.close();
        expect(second.enableRemoting(new Printer())).to.equal(false);
      });

      it('connecting where nobody listens rejects with CONNECT_FAILED naming the URL', async () => {
        let url: string;
        if (t.name === 'tcp') {
          const gone = new Host('tcp://127.0.0.1:0', { logger: w.hostLog });
          await gone.listening;
          url = gone.hostUrl;
          await gone.close();
        } else {
          url = uniqueLocalUrl('nobody');
        }
        const node = w.node();
        const e = expectTsro(await rejectionOf(node.connectToNode(url), 'connectToNode'), 'CONNECT_FAILED');
        expect(e).to.be.instanceOf(ConnectError);
        expect(e.message).to.include(url);
        // The node is still usable.
        const host = await w.host(t.url());
        await node.connectToNode(host.hostUrl);
      });

      it('connecting twice to one URL shares the connection', async () => {
        const host = await w.host(t.url());
        const node = w.node();
        const a = node.connectToNode(host.hostUrl);
        const b = node.connectToNode(host.hostUrl);
        await Promise.all([a, b]);
        await node.connectToNode(host.hostUrl);
        const accepted = w.tap(listenerOf(host), 'connectionEnded');
        await node.close();
        await accepted.until();
        expect(accepted.count).to.equal(1);
      });
    });
  }

  it('connecting to port 0 rejects with CONNECT_FAILED', async () => {
    expectTsro(await rejectionOf(w.node().connectToNode('tcp://127.0.0.1:0')), 'CONNECT_FAILED');
  });

  describe('a closed node or host', () => {
    it('connectToNode rejects with CLOSED', async () => {
      const host = await w.host();
      const node = w.node();
      await node.close();
      expectTsro(await rejectionOf(node.connectToNode(host.hostUrl)), 'CLOSED');
    });

    it('acquire and acquireDynamic throw CLOSED', async () => {
      const node = w.node();
      await node.close();
      expectTsro(thrownBy(() => node.acquire(Printer)), 'CLOSED');
      expectTsro(thrownBy(() => node.acquireDynamic('Printer')), 'CLOSED');
    });

    it('close() is idempotent for nodes and hosts', async () => {
      const host = await w.host();
      const node = await w.connectedNode(host);
      await Promise.all([node.close(), node.close()]);
      await node.close();
      await Promise.all([host.close(), host.close()]);
      await host.close();
    });

    it('enableRemoting on a closed host returns false and warns', async () => {
      const host = await w.host();
      await host.close();
      expect(host.enableRemoting(new Printer())).to.equal(false);
      await w.hostLog.waitFor(/closed host/);
    });

    it('a host closed before it finished binding ends up not listening', async () => {
      const host = new Host(uniqueLocalUrl('early'), { logger: w.hostLog });
      const url = host.hostUrl;
      await host.close();
      await host.listening.catch(() => undefined);
      const node = w.node();
      expectTsro(await rejectionOf(node.connectToNode(url)), 'CONNECT_FAILED');
    });
  });
});
