// NodeConnection on its own: the client side of one connection, driven by a host played by hand
// over an in-memory link. Readiness on the source list, offers announced and withdrawn, a call
// settled by its reply (value, remote error, host refusal), calls that never hang when the link
// ends, and the heartbeat against a host that falls silent, on fake timers.

import { expect } from 'chai';
import type * as sinon from 'sinon';
import { DisconnectedError, RemoteError, type TsroError } from '../../src/errors';
import { NodeConnection, type NodeConnectionEvents } from '../../src/node/node-connection';
import type { SourceInfo } from '../../src/node/source-info';
import { Peer } from '../../src/protocol/peer';
import { decodeValues, encodeValue } from '../../src/protocol/value-codec';
import { systemTimers } from '../../src/util/timers';
import { within } from '../support/fixtures';
import { channelPair, fakeClock, FrameRecorder } from '../support/links';

class Events implements NodeConnectionEvents {
  readonly offered: SourceInfo[][] = [];
  readonly withdrawn: SourceInfo[] = [];
  closed: TsroError | undefined | null = null;
  sourcesOffered(_c: NodeConnection, sources: readonly SourceInfo[]): void {
    this.offered.push([...sources]);
  }
  sourceWithdrawn(_c: NodeConnection, source: SourceInfo): void {
    this.withdrawn.push(source);
  }
  connectionClosed(_c: NodeConnection, error: TsroError | undefined): void {
    this.closed = error;
  }
  readonly refused: [SourceInfo, TsroError][] = [];
  acquireRefused(_c: NodeConnection, source: SourceInfo, error: TsroError): void {
    this.refused.push([source, error]);
  }
}

const PRINTER = { id: 4, name: 'Printer', typeName: 'Printer', signature: 'sig' };

/** A connection whose host is played by `host`; resolves once it is ready. */
async function connected(heartbeatInterval = 0): Promise<{ conn: NodeConnection; host: FrameRecorder; events: Events }> {
  const [x, y] = channelPair();
  const host = new FrameRecorder(y);
  const events = new Events();
  const peer = new Peer(x, 'host', 1 << 20);
  const conn = new NodeConnection('mem://host', peer, events, systemTimers, heartbeatInterval);
  peer.start();
  await host.next('handshake');
  host.handshake();
  host.send({ sourceList: { sources: [PRINTER] } });
  await within(conn.ready, 2000, 'the connection to be ready');
  return { conn, host, events };
}

describe('NodeConnection (in memory)', () => {
  it('is ready once the source list is in, and reports offers as they come and go', async () => {
    const { conn, host, events } = await connected();
    expect(events.offered).to.deep.equal([[PRINTER]]);
    expect([...conn.offers.values()]).to.deep.equal([PRINTER]);
    host.send({ sourceAdded: { source: { id: 5, name: 'Tray', typeName: 'Tray', signature: 't', child: true } } });
    host.send({ sourceRemoved: { source: 4 } });
    host.send({ ping: { nonce: 1 } }); // a barrier: the node answers in order
    await host.next('pong');
    expect(events.offered[1]).to.deep.equal([{ id: 5, name: 'Tray', typeName: 'Tray', signature: 't', child: true }]);
    expect(events.withdrawn).to.deep.equal([PRINTER]);
    conn.close();
    await conn.ended;
  });

  it('settles a call with the reply of its serial: a value, a remote error, a refusal', async () => {
    const { conn, host } = await connected();
    const first = conn.invoke(4, 2, ['doc', 3], 'print', 'Printer');
    const second = conn.invoke(4, 2, ['doc'], 'print', 'Printer');
    const third = conn.invoke(4, 0, [], 'reset', 'Printer');
    const a = (await host.next('invoke')).invoke!;
    const b = (await host.next('invoke')).invoke!;
    const c = (await host.next('invoke')).invoke!;
    expect([a.source, a.index, decodeValues(a.args)]).to.deep.equal([4, 2, ['doc', 3]]);
    expect(new Set([a.serial, b.serial, c.serial]).size).to.equal(3);
    // Out of order: each reply finds its own call.
    host.send({ reply: { serial: c.serial, error: { code: 'ARGUMENT_COUNT', name: 'UsageError', message: 'takes 1' } } });
    host.send({ reply: { serial: b.serial, error: { code: 'REMOTE', name: 'TypeError', message: 'jammed' } } });
    host.send({ reply: { serial: a.serial, value: encodeValue(42, 'v') } });
    expect(await first).to.equal(42);
    const remote = await second.then(() => expect.fail('resolved'), (e: unknown) => e as RemoteError);
    expect(remote).to.be.instanceOf(RemoteError);
    expect([remote.remoteName, remote.remoteMessage, remote.remoteCode]).to.deep.equal(['TypeError', 'jammed', undefined]);
    const refused = await third.then(() => expect.fail('resolved'), (e: unknown) => e as RemoteError);
    expect(refused.remoteCode).to.equal('ARGUMENT_COUNT');
    conn.close();
    await conn.ended;
  });

  it('rejects every pending call and withdraws every offer when the host hangs up', async () => {
    const { conn, host, events } = await connected();
    const call = conn.invoke(4, 1, [], 'print', 'Printer');
    const set = conn.setProperty(4, 0, encodeValue(5, 'v'), 'setting property "ink"');
    await host.next('invoke');
    await host.next('setProperty');
    host.channel.close();
    const errors = await Promise.all([call, set].map((p) => p.then(() => expect.fail('resolved'), (e: unknown) => e as Error)));
    for (const e of errors) expect(e).to.be.instanceOf(DisconnectedError).with.property('code', 'DISCONNECTED');
    expect(errors[0]!.message).to.match(/slot "print" of "Printer" got no reply/);
    await conn.ended;
    expect(events.withdrawn).to.deep.equal([PRINTER]);
    expect(events.closed).to.be.instanceOf(DisconnectedError);
    // A call after the end is refused at once.
    const late = await conn.invoke(4, 1, [], 'print', 'Printer').then(() => expect.fail('resolved'), (e: unknown) => e as Error);
    expect(late).to.be.instanceOf(DisconnectedError);
  });

  describe('heartbeat (fake timers)', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => (clock = fakeClock()));
    afterEach(() => clock.restore());

    it('pings a quiet host, and takes one silent for two intervals for lost', async () => {
      const { conn, host, events } = await connected(1000);
      await clock.tickAsync(600);
      expect((await host.next('ping')).kind).to.equal('ping');
      host.send({ pong: { nonce: 1 } }); // a sign of life resets the count
      await clock.tickAsync(1500); // 2100 ms since the source list, under 2 intervals since the pong
      expect(events.closed).to.equal(null);
      expect(conn.isOpen).to.equal(true);
      await clock.tickAsync(1000);
      await within(conn.ended, 2000, 'the connection to end');
      expect(events.closed).to.be.instanceOf(DisconnectedError);
      expect(events.closed!.message).to.match(/did not answer for \d+ ms \(heartbeat interval 1000 ms\)/);
    });

    it('never pings a host that keeps talking', async () => {
      const { conn, host } = await connected(1000);
      for (let i = 0; i < 10; i++) {
        host.send({ sourceAdded: { source: { id: 10 + i, name: `S${i}`, typeName: 'S', signature: 's' } } });
        await clock.tickAsync(300);
      }
      expect(host.packets.filter((p) => p.kind === 'ping')).to.deep.equal([]);
      expect(conn.isOpen).to.equal(true);
      conn.close();
      await conn.ended;
    });
  });
});
