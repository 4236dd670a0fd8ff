// A fast source and a slow replica over real loopback sockets. The slow one is a raw client
// whose socket is paused (it reads nothing until resumed), so every packet it finally receives
// can be checked in order against what the source did; the fast one is a real replica that the
// source waits for after each change, so it must see every value. Checked: no disconnect, the
// slow replica ends on the final value, every signal and reply arrives in order, at every
// signal and reply the properties are exactly what the source had when it sent it, changes are
// counted when coalesced, and the host's pressure event and drained() fire and clear. Past
// maxBufferedBytes (signals, which never coalesce) the connection still closes. Fan-out: every
// connection gets the same bytes.

import { once } from 'node:events';
import { expect } from 'chai';
import { Host, Property, RemoteObjectType, Signal, Slot, type PressureChange, type Replica } from '../../src/index';
import { decodeValue } from '../../src/protocol/value-codec';
import type { Timers } from '../../src/util/timers';
import { within } from '../support/fixtures';
import { hostParts } from '../../src/host/host';
import { turn, WAIT_MS, World, type RawClient } from '../support/e2e';
import { worldPerTest } from '../support/world-fixture';

@RemoteObjectType('Feed')
class Feed {
  @Property({ type: 'string' }) text = '';
  @Property({ type: 'int32' }) count = 0;
  @Signal({ params: ['int32'] }) mark(_n: number): void {}
  /** What the source did, in order: the state each signal and reply was sent with. */
  readonly log: { kind: 'mark' | 'reply'; n: number; text: number; count: number }[] = [];
  /** The number of the last change. */
  next = 0;
  /** A change of both properties, then a reply (from a slot of a slow replica). */
  @Slot({ returns: 'int32' }) stamp(): number {
    const n = ++this.next;
    this.set(n);
    this.log.push({ kind: 'reply', n, text: n, count: n });
    return n;
  }
  bump(size: number): number {
    this.set(++this.next, size);
    return this.next;
  }
  set(n: number, size = 0): void {
    this.text = `${n}:`.padEnd(size, '.');
    this.count = n;
  }
  emitMark(n: number): void {
    this.log.push({ kind: 'mark', n, text: indexOf(this.text), count: this.count });
    this.mark(n);
  }
}

function indexOf(text: string): number {
  return Number(text.slice(0, text.indexOf(':')));
}

const KiB = 1024;

/** A raw client that acquired Feed and stopped reading; its packets after Init, in order. */
async function slowReader(w: World, host: Host): Promise<{ raw: RawClient; source: number; after: number }> {
  const raw = await w.raw(host.hostUrl);
  const list = await raw.handshake();
  const source = list.sourceList!.sources!.find((s) => s.name === 'Feed')!.id!;
  raw.sendPacket({ acquire: { source } });
  await raw.packet('init');
  raw.socket.pause();
  return { raw, source, after: raw.packets.length };
}

/** Resolves once `seen()` holds, checking after every chunk the raw client receives. */
async function until(raw: RawClient, seen: () => boolean, what: string): Promise<void> {
  while (!seen()) await within(once(raw.socket, 'data'), WAIT_MS, what);
}

/** Resolves once the raw client has received a change of `text` to the value numbered `n`. */
function reaches(raw: RawClient, n: number): Promise<void> {
  return until(
    raw,
    () => raw.packets.some((p) => p.kind === 'propertyChange' && p.propertyChange!.index === 0 && indexOf(decodeValue(p.propertyChange!.value!) as string) === n),
    `text ${n} to arrive`,
  );
}

