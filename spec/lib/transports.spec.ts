// Transports beyond tcp and local: Linux abstract sockets, socket file permissions, and URL
// schemes registered by the user (QtRO's external schemas), also handed out by a registry.

import { expect } from 'chai';
import * as fs from 'node:fs';
import type { Duplex } from 'node:stream';
import { Host, Node, RegistryHost, registerTransportScheme, unregisterTransportScheme } from '../../src/index';
import { duplexPair } from '../../src/transport/node/duplex-pair';
import { parseUrl } from '../../src/transport/url';
import { recordingLogger, TCP_ANY, uniqueLocalUrl, trackClosing } from '../support/fixtures';
import { Printer } from '../support/printer';

describe('more transports', () => {
  const track = trackClosing();

  (process.platform === 'linux' ? it : it.skip)('serves over a Linux abstract socket (localabstract:name)', async () => {
    const url = `localabstract:tsro-abstract-${process.pid}-${Date.now()}`;
    const host = track(new Host(url, { logger: recordingLogger() }));
    await host.listening;
    expect(host.hostUrl).to.equal(url);
    host.enableRemoting(new Printer());
    const node = track(new Node({ logger: recordingLogger() }));
    await node.connectToNode(url);
    const r = node.acquire(Printer);
    expect(await r.waitForSource(2000)).to.equal(true);
    // A second host cannot take the name while the first holds it.
    const second = new Host(url, { logger: recordingLogger() });
    const err = await second.listening.then(() => undefined, (e: unknown) => e);
    expect(err).to.have.property('code', 'LISTEN_FAILED');
    await second.close();
  });

  (process.platform === 'win32' ? it.skip : it)('makes local: socket files owner-only by default, wider on request', async () => {
    const url = uniqueLocalUrl('mode');
    const host = track(new Host(url, { logger: recordingLogger() }));
    await host.listening;
    const path = (parseUrl(url) as { path: string }).path;
    expect(fs.statSync(path).mode & 0o777).to.equal(0o600);
    const url2 = uniqueLocalUrl('mode');
    const shared = track(new Host(url2, { logger: recordingLogger(), localSocketMode: 0o660 }));
    await shared.listening;
    expect(fs.statSync((parseUrl(url2) as { path: string }).path).mode & 0o777).to.equal(0o660);
  });

  describe('a registered URL scheme', () => {
    // An in-memory "network": listeners by URL, connections as Duplex pairs.
    const listeners = new Map<string, (stream: Duplex) => void>();
    before(() =>
      registerTransportScheme('memq', {
        connect: async (url) => {
          const accept = listeners.get(url);
          if (!accept) throw new Error('nobody listens there');
          const [client, server] = duplexPair();
          accept(server);
          return client;
        },
        listen: async (url, onConnection) => {
          listeners.set(url, onConnection);
          return { url, close: async () => void listeners.delete(url) };
        },
      }),
    );
    after(() => unregisterTransportScheme('memq'));

    it('hosts and connects through it', async () => {
      const host = track(new Host('memq:printer-1', { logger: recordingLogger() }));
      await host.listening;
      host.enableRemoting(new Printer());
      const node = track(new Node({ logger: recordingLogger() }));
      await node.connectToNode('memq:printer-1');
      const r = node.acquire(Printer);
      expect(await r.waitForSource(2000)).to.equal(true);
      expect(await r.add(3, 4)).to.equal(7);
    });

    it('is what a registry hands out, and nodes follow it', async () => {
      const logger = recordingLogger();
      const registry = track(new RegistryHost(TCP_ANY, { logger }));
      await registry.listening;
      const host = track(new Host('memq:printer-2', { logger, registryUrl: registry.hostUrl }));
      await host.listening;
      host.enableRemoting(new Printer(), 'MemPrinter');
      const node = track(new Node({ logger, registryUrl: registry.hostUrl }));
      const r = node.acquire(Printer, 'MemPrinter');
      expect(await r.waitForSource(3000)).to.equal(true);
      expect(node.knownSources().find((s) => s.name === 'MemPrinter')?.url).to.equal('memq:printer-2');
    });

    it('fails clearly for an unknown address and an unregistered scheme', async () => {
      const node = track(new Node({ logger: recordingLogger(), reconnect: false }));
      const err = await node.connectToNode('memq:nowhere').then(() => undefined, (e: unknown) => e);
      expect(err).to.have.property('code', 'CONNECT_FAILED');
      expect((err as Error).message).to.include('memq:nowhere');
      expect(() => node.connectToNode('carrier-pigeon:home')).to.throw().with.property('code', 'URL_INVALID');
    });
  });
});
