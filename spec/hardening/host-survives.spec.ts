// Attacks on a host running in its own process with --unhandled-rejections=strict: each test
// speaks the protocol from a raw socket (or a Node with hostile options) as an attacker would,
// then proves the host process is alive and still serves a bystander. Each names the finding
// of the round-two hardening review it guards against.

import { expect } from 'chai';
import { RemoteError } from '../../src/index';
import { encodePacket } from '../../src/protocol/packet-codec';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { Hostile } from '../support/hostile';
import { RawClient, WAIT_MS, World, frame, handshakeFrame, packetFrame } from '../support/e2e';
import { within } from '../support/fixtures';
import { strictHost } from '../support/strict-child';
import { worldPerTest } from '../support/world-fixture';

describe('hardening: a host survives what a peer does (strict unhandled rejections)', function () {
  this.timeout(30_000);

  const w = worldPerTest();

  /** The size of the source list frame the host sends (to announce a limit just big enough). */
  async function sourceListSize(url: string): Promise<number> {
    const probe = await w.raw(url);
    const list = await probe.handshake();
    probe.destroy();
    return encodePacket(list).length;
  }

  function idOf(list: { sourceList?: { sources?: { name?: string | null; id?: number | null }[] | null } | null }, name: string): number {
    return list.sourceList!.sources!.find((s) => s.name === name)!.id!;
  }

  // Finding 1: the async slot's reply is over the peer's announced limit and so is the error
  // reply that replaces it; that threw inside the slot promise's callback and killed the host.
  it('an async slot reply over the peer\'s announced limit: a short error reply, never a crash', async () => {
    const host = await strictHost(w, { sources: ['Gadget'] });
    const limit = await sourceListSize(host.url);
    const raw = await w.raw(host.url);
    const list = await raw.handshake(limit);
    raw.sendPacket({ invoke: { source: idOf(list, 'Gadget'), index: 1 /* echoLater */, serial: 7, args: [{ string: 'x'.repeat(4 * limit) }] } });
    // Either an error reply within the limit, or (if even that cannot fit) a Goodbye.
    const answer = await Promise.race([raw.packet('reply'), raw.packet('goodbye')]);
    if (answer.kind === 'reply') {
      expect(answer.reply!.serial).to.equal(7);
      expect(answer.reply!.error!.code).to.equal('FRAME_TOO_LARGE');
    } else {
      expect(answer.goodbye!.error!.code).to.equal('FRAME_TOO_LARGE');
    }
    await host.expectServing();
  });

  it('a limit so small that no reply fits: the connection closes with a Goodbye, the host lives', async () => {
    const host = await strictHost(w);
    const limit = await sourceListSize(host.url);
    const raw = await w.raw(host.url);
    const list = await raw.handshake(limit);
    // A limit just over the source list; then a slot that rejects with a long message.
    raw.sendPacket({ invoke: { source: idOf(list, 'Printer'), index: 3 /* failLater */, serial: 9, args: [{ string: 'y'.repeat(10 * limit) }] } });
    const answer = await Promise.race([raw.packet('reply'), raw.packet('goodbye')]);
    expect(answer.reply?.error?.code ?? answer.goodbye?.error?.code).to.equal('FRAME_TOO_LARGE');
    await host.expectServing();
  });

  // Finding 1, through the public API: a Node announcing a small limit calls a slot that
  // rejects with a long message.
  it('a Node with a small maxFrameSize calling a slot that rejects with a long message gets an error', async () => {
    const host = await strictHost(w, { sources: ['Printer', 'Hostile'] });
    const node = w.node({ reconnect: false, maxFrameSize: 400 });
    await within(node.connectToNode(host.url), WAIT_MS, 'the small-limit node to connect');
    const r = node.acquire(Hostile);
    expect(await r.waitForSource(WAIT_MS), 'the Init fits').to.equal(true);
    const failed = await r.failLong(5000).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed, String(failed)).to.be.instanceOf(RemoteError);
    expect((failed as RemoteError).remoteCode).to.equal('FRAME_TOO_LARGE');
    await host.expectServing();
  });

  // Finding 1, at admission: with `authenticate`, the source list goes out from the auth
  // promise's callback; over the peer's limit it threw there.
  it('a source list over the limit of a peer that passed authentication: Goodbye, the host lives', async () => {
    const host = await strictHost(w, { token: 'letmein' });
    const raw = await w.raw(host.url);
    raw.send(packetFrame({ handshake: { version: PROTOCOL_VERSION, agent: 'raw', maxFrameSize: 20, credential: { string: 'letmein' } } }));
    const goodbye = await raw.packet('goodbye');
    expect(goodbye.goodbye!.error!.code).to.equal('FRAME_TOO_LARGE');
    await raw.whenClosed();
    await host.expectServing();
  });

  // Finding 7: Ping was answered while `authenticate` was still pending.
  it('a Ping before admission closes the connection, unanswered', async () => {
    const host = await strictHost(w, { token: 'letmein' });
    const raw = await w.raw(host.url);
    raw.send(Buffer.concat([packetFrame({ handshake: { version: PROTOCOL_VERSION, agent: 'raw', credential: { string: 'letmein' } } }), packetFrame({ ping: { nonce: 42 } })]));
    await raw.whenClosed();
    expect(raw.packets.map((p) => p.kind)).to.not.include('pong');
    expect(raw.packets.map((p) => p.kind)).to.not.include('sourceList');
    const goodbye = raw.packets.find((p) => p.kind === 'goodbye');
    expect(goodbye?.goodbye?.error?.code, 'the Goodbye says why').to.equal('PROTOCOL_ERROR');
    await host.expectServing();
  });

  // Finding 9: a bad length prefix closed the connection without the promised Goodbye.
  for (const [what, bytes, code] of [
    ['a length prefix longer than 5 bytes', Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 'PROTOCOL_ERROR'],
    ['a length prefix above 2^32 - 1', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]), 'PROTOCOL_ERROR'],
    ['a length prefix over the pre-admission limit', Buffer.from([0x80, 0x80, 0x80, 0x01]), 'FRAME_TOO_LARGE'],
  ] as const) {
    it(`${what} closes the connection with a Goodbye that says why`, async () => {
      const host = await strictHost(w);
      const raw = await w.raw(host.url);
      raw.send(bytes);
      await raw.whenClosed();
      const goodbye = raw.packets.find((p) => p.kind === 'goodbye');
      expect(goodbye, 'a Goodbye').to.not.equal(undefined);
      expect(goodbye!.goodbye!.error!.code).to.equal(code);
      await host.expectServing();
    });
  }

  it('a bad length prefix after admission closes with a Goodbye too', async () => {
    const host = await strictHost(w);
    const raw = await w.raw(host.url);
    await raw.handshake();
    raw.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await raw.whenClosed();
    expect(raw.packets.find((p) => p.kind === 'goodbye')?.goodbye?.error?.code).to.equal('PROTOCOL_ERROR');
    await host.expectServing();
  });

  // Finding 10: the handshake told any connector the host's Node.js version.
  it('the handshake a host sends before admission names no runtime or version', async () => {
    const host = await strictHost(w, { token: 'letmein' });
    const raw = await w.raw(host.url);
    raw.send(frame(new Uint8Array(0)).subarray(0, 0)); // nothing: the host speaks first anyway
    const hs = await raw.packet('handshake');
    expect(hs.handshake!.version).to.equal(PROTOCOL_VERSION);
    expect(hs.handshake!.agent ?? '').to.not.match(/node|v\d+\.\d+/i);
    expect(hs.handshake!.agent ?? '').to.not.include(process.version);
    raw.send(handshakeFrame());
    await raw.whenClosed(); // no credential: refused
    await host.expectServing();
  });

  // Unknown packet kinds (a newer peer's): skipped after admission, fatal before it.
  it('an unknown packet kind is ignored after admission and closes before it', async () => {
    const host = await strictHost(w);
    const unknown = frame(Buffer.from([0xfa, 0x07, 0x02, 0x08, 0x01])); // Packet field 127, a message
    const admitted = await w.raw(host.url);
    await admitted.handshake();
    admitted.send(unknown);
    await admitted.roundTrip(5);
    expect(admitted.isOpen).to.equal(true);

    const early = await w.raw(host.url);
    early.send(Buffer.concat([handshakeFrame(), unknown]).subarray(handshakeFrame().length));
    await early.whenClosed();
    expect(early.packets.find((p) => p.kind === 'goodbye')?.goodbye?.error?.code).to.equal('PROTOCOL_ERROR');
    await host.expectServing();
  });
});

