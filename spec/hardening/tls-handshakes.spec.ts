// Connections still in their TLS handshake are bounded like those in the tsro handshake: in
// number (as many as maxConnections; more are dropped at once, logged) and in time (the host's
// handshakeTimeout). Before, a peer could hold any number of raw sockets in a TLS handshake that
// never ended, for Node's default 120 s, below everything the host counted.

import * as net from 'node:net';
import { expect } from 'chai';
import { Host, Node } from '../../src/index';
import { testCerts } from '../support/certs';
import { recordingLogger, within } from '../support/fixtures';
import { Printer } from '../support/printer';

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

function silentSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
  });
}

describe('hardening: connections in their TLS handshake are bounded', function () {
  this.timeout(20_000);

  it('drops the ones over maxConnections at once and the rest after handshakeTimeout; a real node then gets in', async () => {
    const certs = testCerts();
    const logger = recordingLogger();
    const host = new Host('tls://127.0.0.1:0', {
      logger,
      tls: { cert: certs.server.cert, key: certs.server.key },
      maxConnections: 2,
      handshakeTimeout: 500,
    });
    const sockets: net.Socket[] = [];
    let node: Node | undefined;
    try {
      await host.listening;
      host.enableRemoting(new Printer());
      const port = Number(/:(\d+)$/.exec(host.hostUrl)![1]);
      // Two silent sockets fill the handshake slots; a third is refused at once.
      sockets.push(await silentSocket(port), await silentSocket(port));
      const refusedLine = logger.waitFor(/TLS handshakes are already in progress/, 5000);
      const third = await silentSocket(port);
      sockets.push(third);
      await within(closed(third), 2000, 'the third socket to be dropped at once');
      await refusedLine;
      expect(sockets[0]!.destroyed, 'the first is still in its handshake').to.equal(false);
      // The first two are dropped once the handshake timeout has passed.
      await within(Promise.all([closed(sockets[0]!), closed(sockets[1]!)]), 5000, 'the silent handshakes to time out');
      // The slots are free again: a real node completes both handshakes and is served.
      node = new Node({ logger: recordingLogger(), tls: { ca: certs.ca.cert } });
      await node.connectToNode(host.hostUrl);
      const r = node.acquireDynamic('Printer');
      expect(await r.waitForSource(5000)).to.equal(true);
    } finally {
      for (const s of sockets) s.destroy();
      await node?.close();
      await host.close();
    }
  });
});
