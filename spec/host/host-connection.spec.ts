// HostConnection on its own: the host side of one connection, with a node played by hand over an
// in-memory link and a bare owner around a real SourceTable. Admission (source list after the
// handshake, the credential check, the connection limit), the handshake timeout on fake timers,
// Acquire answered with Init and followed by changes, calls and sets with their replies, the
// in-flight limit, and a node that speaks before it is admitted.

import { AbandonedCalls } from '../../src/host/abandoned-calls';
import { expect } from 'chai';
import type * as sinon from 'sinon';
import { AuthError, LimitError, TimeoutError, type TsroError } from '../../src/errors';
import { HostConnection, type HostConnectionOwner, type HostLimits } from '../../src/host/host-connection';
import type { SourceBinding } from '../../src/host/source-binding';
import { SourceTable, type SourceQueryMessage } from '../../src/host/source-table';
import { Property, RemoteObjectType, Slot } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import type { PacketMessage } from '../../src/protocol/messages';
import { Peer } from '../../src/protocol/peer';
import { decodeValue, decodeValues, encodeValue } from '../../src/protocol/value-codec';
import { systemTimers, type Timers } from '../../src/util/timers';
import { within } from '../support/fixtures';
import { channelPair, fakeClock, FrameRecorder } from '../support/links';

@RemoteObjectType('Lamp')
class Lamp {
  @Property() level = 3;
  @Property({ readonly: true }) serial = 'L-1';
  private held: (() => void)[] = [];
  @Slot() double(n: number): number {
    return 2 * n;
  }
  /** Resolves when `releaseAll` runs: keeps calls in flight. */
  @Slot() async hold(): Promise<string> {
    await new Promise<void>((resolve) => this.held.push(resolve));
    return 'done';
  }
  releaseAll(): void {
    for (const r of this.held.splice(0)) r();
  }
}