describe('hardening: an Acquire the host cannot answer gets a negative answer', function () {
  this.timeout(30_000);

  const w = worldPerTest();

  // Finding 11: an Acquire whose Init exceeds the node's frame limit got no answer at all.
  it('a replica whose Init is over its node\'s frame limit: acquireRefused, a logged error, waitForSource false', async () => {
    w.allowLoggedErrors();
    const host = await strictHost(w, { sources: ['Printer', 'Hostile'] });
    const writer = w.node({ reconnect: false });
    await writer.connectToNode(host.url);
    const big = writer.acquire(Hostile);
    expect(await big.waitForSource(WAIT_MS)).to.equal(true);
    const changed = new Promise((resolve) => big.once('textChanged', resolve));
    big.text = 't'.repeat(5000);
    await within(changed, WAIT_MS, 'the text to change');

    const small = w.node({ reconnect: false, maxFrameSize: 400 });
    await within(small.connectToNode(host.url), WAIT_MS, 'the small-limit node to connect');
    const r = small.acquire(Hostile);
    const refused = new Promise<unknown>((resolve) => r.once('acquireRefused', resolve));
    const started = Date.now();
    expect(await r.waitForSource(10_000), 'waitForSource').to.equal(false);
    expect(Date.now() - started, 'waitForSource answered at once, not at its timeout').to.be.below(5000);
    const error = (await within(refused, WAIT_MS, 'acquireRefused')) as RemoteError;
    expect(error).to.be.instanceOf(RemoteError);
    expect(error.remoteCode).to.equal('FRAME_TOO_LARGE');
    expect(r.state).to.equal('default');
    expect(w.nodeLog.lines.some((l) => l.level === 'error' && /cannot be initialized/.test(l.message)), 'logged').to.equal(true);
    await host.expectServing();
  });

  it('from a raw socket: AcquireRefused with the source id and why', async () => {
    const host = await strictHost(w, { sources: ['Printer', 'Hostile'] });
    const setter = await w.raw(host.url);
    const list = await setter.handshake();
    const id = list.sourceList!.sources!.find((s) => s.name === 'Hostile')!.id!;
    setter.sendPacket({ setProperty: { source: id, index: 0, value: { string: 'q'.repeat(3000) }, serial: 1 } });
    await setter.packet('reply');
    const raw = await w.raw(host.url);
    await raw.handshake(1000);
    raw.sendPacket({ acquire: { source: id } });
    const refused = await raw.packet('acquireRefused');
    expect(refused.acquireRefused!.source).to.equal(id);
    expect(refused.acquireRefused!.error!.code).to.equal('FRAME_TOO_LARGE');
    await raw.roundTrip(3); // the connection stays usable
    await host.expectServing();
  });
});