describe('host: a slow replica under pressure', function () {
  this.timeout(60_000);
  const w = worldPerTest();

  it('coalesces its property changes; signals and replies arrive, in order, each with the state it was sent with', async () => {
    const host = await w.host('tcp://127.0.0.1:0', { pressureThreshold: 64 * KiB, maxBufferedBytes: 4 * 1024 * KiB });
    const feed = new Feed();
    host.enableRemoting(feed);
    const events: PressureChange[] = [];
    host.on('pressure', (e) => events.push(e));

    const fastNode = await w.connectedNode(host);
    const fast: Replica<Feed> = fastNode.acquire(Feed);
    expect(await fast.waitForSource(WAIT_MS)).to.equal(true);
    const fastSeen: number[] = [];
    fast.on('textChanged', (t: string) => fastSeen.push(indexOf(t)));
    const slow = await slowReader(w, host);

    let n = 0;
    let changes = 0;
    let stamped = false;
    // One change of both properties per turn, and a mark every third; the source waits for the
    // fast replica each time, so the fast one is never behind.
    const step = async (): Promise<void> => {
      n = feed.next + 1;
      const fastGot = new Promise<void>((resolve) => {
        const check = (t: string): void => {
          if (indexOf(t) !== n) return;
          fast.off('textChanged', check);
          resolve();
        };
        fast.on('textChanged', check);
      });
      feed.bump(16 * KiB);
      changes += 2;
      if (n % 3 === 0) feed.emitMark(n);
      await within(fastGot, WAIT_MS, `the fast replica to see ${n}`);
    };
    // Until the kernel's buffers are full and the slow connection goes under pressure...
    while (host.pressuredConnections === 0) {
      if (n > 5000) expect.fail('the slow connection never went under pressure');
      await step();
    }
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ pressured: true, connections: 1 });
    expect(events[0]!.unsentBytes).to.be.above(64 * KiB);
    let drained = false;
    const draining = host.drained().then((d) => (drained = d));
    // ...then 60 more, with a call from the slow replica in the middle (its socket still sends).
    for (let i = 0; i < 30; i++) await step();
    slow.raw.sendPacket({ invoke: { source: slow.source, index: 0, serial: 7, args: [] } });
    for (let i = 0; !stamped; i++) {
      if (i > 10_000) expect.fail('the call never ran');
      stamped = feed.log.at(-1)?.kind === 'reply';
      await turn();
    }
    changes += 2;
    for (let i = 0; i < 30; i++) await step();
    expect(drained).to.equal(false);
    expect(host.coalescedChanges).to.be.above(0);

    slow.raw.socket.resume();
    await reaches(slow.raw, n);
    expect(await within(draining, WAIT_MS, 'drained()')).to.equal(true);
    expect(events.at(-1)).to.include({ pressured: false, connections: 0 });
    expect(host.pressuredConnections).to.equal(0);
    expect(slow.raw.isOpen, 'no disconnect').to.equal(true);
    expect(fastSeen, 'the fast replica saw every value').to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
    expect(n).to.equal(feed.next);

    // Replay what the slow one received against what the source did.
    const got = slow.raw.packets.slice(slow.after);
    let text = -1;
    let count = -1;
    let received = 0;
    const expected = feed.log.slice();
    for (const p of got) {
      if (p.kind === 'propertyChange') {
        const c = p.propertyChange!;
        const v = decodeValue(c.value!);
        received++;
        if (c.index === 0) {
          expect(indexOf(v as string), 'text changes go forward').to.be.above(text);
          text = indexOf(v as string);
        } else {
          expect(v as number, 'count changes go forward').to.be.above(count);
          count = v as number;
        }
      } else if (p.kind === 'signal' || p.kind === 'reply') {
        const want = expected.shift();
        expect(want, `an unexpected ${p.kind}`).to.not.equal(undefined);
        const n2 = p.kind === 'reply' ? (decodeValue(p.reply!.value!) as number) : (decodeValue(p.signal!.args![0]!) as number);
        expect({ kind: p.kind === 'reply' ? 'reply' : 'mark', n: n2, text, count }, 'the state at a signal or reply').to.deep.equal(want);
      }
    }
    expect(expected, 'every signal and reply arrived').to.deep.equal([]);
    expect({ text, count }, 'the final state').to.deep.equal({ text: n, count: n });
    // Nothing lost but what was coalesced (the fast connection coalesced nothing).
    expect(received + host.coalescedChanges).to.equal(changes);
  });

  it('never closes a slow replica over large property values alone; past maxBufferedBytes, signals still close it', async () => {
    const host = await w.host('tcp://127.0.0.1:0', { pressureThreshold: 64 * KiB, maxBufferedBytes: 2 * 1024 * KiB });
    const feed = new Feed();
    host.enableRemoting(feed);
    const slow = await slowReader(w, host);
    // 256 KiB values, 200 of them (50 MiB): far past maxBufferedBytes if they queued.
    for (let n = 1; n <= 200; n++) {
      feed.bump(256 * KiB);
      await turn();
    }
    expect(hostParts(host).listener.size, 'still connected').to.equal(1);
    expect(host.pressuredConnections).to.equal(1);
    slow.raw.socket.resume();
    await reaches(slow.raw, 200);
    expect(await within(host.drained(), WAIT_MS, 'drained()')).to.equal(true);
    expect(host.coalescedChanges).to.be.above(0);

    // Signals are never dropped: they grow the queue until the hard limit closes the connection.
    slow.raw.socket.pause();
    const listener = hostParts(host).listener;
    for (let i = 0; i < 2000 && listener.size > 0; i++) {
      feed.text = `${i}:`.padEnd(64 * KiB, 's');
      feed.mark(i);
      await turn();
    }
    await within(w.hostLog.waitFor(/reads too slowly/), WAIT_MS, 'the hard limit');
    expect(listener.size).to.equal(0);
    slow.raw.socket.resume(); // sees the end
    await slow.raw.whenClosed();
    expect(host.pressuredConnections, 'a closed connection is no longer under pressure').to.equal(0);
  });

  it('coalesces a burst of small changes in one turn once it passes the threshold (and only then)', async () => {
    const host = await w.host('tcp://127.0.0.1:0', { pressureThreshold: 64 * KiB });
    const feed = new Feed();
    host.enableRemoting(feed);
    const slow = await slowReader(w, host);
    // 100 000 changes of `count` in one turn: about 1 MB of frames, far over 64 KiB.
    for (let n = 1; n <= 100_000; n++) feed.count = n;
    expect(host.pressuredConnections).to.equal(1);
    const coalesced = host.coalescedChanges;
    // The frames under the threshold went out as they were; from there on one pending change
    // of `count` was replaced by every later one.
    expect(coalesced).to.be.above(100_000 - 64 * KiB / 4);
    expect(coalesced).to.be.below(100_000 - 64 * KiB / 16);
    feed.text = 'last:';
    slow.raw.socket.resume();
    await within(host.drained(), WAIT_MS, 'drained()');
    await until(slow.raw, () => slow.raw.packets.some((p) => p.kind === 'propertyChange' && p.propertyChange!.index === 0), 'the change of text');
    const counts = slow.raw.packets.slice(slow.after).flatMap((p) => (p.kind === 'propertyChange' && p.propertyChange!.index === 1 ? [decodeValue(p.propertyChange!.value!) as number] : []));
    expect(counts.length + coalesced).to.equal(100_000);
    expect(counts.at(-1)).to.equal(100_000);
    expect(counts).to.deep.equal([...counts].sort((a, b) => a - b));
  });

  it('drained() resolves false when its timeout passes under pressure, and at once when nothing is pressed', async () => {
    const due: { at: number; fn: () => void }[] = [];
    let now = 0;
    const timers: Timers = {
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn };
        due.push(t);
        return t;
      },
      clearTimeout: (h) => {
        const i = due.indexOf(h as (typeof due)[number]);
        if (i >= 0) due.splice(i, 1);
      },
      now: () => now,
    };
    const host = await w.host('tcp://127.0.0.1:0', { pressureThreshold: 64 * KiB, timers, idleTimeout: 0, handshakeTimeout: 0 });
    expect(await host.drained(1000)).to.equal(true);
    const feed = new Feed();
    host.enableRemoting(feed);
    const slow = await slowReader(w, host);
    for (let n = 1; host.pressuredConnections === 0; n++) {
      if (n > 2000) expect.fail('never under pressure');
      feed.bump(64 * KiB);
      await turn();
    }
    let result: boolean | undefined;
    const waiting = host.drained({ timeout: 1000 }).then((d) => (result = d));
    now = 999;
    for (const t of due.filter((d) => d.at <= now)) t.fn();
    await turn();
    expect(result).to.equal(undefined);
    now = 1000;
    for (const t of due.filter((d) => d.at <= now)) t.fn();
    expect(await within(waiting, WAIT_MS, 'drained(1000)')).to.equal(false);
    const ac = new AbortController();
    const aborted = host.drained({ signal: ac.signal });
    ac.abort();
    const err = await aborted.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'CANCELLED');
    slow.raw.destroy();
  });

  it('fans out the same bytes to every connection', async () => {
    const host = await w.host();
    const feed = new Feed();
    host.enableRemoting(feed);
    const streams: Buffer[][] = [];
    const raws: RawClient[] = [];
    for (let i = 0; i < 3; i++) {
      const raw = await w.raw(host.hostUrl);
      const bytes: Buffer[] = [];
      raw.socket.on('data', (c: Buffer) => bytes.push(c));
      streams.push(bytes);
      const list = await raw.handshake();
      raw.sendPacket({ acquire: { source: list.sourceList!.sources!.find((s) => s.name === 'Feed')!.id! } });
      await raw.packet('init');
      raws.push(raw);
    }
    for (let n = 1; n <= 50; n++) {
      feed.bump(n % 10 === 0 ? 40 * KiB : 10); // large ones are referred to, small ones laid down once
      if (n % 7 === 0) feed.emitMark(n);
      if (n % 5 === 0) await turn();
    }
    for (const raw of raws) await reaches(raw, 50);
    const all = streams.map((s) => Buffer.concat(s));
    expect(all[0]!.length).to.be.above(200 * KiB);
    expect(all[1]!.equals(all[0]!)).to.equal(true);
    expect(all[2]!.equals(all[0]!)).to.equal(true);
  });
});
