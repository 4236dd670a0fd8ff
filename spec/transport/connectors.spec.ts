// The core reaches transports only through FrameLinks and the connectors registered per URL
// scheme. A message-based transport (one frame per message, as a WebSocket carries them)
// implements FrameLink directly: here an in-memory one, registered as the "msg" scheme.

import { expect } from 'chai';
import { DisconnectedError, Host, Node, registerConnector, unregisterConnector, type FrameLink, type TsroError } from '../../src/index';
import { connectLink } from '../../src/transport/connectors';
import { parseUrl } from '../../src/transport/url';
import { recordingLogger, TCP_ANY } from '../support/fixtures';
import { Printer } from '../support/printer';

/** Two FrameLinks joined back to back; frames are delivered in order, each in its own task. */
function messageLinkPair(): [FrameLink, FrameLink] {
  class MessageLink implements FrameLink {
    onFrame: (frame: Uint8Array) => void = () => {};
    onClose: (error: TsroError | undefined) => void = () => {};
    other!: MessageLink;
    closed = false;
    private ended = false;
    sent = 0;
    send(frame: Uint8Array): boolean {
      if (this.closed) return false;
      const copy = frame.slice();
      this.sent++;
      setImmediate(() => {
        if (!this.other.closed) this.other.onFrame(copy);
      });
      return true;
    }
    close(): void {
      this.end(undefined, undefined);
    }
    destroy(error?: TsroError): void {
      this.end(error, new DisconnectedError('the other side went away'));
    }
    private end(mine: TsroError | undefined, theirs: TsroError | undefined): void {
      if (this.ended) return;
      this.ended = this.closed = true;
      setImmediate(() => this.onClose(mine));
      if (!this.other.ended) {
        this.other.ended = this.other.closed = true;
        setImmediate(() => this.other.onClose(theirs));
      }
    }
  }
  const a = new MessageLink();
  const b = new MessageLink();
  a.other = b;
  b.other = a;
  return [a, b];
}

describe('transport/connectors', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).reverse().map((o) => o.close()));
  });

  describe('a message-based link registered as a scheme', () => {
    const hosts = new Map<string, Host>();
    let links: FrameLink[] = [];
    before(() =>
      registerConnector('msg', {
        connect: async (address, options) => {
          const host = hosts.get(address.url);
          if (!host) throw new Error(`nobody serves ${address.url}`);
          expect(options.label).to.equal(address.url);
          expect(options.maxFrameSize).to.be.greaterThan(0);
          const [mine, theirs] = messageLinkPair();
          links.push(mine);
          host.acceptLink(theirs, `${address.url} peer`);
          return mine;
        },
      }),
    );
    after(() => unregisterConnector('msg'));
    beforeEach(() => {
      links = [];
    });

    it('carries replicas: values, slot calls, signals, and reconnects after the link drops', async () => {
      const host = new Host(TCP_ANY, { logger: recordingLogger() });
      open.push(host);
      await host.listening;
      hosts.set('msg:printer', host);
      const printer = new Printer();
      host.enableRemoting(printer);
      const node = new Node({ logger: recordingLogger(), reconnect: { initialDelay: 1, maxDelay: 10 } });
      open.push(node);
      await node.connectToNode('msg:printer');
      const r = node.acquire(Printer);
      expect(await r.waitForSource(2000)).to.equal(true);
      expect(r.inkLevel).to.equal(printer.inkLevel);
      const changed = new Promise((resolve) => r.once('inkLevelChanged', resolve));
      printer.inkLevel = 42;
      expect(await changed).to.equal(42);
      expect(await r.add(2, 3)).to.equal(5);
      const jammed = new Promise((resolve) => r.once('jammed', (page, reason) => resolve([page, reason])));
      printer.jammed(3, 'paper');
      expect(await jammed).to.deep.equal([3, 'paper']);
      expect(links[0] as unknown as { sent: number }).to.have.property('sent').that.is.greaterThan(1);

      // The link drops: the replica turns suspect, the node connects again through the connector.
      const suspect = new Promise((resolve) => r.once('stateChanged', resolve));
      links[0]!.destroy(new DisconnectedError('cable pulled'));
      expect(await suspect).to.equal('suspect');
      const valid = new Promise<void>((resolve) => r.once('initialized', () => resolve()));
      await valid;
      expect(links).to.have.length(2);
      expect(r.state).to.equal('valid');
    });

    it('is what addClientSideConnection takes besides a Duplex', async () => {
      const host = new Host(TCP_ANY, { logger: recordingLogger() });
      open.push(host);
      await host.listening;
      host.enableRemoting(new Printer());
      const [mine, theirs] = messageLinkPair();
      host.acceptLink(theirs, 'handed-in peer');
      const node = new Node({ logger: recordingLogger() });
      open.push(node);
      await node.addClientSideConnection(mine, 'mine');
      expect(node.knownSources().map((s) => s.url)).to.include('mine');
    });
  });

  it('refuses a second connector for a scheme, and URLs of a scheme without one', async () => {
    expect(() => registerConnector('tcp', { connect: () => Promise.reject(new Error('x')) })).to.throw(/already has a connector/);
    registerConnector('gone', { connect: () => Promise.reject(new Error('x')) });
    expect(parseUrl('gone:x')).to.deep.equal({ scheme: 'custom', name: 'gone', url: 'gone:x' });
    unregisterConnector('gone');
    expect(() => parseUrl('gone:x')).to.throw(/unsupported scheme/);
    const err = await connectLink({ scheme: 'custom', name: 'gone', url: 'gone:x' }, { label: 'gone:x', timeoutMs: 100, maxFrameSize: 1024, maxBufferedBytes: undefined, tls: undefined }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'CONNECT_FAILED');
    expect((err as Error).message).to.match(/no transport for "gone:" URLs is available in this runtime/);
  });
});
