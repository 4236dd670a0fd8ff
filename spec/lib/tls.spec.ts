// Hosts and nodes over tls://, end to end: a trusted host, an untrusted one, and mutual TLS.

import { expect } from 'chai';
import { Host, Node } from '../../src/index';
import { testCerts } from '../support/certs';
import { recordingLogger, within, trackClosing } from '../support/fixtures';
import { Printer } from '../support/printer';

describe('tls:// hosts and nodes', function () {
  this.timeout(10_000);
  const track = trackClosing();

  it('carries replicas over TLS to a node that trusts the host', async () => {
    const certs = testCerts();
    const host = track(new Host('tls://127.0.0.1:0', { logger: recordingLogger(), tls: { cert: certs.server.cert, key: certs.server.key } }));
    await host.listening;
    expect(host.hostUrl).to.match(/^tls:\/\/127\.0\.0\.1:\d+$/);
    const printer = new Printer();
    host.enableRemoting(printer);
    const node = track(new Node({ logger: recordingLogger(), tls: { ca: certs.ca.cert } }));
    await node.connectToNode(host.hostUrl);
    const r = node.acquire(Printer);
    expect(await r.waitForSource(2000)).to.equal(true);
    expect(await r.add(1, 2)).to.equal(3);
  });

  it('refuses a host whose certificate the node does not trust, naming the reason', async () => {
    const certs = testCerts();
    const host = track(new Host('tls://127.0.0.1:0', { logger: recordingLogger(), tls: { cert: certs.server.cert, key: certs.server.key } }));
    await host.listening;
    const node = track(new Node({ logger: recordingLogger(), reconnect: false, tls: { ca: certs.otherCa.cert } }));
    const err = await node.connectToNode(host.hostUrl).then(() => undefined, (e: unknown) => e);
    expect(err).to.have.property('code', 'CONNECT_FAILED');
    expect((err as Error).message).to.match(/tls:\/\/127\.0\.0\.1:\d+/);
  });

  it('asks for client certificates: admits a node with one, refuses one without', async () => {
    const certs = testCerts();
    const logger = recordingLogger();
    const host = track(
      new Host('tls://127.0.0.1:0', {
        logger,
        tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: true },
      }),
    );
    await host.listening;
    host.enableRemoting(new Printer());
    const withCert = track(new Node({ logger: recordingLogger(), tls: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key } }));
    await withCert.connectToNode(host.hostUrl);
    expect(await withCert.acquire(Printer).waitForSource(2000)).to.equal(true);

    const without = track(new Node({ logger: recordingLogger(), reconnect: false, tls: { ca: certs.ca.cert } }));
    const err = await within(without.connectToNode(host.hostUrl).then(() => undefined, (e: unknown) => e), 5000, 'the refusal');
    expect(err).to.have.property('code').that.is.oneOf(['DISCONNECTED', 'CONNECT_FAILED']);
    expect(without.knownSources()).to.deep.equal([]);
  });
});