class Owner implements HostConnectionOwner {
  readonly sources = new SourceTable();
  readonly ended: { conn: HostConnection; error: TsroError | undefined }[] = [];
  readonly warnings: string[] = [];
  connectionCount = 0;
  readonly limits: HostLimits;
  constructor(
    limits: Partial<HostLimits> = {},
    readonly timers: Timers = systemTimers,
  ) {
    this.limits = { maxConnections: 10, maxInFlightCalls: 10, maxAbandonedCalls: 10, handshakeTimeout: 1000, idleTimeout: 0, authenticate: undefined, ...limits };
    this.abandoned = new AbandonedCalls(this.limits.maxAbandonedCalls, (m) => this.warnings.push(m));
  }
  readonly abandoned: AbandonedCalls;
  bindingById(id: number): SourceBinding | undefined {
    return this.sources.byId(id);
  }
  sourceListPacket(limit: number): PacketMessage {
    return this.sources.sourceListPacket(limit);
  }
  sourcePage(query: SourceQueryMessage, maxBytes: number): NonNullable<PacketMessage['sourcePage']> {
    return this.sources.sourcePage(query, maxBytes);
  }
  connectionOpened(): void {
    this.connectionCount++;
  }
  connectionEnded(conn: HostConnection, error: TsroError | undefined): void {
    this.ended.push({ conn, error });
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
}

function serve(owner: Owner): { conn: HostConnection; node: FrameRecorder; lamp: Lamp; binding: SourceBinding } {
  const lamp = new Lamp();
  const binding = owner.sources.add('Lamp', apiOf(Lamp), lamp, { attachChild: () => null }, false);
  const [x, y] = channelPair();
  const node = new FrameRecorder(y);
  const peer = new Peer(x, 'node', 1 << 20);
  const conn = new HostConnection(peer, owner);
  peer.start();
  return { conn, node, lamp, binding };
}

describe('HostConnection (in memory)', () => {
  it('admits a node after its handshake and sends the source list', async () => {
    const owner = new Owner();
    const { conn, node } = serve(owner);
    await node.next('handshake');
    expect(conn.isOpen).to.equal(false);
    node.handshake();
    const list = await node.next('sourceList');
    expect(list.sourceList!.sources!.map((s) => s.name)).to.deep.equal(['Lamp']);
    expect(conn.isOpen && conn.wasAdmitted).to.equal(true);
    expect(owner.connectionCount).to.equal(1);
    conn.close();
    await conn.ended;
    expect(owner.ended.map((e) => e.conn)).to.deep.equal([conn]);
  });

  it('answers Acquire with Init, then sends changes until Release', async () => {
    const owner = new Owner();
    const { conn, node, lamp, binding } = serve(owner);
    node.handshake();
    await node.next('sourceList');
    node.send({ acquire: { source: binding.id, wantDefinition: true } });
    const init = (await node.next('init')).init!;
    expect(decodeValues(init.values)).to.deep.equal([3, 'L-1']);
    expect(init.definition?.typeName).to.equal('Lamp');
    lamp.level = 4;
    expect(decodeValue((await node.next('propertyChange')).propertyChange!.value!)).to.equal(4);
    expect(binding.listenerCount).to.equal(1);
    node.send({ release: { source: binding.id } });
    node.send({ invoke: { source: binding.id, index: 0, serial: 9, args: [encodeValue(1, 'v')] } }); // barrier
    await node.next('reply');
    expect(binding.listenerCount).to.equal(0);
    conn.close();
    await conn.ended;
  });

  it('replies to calls and sets; refusals come back as errors with their codes', async () => {
    const owner = new Owner();
    const { conn, node, binding } = serve(owner);
    node.handshake();
    await node.next('sourceList');
    node.send({ invoke: { source: binding.id, index: 0, serial: 1, args: [encodeValue(21, 'v')] } });
    const reply = (await node.next('reply')).reply!;
    expect([reply.serial, decodeValue(reply.value!)]).to.deep.equal([1, 42]);
    node.send({ setProperty: { source: binding.id, index: 1, serial: 2, value: encodeValue('x', 'v') } });
    expect((await node.next('reply')).reply!.error?.code).to.equal('READONLY');
    node.send({ invoke: { source: 99, index: 0, serial: 3, args: [] } });
    expect((await node.next('reply')).reply!.error?.code).to.equal('UNKNOWN_SOURCE');
    node.send({ invoke: { source: binding.id, index: 0, serial: 4, args: [] } });
    expect((await node.next('reply')).reply!.error?.code).to.equal('ARGUMENT_COUNT');
    conn.close();
    await conn.ended;
  });

  it('refuses calls past maxInFlightCalls with LIMIT_EXCEEDED and runs them again once some finish', async () => {
    const owner = new Owner({ maxInFlightCalls: 2 });
    const { conn, node, lamp, binding } = serve(owner);
    node.handshake();
    await node.next('sourceList');
    for (const serial of [1, 2, 3]) node.send({ invoke: { source: binding.id, index: 1, serial, args: [] } });
    const refused = (await node.next('reply')).reply!;
    expect([refused.serial, refused.error?.code]).to.deep.equal([3, 'LIMIT_EXCEEDED']);
    lamp.releaseAll();
    const done = [(await node.next('reply')).reply!, (await node.next('reply')).reply!];
    expect(done.map((r) => decodeValue(r.value!))).to.deep.equal(['done', 'done']);
    node.send({ invoke: { source: binding.id, index: 0, serial: 4, args: [encodeValue(2, 'v')] } });
    expect(decodeValue((await node.next('reply')).reply!.value!)).to.equal(4);
    conn.close();
    await conn.ended;
  });

  it('refuses a node past maxConnections with LIMIT_EXCEEDED after its handshake', async () => {
    const owner = new Owner({ maxConnections: 1 });
    owner.connectionCount = 1;
    const { conn, node } = serve(owner);
    node.handshake();
    const goodbye = (await node.next('goodbye')).goodbye!;
    expect(goodbye.error?.code).to.equal('LIMIT_EXCEEDED');
    await conn.ended;
    expect(owner.ended[0]!.error).to.be.instanceOf(LimitError);
    expect(owner.warnings[0]).to.match(/1 connections are open/);
  });

  it('checks the credential before the node learns anything', async () => {
    const seen: unknown[] = [];
    const owner = new Owner({ authenticate: (credential) => (seen.push(credential), false) });
    const { conn, node } = serve(owner);
    node.handshake(undefined, { credential: encodeValue('wrong', 'credential') });
    const goodbye = (await node.next('goodbye')).goodbye!;
    expect(goodbye.error?.code).to.equal('AUTH_FAILED');
    expect(seen).to.deep.equal(['wrong']);
    expect(node.packets.map((p) => p.kind), 'nothing but the handshake of the host').to.deep.equal(['handshake']);
    await conn.ended;
    expect(owner.ended[0]!.error).to.be.instanceOf(AuthError);
  });

  it('closes on a packet sent before admission', async () => {
    const owner = new Owner({ authenticate: () => new Promise<boolean>(() => {}) });
    const { conn, node } = serve(owner);
    node.handshake();
    node.send({ acquire: { source: 1, wantDefinition: false } });
    expect((await node.next('goodbye')).goodbye!.error?.code).to.equal('PROTOCOL_ERROR');
    await conn.ended;
  });

  describe('handshake timeout (fake timers)', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => (clock = fakeClock()));
    afterEach(() => clock.restore());

    it('drops a node that does not complete its handshake in time, and not one that did', async () => {
      const slow = new Owner({ handshakeTimeout: 500 });
      const silent = serve(slow);
      const prompt = new Owner({ handshakeTimeout: 500 });
      const talker = serve(prompt);
      talker.node.handshake();
      await talker.node.next('sourceList');
      await clock.tickAsync(499);
      expect(slow.ended).to.deep.equal([]);
      await clock.tickAsync(1);
      await within(silent.conn.ended, 2000, 'the silent connection to end');
      expect(slow.ended[0]!.error).to.be.instanceOf(TimeoutError);
      expect(slow.ended[0]!.error!.message).to.match(/did not complete the handshake within 500 ms/);
      await clock.tickAsync(5000);
      expect(talker.conn.isOpen).to.equal(true);
      talker.conn.close();
      await talker.conn.ended;
    });

    it('idleTimeout: drops an admitted node that holds nothing and says nothing, not one that holds or talks', async () => {
      const owner = new Owner({ idleTimeout: 1000 });
      const idle = serve(owner);
      const holder = serve(owner);
      const talker = serve(owner);
      for (const c of [idle, holder, talker]) {
        c.node.handshake();
        await c.node.next('sourceList');
      }
      holder.node.send({ acquire: { source: holder.binding.id } });
      await holder.node.next('init');
      for (let t = 0; t < 5; t++) {
        talker.node.send({ ping: { nonce: t } });
        await clock.tickAsync(500);
      }
      await within(idle.conn.ended, 2000, 'the idle connection to end');
      const ended = owner.ended.find((e) => e.conn === idle.conn)!;
      expect(ended.error).to.be.instanceOf(TimeoutError);
      expect(ended.error!.message).to.match(/idle for 1000 ms/);
      expect(idle.node.packets.find((p) => p.kind === 'goodbye')?.goodbye?.error?.code, 'told why').to.equal('TIMEOUT');
      expect(holder.conn.isOpen, 'a node holding a subscription stays').to.equal(true);
      expect(talker.conn.isOpen, 'a node that talks stays').to.equal(true);
      holder.conn.close();
      talker.conn.close();
      await Promise.all([holder.conn.ended, talker.conn.ended]);
    });
  });
});
