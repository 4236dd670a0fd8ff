// Finding 6: a slot that never settles leaves its callers pending; 1024 such calls lock that
// connection out of every slot. Whatever bounds stuck calls themselves (timeouts, cancellation),
// a connection whose calls are all stuck must still be served for everything else: property
// sets, acquires, pings, and a refusal (not silence) for the next call.

import { expect } from 'chai';
import { decodeValue } from '../../src/protocol/value-codec';
import { World } from '../support/e2e';
import { strictHost } from '../support/strict-child';
import { worldPerTest } from '../support/world-fixture';

describe('hardening: stuck slot calls do not stall the rest of a connection', function () {
  this.timeout(60_000);

  const w = worldPerTest();

  it('with every in-flight slot stuck, sets, acquires and pings are answered; one more call is refused', async () => {
    const host = await strictHost(w, { sources: ['Printer', 'Hostile'], options: { maxInFlightCalls: 64 } });
    const raw = await w.raw(host.url);
    const list = await raw.handshake();
    const id = list.sourceList!.sources!.find((s) => s.name === 'Hostile')!.id!;
    const stuck = 5; // Hostile's slots: sized, sizedLater, failLong, throwLong, stuck
    const calls = Buffer.concat(
      Array.from({ length: 64 }, (_, i) => {
        const body = Buffer.from([0x12, 0x06, 0x08, id, 0x10, stuck - 1, 0x18, i + 1]);
        return Buffer.concat([Buffer.from([body.length]), body]);
      }),
    );
    raw.send(calls);
    // The 65th call: refused at once with LIMIT_EXCEEDED, the slot not run.
    raw.sendPacket({ invoke: { source: id, index: 0, serial: 100, args: [{ int: 3 }] } });
    const refused = await raw.packet('reply');
    expect(refused.reply!.serial).to.equal(100);
    expect(refused.reply!.error!.code).to.equal('LIMIT_EXCEEDED');
    // A property set, an acquire and a ping on the same connection are all served.
    raw.sendPacket({ setProperty: { source: id, index: 0, value: { string: 'still here' }, serial: 101 } });
    raw.sendPacket({ acquire: { source: id } });
    const init = await raw.packet('init');
    expect(decodeValue(init.init!.values![0])).to.equal('still here');
    await raw.roundTrip(7);
    const setReply = raw.packets.find((p) => p.kind === 'reply' && p.reply!.serial === 101);
    expect(setReply?.reply?.error ?? null, 'the set was applied').to.equal(null);
    // No stuck call was answered, and the other connections are served.
    expect(raw.packets.filter((p) => p.kind === 'reply').map((p) => p.reply!.serial).sort()).to.deep.equal([100, 101]);
    await host.expectServing();
  });
});

describe('hardening: idle peers are dropped (idleTimeout)', function () {
  this.timeout(60_000);

  const w = worldPerTest();

  // Admitted peers that hold nothing and say nothing could keep a host at maxConnections
  // forever: maxConnections sockets that only sit there locked everyone else out.
  it('an admitted raw peer that holds nothing and says nothing is closed with a Goodbye TIMEOUT; one holding a source stays', async () => {
    const host = await strictHost(w, { options: { idleTimeout: 300 } });
    const holder = await w.raw(host.url);
    const list = await holder.handshake();
    holder.sendPacket({ acquire: { source: list.sourceList!.sources!.find((s) => s.name === 'Printer')!.id! } });
    await holder.packet('init');
    const idle = await w.raw(host.url);
    await idle.handshake();
    await idle.whenClosed(5000);
    expect(idle.packets.find((p) => p.kind === 'goodbye')?.goodbye?.error?.code).to.equal('TIMEOUT');
    expect(holder.isOpen, 'the peer holding a subscription is still connected').to.equal(true);
    expect(host.logs.some((l) => /idle for 300 ms/.test(l.message))).to.equal(true);
    await host.expectServing();
  });
});
