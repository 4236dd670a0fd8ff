// A peer that breaks the protocol loses its connection, with a typed error the host logs, and
// nobody else notices: garbage bytes, frames over the size limit, a different protocol version,
// packets out of order. And a node talking to a fake host that breaks it fails clearly.

import { expect } from 'chai';
import { ProtocolError, type DynamicReplica, type Host, type Node, type Replica } from '../../src/index';
import { encodePacket } from '../../src/protocol/packet-codec';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { transports } from '../support/fixtures';
import { Printer } from '../support/printer';
import { nextEvent } from '../../src/testing';
import { worldPerTest } from '../support/world-fixture';
import {
  Gadget,
  World,
  WAIT_MS,
  expectTsro,
  fakeHost,
  frame,
  handshakeFrame,
  hostConnectionCount,
  packetFrame,
  rejectionOf,
  varint,
  listenerOf,
} from '../support/e2e';

for (const t of transports()) {
  describe(`protocol errors (${t.name})`, () => {
    const w = worldPerTest();

    describe('a host facing a broken peer', () => {
      let host: Host;
      let printer: Printer;
      let bystander: Node;
      let r: Replica<Printer>;

      beforeEach(async () => {
        host = await w.host(t.url(), { maxFrameSize: 1024 });
        printer = new Printer();
        host.enableRemoting(printer);
        bystander = await w.connectedNode(host);
        r = bystander.acquire(Printer);
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      });

      /** The bystander's replica still works: a change arrives and a call returns. */
      async function bystanderUnaffected(): Promise<void> {
        expect(r.state).to.equal('valid');
        const changed = nextEvent(r, 'copiesChanged');
        printer.copies += 1;
        expect(await changed).to.deep.equal([printer.copies]);
        expect(await r.add(20, 22)).to.equal(42);
        expect(w.nodeLog.lines).to.deep.equal([]);
      }

      /** The host logged the end of a connection with a ProtocolError of `code`; returns it. */
      async function loggedProtocolError(code: string): Promise<ProtocolError> {
        const line = await w.hostLog.waitFor(new RegExp(`closed|${code}`));
        expect(line.error, `log line "${line.message}" carries the error`).to.be.instanceOf(ProtocolError);
        const err = line.error as ProtocolError;
        expect(err.code).to.equal(code);
        return err;
      }

      it('closes a connection that sends unframed garbage (PROTOCOL_ERROR), others unaffected', async () => {
        const raw = await w.raw(host.hostUrl);
        raw.send(Buffer.alloc(64, 0xff)); // a length prefix longer than 5 bytes
        await raw.whenClosed();
        await loggedProtocolError('PROTOCOL_ERROR');
        await bystanderUnaffected();
      });

      it('closes a connection that sends an undecodable frame before its handshake', async () => {
        const raw = await w.raw(host.hostUrl);
        raw.send(frame(Buffer.alloc(10, 0xff)));
        await raw.whenClosed();
        const err = await loggedProtocolError('PROTOCOL_ERROR');
        expect(err.message).to.match(/undecodable|packet/);
        // It was told why before the connection closed.
        const goodbye = raw.packets.find((p) => p.kind === 'goodbye');
        expect(goodbye?.goodbye?.error?.code).to.equal('PROTOCOL_ERROR');
        await bystanderUnaffected();
      });

      it('closes a connection that sends an undecodable frame after a good handshake', async () => {
        const raw = await w.raw(host.hostUrl);
        await raw.handshake();
        raw.send(frame(Uint8Array.from([0x0a, 0x05, 0x01]))); // a field claiming 5 bytes, holding 1
        await raw.whenClosed();
        await loggedProtocolError('PROTOCOL_ERROR');
        await bystanderUnaffected();
      });

      it('closes a connection that sends a packet before its handshake', async () => {
        const raw = await w.raw(host.hostUrl);
        raw.sendPacket({ ping: { nonce: 1 } });
        await raw.whenClosed();
        const err = await loggedProtocolError('PROTOCOL_ERROR');
        expect(err.message).to.include('before its handshake');
        await bystanderUnaffected();
      });

      it('closes a connection that sends a packet only hosts send, or a second handshake', async () => {
        const a = await w.raw(host.hostUrl);
        await a.handshake();
        a.sendPacket({ init: { source: 1, values: [] } });
        await a.whenClosed();
        const err = await loggedProtocolError('PROTOCOL_ERROR');
        expect(err.message).to.include('init');

        const b = await w.raw(host.hostUrl);
        await b.handshake();
        b.send(handshakeFrame());
        await b.whenClosed();
        await bystanderUnaffected();
      });

      it('survives calls and acquires naming sources and members that do not exist', async () => {
        const raw = await w.raw(host.hostUrl);
        await raw.handshake();
        raw.sendPacket({ invoke: { source: 999, index: 0, serial: 1, args: [] } });
        const reply = await raw.packet('reply');
        expect(reply.reply!.error!.code).to.be.oneOf(['UNKNOWN_SOURCE', 'UNKNOWN_MEMBER']);
        raw.sendPacket({ invoke: { source: 1, index: 999, serial: 2, args: [] } });
        raw.sendPacket({ setProperty: { source: 1, index: 999, serial: 3, value: {} } });
        raw.sendPacket({ acquire: { source: 999 } });
        await raw.roundTrip(5);
        const replies = raw.packets.filter((p) => p.kind === 'reply');
        expect(replies.map((p) => p.reply!.error!.code).slice(1)).to.deep.equal(['UNKNOWN_MEMBER', 'UNKNOWN_MEMBER']);
        expect(raw.packets.some((p) => p.kind === 'sourceRemoved' && p.sourceRemoved!.source === 999)).to.equal(true);
        expect(raw.isOpen).to.equal(true);
        await bystanderUnaffected();
      });

      it('re-checks every call and set from the wire: readonly, argument count and types; the object is untouched', async () => {
        const raw = await w.raw(host.hostUrl);
        const list = await raw.handshake();
        const id = list.sourceList!.sources!.find((s) => s.name === 'Printer')!.id!;
        const [busy, copies] = [1, 2]; // property indices
        const add = 1; // slot index
        const sends: [number, Parameters<typeof raw.sendPacket>[0]][] = [
          [1, { setProperty: { source: id, index: busy, serial: 1, value: { bool: true } } }],
          [2, { setProperty: { source: id, index: copies, serial: 2, value: { double: 2.5 } } }],
          [3, { setProperty: { source: id, index: copies, serial: 3, value: { string: 'two' } } }],
          [4, { invoke: { source: id, index: add, serial: 4, args: [{ int: 1 }] } }],
          [5, { invoke: { source: id, index: add, serial: 5, args: [{ int: 1 }, { int: 2 }, { int: 3 }] } }],
          [6, { invoke: { source: id, index: add, serial: 6, args: [{ string: '1' }, { int: 2 }] } }],
          [7, { invoke: { source: id, index: add, serial: 7, args: [{ int: 1 }, { int: 2 }] } }],
        ];
        for (const [, p] of sends) raw.sendPacket(p);
        await raw.roundTrip(8);
        const replies = new Map(raw.packets.filter((p) => p.kind === 'reply').map((p) => [p.reply!.serial!, p.reply!]));
        expect(replies.get(1)!.error!.code).to.equal('READONLY');
        expect(replies.get(2)!.error!.code).to.equal('TYPE_MISMATCH');
        expect(replies.get(3)!.error!.code).to.equal('TYPE_MISMATCH');
        expect(replies.get(4)!.error!.code).to.equal('ARGUMENT_COUNT');
        expect(replies.get(5)!.error!.code).to.equal('ARGUMENT_COUNT');
        expect(replies.get(6)!.error!.code).to.equal('TYPE_MISMATCH');
        expect(replies.get(7)!.error).to.equal(null);
        expect(printer.busy).to.equal(false);
        expect(printer.copies).to.equal(1);
        expect(raw.isOpen).to.equal(true);
        await bystanderUnaffected();
      });

      it('closes a connection whose frame length prefix exceeds maxFrameSize (FRAME_TOO_LARGE)', async () => {
        const raw = await w.raw(host.hostUrl);
        await raw.handshake();
        raw.send(varint(2000)); // the prefix alone: refused before any body is buffered
        await raw.whenClosed();
        const err = await loggedProtocolError('FRAME_TOO_LARGE');
        expect(err.message).to.include('1024');
        await bystanderUnaffected();
      });

      it('announces its limit, so a node refuses to send a value over it (FRAME_TOO_LARGE, locally)', async () => {
        const gadget = new Gadget();
        host.enableRemoting(gadget);
        const g = bystander.acquire(Gadget);
        expect(await g.waitForSource(WAIT_MS)).to.equal(true);
        const big = 'x'.repeat(5000);
        const e = expectTsro(await rejectionOf(g.echo(big)), 'FRAME_TOO_LARGE');
        expect(e).to.be.instanceOf(ProtocolError);
        const dyn = bystander.acquireDynamic('Gadget');
        expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
        expectTsro(await rejectionOf(dyn.set('anything', big)), 'FRAME_TOO_LARGE');
        expect(gadget.received).to.deep.equal([]);
        // The connection is still fine.
        expect(await g.echo('small')).to.equal('small');
        await bystanderUnaffected();
      });

      it('answers a call whose result is over the node\'s announced limit with an error, keeping the connection', async () => {
        const gadget = new Gadget();
        host.enableRemoting(gadget);
        const raw = await w.raw(host.hostUrl);
        const list = await raw.handshake(400);
        const id = list.sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
        const echo = 0; // Gadget's first slot
        raw.sendPacket({ invoke: { source: id, index: echo, serial: 7, args: [{ string: 'y'.repeat(600) }] } });
        const reply = await raw.packet('reply');
        expect(reply.reply!.serial).to.equal(7);
        expect(reply.reply!.error!.code).to.equal('FRAME_TOO_LARGE');
        expect(gadget.received).to.deep.equal(['y'.repeat(600)]);
        await raw.roundTrip(3);
        expect(raw.isOpen).to.equal(true);
      });

      it('closes a connection that announces another protocol version (PROTOCOL_MISMATCH)', async () => {
        const raw = await w.raw(host.hostUrl);
        raw.send(frame(encodePacket({ handshake: { version: PROTOCOL_VERSION + 1, agent: 'from the future' } })));
        await raw.whenClosed();
        const err = await loggedProtocolError('PROTOCOL_MISMATCH');
        expect(err.message).to.include(String(PROTOCOL_VERSION + 1));
        const hs = raw.packets.find((p) => p.kind === 'handshake');
        expect(hs?.handshake?.version).to.equal(PROTOCOL_VERSION);
        const goodbye = raw.packets.find((p) => p.kind === 'goodbye');
        expect(goodbye?.goodbye?.error?.code).to.equal('PROTOCOL_MISMATCH');
        expect(raw.packets.some((p) => p.kind === 'sourceList')).to.equal(false);
        await bystanderUnaffected();
      });

      it('forgets a connection that ended abruptly, with nothing logged', async () => {
        const before = hostConnectionCount(host);
        const raw = await w.raw(host.hostUrl);
        await raw.handshake();
        expect(hostConnectionCount(host)).to.equal(before + 1);
        const removed = w.tap(listenerOf(host), 'connectionEnded');
        raw.destroy();
        await removed.until();
        expect(hostConnectionCount(host)).to.equal(before);
        expect(w.hostLog.lines).to.deep.equal([]);
        await bystanderUnaffected();
      });
    });

    describe('frame limits per node', () => {
      it('a change too big for one node\'s limit closes that node\'s connection only; the source and other replicas agree', async () => {
        // A host of its own, without the 1024-byte limit of the others here.
        const host = await w.host(t.url());
        const gadget = new Gadget();
        host.enableRemoting(gadget);
        const roomy = await w.connectedNode(host);
        const cramped = await w.connectedNode(host, { maxFrameSize: 1024, reconnect: false });
        const gr = roomy.acquire(Gadget);
        const gc = cramped.acquire(Gadget);
        expect(await gr.waitForSource(WAIT_MS)).to.equal(true);
        expect(await gc.waitForSource(WAIT_MS)).to.equal(true);
        const changed = nextEvent(gr, 'anythingChanged');
        const suspect = nextEvent(gc, 'stateChanged');
        const big = 'b'.repeat(5000);
        gadget.anything = big;
        expect(gadget.anything).to.equal(big);
        expect(await changed).to.deep.equal([big]);
        expect(await suspect).to.deep.equal(['suspect', 'valid']);
        const line = await w.hostLog.waitFor(/closed/);
        expect((line.error as ProtocolError).code).to.equal('FRAME_TOO_LARGE');
        // The roomy node is unaffected.
        expect(gr.state).to.equal('valid');
        expect(await gr.twice(4)).to.equal(8);
      });

    });

    describe('a node facing a broken host', () => {
      const url = (): string => (t.name === 'tcp' ? 'tcp://127.0.0.1:0' : t.url());

      it('rejects connectToNode with PROTOCOL_MISMATCH for a host speaking version 99', async () => {
        const fake = await fakeHost(w, url(), (s) => s.write(handshakeFrame(99)));
        const node = w.node();
        const e = expectTsro(await rejectionOf(node.connectToNode(fake.url), 'connectToNode'), 'PROTOCOL_MISMATCH');
        expect(e).to.be.instanceOf(ProtocolError);
        expect(e.message).to.include('99');
        // The node told the fake host why.
        const goodbye = await fake.packet('goodbye');
        expect(goodbye.goodbye!.error!.code).to.equal('PROTOCOL_MISMATCH');
        const hs = await fake.packet('handshake');
        expect(hs.handshake!.version).to.equal(PROTOCOL_VERSION);
      });

      it('rejects connectToNode with PROTOCOL_ERROR for a host sending garbage', async () => {
        const fake = await fakeHost(w, url(), (s) => s.write(frame(Buffer.alloc(8, 0xff))));
        const node = w.node();
        expectTsro(await rejectionOf(node.connectToNode(fake.url), 'connectToNode'), 'PROTOCOL_ERROR');
        expect(fake.sockets).to.have.length(1);
      });

      it('rejects connectToNode for a host that hangs up during the handshake', async () => {
        const fake = await fakeHost(w, url(), (s) => s.end());
        const node = w.node();
        expectTsro(await rejectionOf(node.connectToNode(fake.url), 'connectToNode'), ['DISCONNECTED', 'CONNECT_FAILED']);
      });

      it('rejects connectToNode with TIMEOUT for a host that never answers the handshake', async () => {
        const fake = await fakeHost(w, url(), () => {});
        const node = w.node({ connectTimeout: 200 });
        const e = expectTsro(await rejectionOf(node.connectToNode(fake.url), 'connectToNode'), 'TIMEOUT');
        expect(e.message).to.include(fake.url);
      });

      it('drops the connection of a host that sends a packet only nodes send', async () => {
        const fake = await fakeHost(w, url(), (s) => {
          s.write(handshakeFrame());
          s.write(packetFrame({ sourceList: { sources: [] } }));
        });
        const node = w.node({ reconnect: false });
        await node.connectToNode(fake.url);
        fake.sockets[0]!.write(packetFrame({ invoke: { source: 1, index: 0, serial: 1, args: [] } }));
        const line = await w.nodeLog.waitFor(/lost the connection|closed/);
        expect(line.error).to.be.instanceOf(ProtocolError);
        expect((line.error as ProtocolError).code).to.equal('PROTOCOL_ERROR');
        const goodbye = await fake.packet('goodbye');
        expect(goodbye.goodbye!.error!.code).to.equal('PROTOCOL_ERROR');
      });

      it('drops the connection of a host that sends an Init that does not match the API', async () => {
        const fake = await fakeHost(w, url(), (s) => {
          s.write(handshakeFrame());
          s.write(packetFrame({ sourceList: { sources: [{ id: 1, name: 'Printer', typeName: 'Printer', signature: 'abc' }] } }));
        });
        const node = w.node({ reconnect: false });
        await node.connectToNode(fake.url);
        const dyn: DynamicReplica = node.acquireDynamic('Printer');
        const acquire = await fake.packet('acquire');
        expect(acquire.acquire!.wantDefinition).to.equal(true);
        // Values but no definition: the node has no API to read them with.
        fake.sockets[0]!.write(packetFrame({ init: { source: 1, values: [{ int: 1 }] } }));
        const line = await w.nodeLog.waitFor(/lost the connection|closed/);
        expect((line.error as ProtocolError).code).to.equal('PROTOCOL_ERROR');
        expect(dyn.state).to.equal('uninitialized');
      });
    });
  });
}
