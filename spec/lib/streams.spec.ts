// Stream slots over real sockets (tcp and local): items in order, through typed and dynamic
// replicas; flow control (a slow consumer pauses the producer, measured on the host: never more
// than 1024 items or 2 MiB ahead); break, abort and timeout ending the generator at the source
// (its finally runs); errors thrown by the generator; the connection going away.

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { RemoteError, RemoteObjectType, Slot, currentCall, type Host, type Node, type Replica, type DynamicReplica } from '../../src/index';
import { transports, within } from '../support/fixtures';
import { World, WAIT_MS, expectTsro, rejectionOf } from '../support/e2e';
import { fakeClock, type FakeClock } from '../support/worker';

/** Resolves after the current I/O phase: a slow consumer's pause (not a sleep: no time passes). */
function nextIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

@RemoteObjectType('Ticker')
class Ticker extends EventEmitter {
  /** Items the generators have produced, and the consumer has taken (same process: the test tells). */
  produced = 0;
  taken = 0;
  /** The most items produced and not yet taken, seen by the producer before each item. */
  maxAhead = 0;
  finallyRan = 0;
  /** Set while a generator waits (endless, slow) for the test to let it go on. */
  private release: (() => void) | undefined;

  private produce(): void {
    this.produced++;
    this.maxAhead = Math.max(this.maxAhead, this.produced - this.taken);
  }

  private ended(): void {
    this.finallyRan++;
    this.emit('finally');
  }

  @Slot({ returns: { stream: 'int32' } })
  async *ticks(n: number): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) {
        this.produce();
        yield i;
      }
    } finally {
      this.ended();
    }
  }

  @Slot({ returns: { stream: 'int32' } })
  async *endless(): AsyncGenerator<number> {
    try {
      for (let i = 0; ; i++) {
        this.produce();
        yield i;
      }
    } finally {
      this.ended();
    }
  }

  @Slot({ params: ['int32', 'int32'], returns: { stream: 'bytes' } })
  async *blobs(n: number, size: number): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < n; i++) {
        this.produce();
        yield new Uint8Array(size).fill(i & 0xff);
      }
    } finally {
      this.ended();
    }
  }

  /** One item, then waits until its caller gives up (its signal) or the test lets it end. */
  @Slot({ returns: { stream: 'string' } })
  async *slow(): AsyncGenerator<string> {
    const { signal } = currentCall()!;
    try {
      yield 'first';
      await new Promise<void>((resolve) => {
        this.release = resolve;
        signal.addEventListener('abort', () => resolve());
        this.emit('waiting');
      });
      if (!signal.aborted) yield 'second';
    } finally {
      this.ended();
    }
  }

  @Slot({ params: ['int32'], returns: { stream: 'int32' } })
  async *failing(after: number): AsyncGenerator<number> {
    for (let i = 0; i < after; i++) yield i;
    throw Object.assign(new RangeError('boom'), { sensorId: 7 });
  }

  @Slot({ returns: { stream: 'int32' } })
  async *wrongType(): AsyncGenerator<unknown> {
    try {
      yield 1;
      yield 'not an int';
      yield 3;
    } finally {
      this.ended();
    }
  }

  @Slot({ returns: { stream: 'int32' } })
  notIterable(): number {
    return 5;
  }

  letGo(): void {
    this.release?.();
  }
}

for (const t of transports()) {
  describe(`streams (${t.name})`, () => {
    let w: World;
    let host: Host;
    let node: Node;
    let ticker: Ticker;
    let r: Replica<Ticker>;
    let dyn: DynamicReplica;
    let clock: FakeClock;

    beforeEach(async () => {
      w = new World();
      clock = fakeClock();
      ticker = new Ticker();
      host = await w.host(t.url());
      host.enableRemoting(ticker);
      node = await w.connectedNode(host, { timers: clock.timers });
      r = node.acquire(Ticker);
      dyn = node.acquireDynamic('Ticker');
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
    });
    afterEach(() => w.close());

    /** Takes every item of `stream`, counting them as taken on the (same-process) source. */
    async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
      const out: T[] = [];
      for await (const x of stream) {
        ticker.taken++;
        out.push(x);
      }
      return out;
    }

    it('delivers every item in order, past the window (typed and dynamic)', async () => {
      const n = 5000;
      const items = await within(collect(r.ticks(n)), WAIT_MS, 'the stream');
      expect(items).to.have.length(n);
      expect(items.every((x, i) => x === i)).to.equal(true);
      await within(new Promise((resolve) => (ticker.finallyRan > 0 ? resolve(null) : ticker.once('finally', resolve))), WAIT_MS);
      const viaDyn = await within(collect(dyn.invoke<AsyncIterable<number>>('ticks', 3)), WAIT_MS, 'the dynamic stream');
      expect(viaDyn).to.deep.equal([0, 1, 2]);
      expect(await r.ticks(0).next()).to.deep.equal({ value: undefined, done: true });
    });

    it('break ends the generator at the source: its finally runs, and the connection goes on', async () => {
      const finished = new Promise((resolve) => ticker.once('finally', resolve));
      let seen = 0;
      for await (const x of r.endless()) {
        expect(x).to.equal(seen);
        ticker.taken++;
        if (++seen === 10) break;
      }
      await within(finished, WAIT_MS, 'the generator\'s finally');
      expect(ticker.produced).to.be.at.most(10 + 1024);
      expect(await collect(r.ticks(2))).to.deep.equal([0, 1]);
    });

    it('a slow consumer pauses the producer: never more than 1024 items ahead, measured on the host', async () => {
      const stream = r.endless();
      for (let i = 0; i < 3000; i++) {
        const { value } = await stream.next();
        expect(value).to.equal(i);
        ticker.taken++;
        if (i % 8 === 0) await nextIo(); // slower than the producer
      }
      await stream.return!();
      expect(ticker.maxAhead, 'most items ahead of the consumer').to.be.at.most(1024);
      expect(ticker.maxAhead, 'the window was used, not lock-step').to.be.at.least(1000);
    });

    it('the byte window: 64 KiB items never run more than 2 MiB ahead', async () => {
      const stream = r.blobs(200, 65536);
      let i = 0;
      for await (const b of stream) {
        expect(b.length).to.equal(65536);
        expect(b[0]).to.equal(i++ & 0xff);
        ticker.taken++;
        await nextIo();
      }
      expect(i).to.equal(200);
      expect(ticker.maxAhead).to.be.at.most(33); // 2 MiB / 64 KiB = 32, and the item that crossed it
      expect(ticker.maxAhead).to.be.at.least(30);
    });

    it('a generator\'s error arrives as RemoteError after the items before it, with its data', async () => {
      const got: number[] = [];
      const err = await rejectionOf(
        (async () => {
          for await (const x of r.failing(3)) got.push(x);
        })(),
      );
      expect(got).to.deep.equal([0, 1, 2]);
      expect(err).to.be.instanceOf(RemoteError);
      expect((err as RemoteError).remoteName).to.equal('RangeError');
      expect((err as RemoteError).remoteMessage).to.equal('boom');
      expect((err as RemoteError).remoteData).to.deep.equal({ sensorId: 7 });
    });

    it('an item that does not fit the declared type ends the stream with TYPE_MISMATCH; the generator\'s finally runs', async () => {
      const finished = new Promise((resolve) => ticker.once('finally', resolve));
      const got: unknown[] = [];
      const err = await rejectionOf(
        (async () => {
          for await (const x of r.wrongType()) got.push(x);
        })(),
      );
      expect(got).to.deep.equal([1]);
      expect((err as RemoteError).remoteCode).to.equal('TYPE_MISMATCH');
      await within(finished, WAIT_MS);
    });

    it('a stream slot that returns no iterable rejects the first next() with TYPE_MISMATCH', async () => {
      const err = await rejectionOf((r.notIterable() as unknown as AsyncIterator<number>).next());
      expect((err as RemoteError).remoteCode).to.equal('TYPE_MISMATCH');
    });

    it('abort ends the stream with CANCELLED and the generator at the source', async () => {
      const ac = new AbortController();
      const waiting = new Promise((resolve) => ticker.once('waiting', resolve));
      const stream = r.withCallOptions({ signal: ac.signal }).slow();
      expect(await stream.next()).to.deep.equal({ value: 'first', done: false });
      const next = rejectionOf(stream.next());
      await within(waiting, WAIT_MS);
      const finished = new Promise((resolve) => ticker.once('finally', resolve));
      ac.abort('stop');
      const err = await next;
      expectTsro(err, 'CANCELLED');
      expect(err.cause).to.equal('stop');
      await within(finished, WAIT_MS, 'the generator\'s finally');
    });

    it('a timeout bounds the whole stream: TIMEOUT, and the generator ends at the source', async () => {
      const waiting = new Promise((resolve) => ticker.once('waiting', resolve));
      const stream = r.withCallOptions({ timeout: 1000 }).slow();
      expect(await stream.next()).to.deep.equal({ value: 'first', done: false });
      const next = rejectionOf(stream.next());
      await within(waiting, WAIT_MS);
      const finished = new Promise((resolve) => ticker.once('finally', resolve));
      await clock.tick(1000);
      expectTsro(await next, 'TIMEOUT');
      await within(finished, WAIT_MS, 'the generator\'s finally');
    });

    it('the node\'s callTimeout does not cut streams short', async () => {
      const n2 = await w.connectedNode(host, { timers: clock.timers, callTimeout: 100 });
      const r2 = n2.acquire(Ticker);
      expect(await r2.waitForSource(WAIT_MS)).to.equal(true);
      const waiting = new Promise((resolve) => ticker.once('waiting', resolve));
      const stream = r2.slow();
      expect((await stream.next()).value).to.equal('first');
      const next = stream.next();
      await within(waiting, WAIT_MS);
      await clock.tick(10_000);
      ticker.letGo();
      expect(await within(next, WAIT_MS)).to.deep.equal({ value: 'second', done: false });
      expect(await stream.next()).to.deep.equal({ value: undefined, done: true });
    });

    it('losing the connection ends the stream with DISCONNECTED, and the generator at the source', async () => {
      const waiting = new Promise((resolve) => ticker.once('waiting', resolve));
      const stream = r.slow();
      expect((await stream.next()).value).to.equal('first');
      const next = rejectionOf(stream.next());
      await within(waiting, WAIT_MS);
      const finished = new Promise((resolve) => ticker.once('finally', resolve));
      await host.close();
      expectTsro(await next, 'DISCONNECTED');
      await within(finished, WAIT_MS, 'the generator\'s finally');
    });

    it('nothing is sent until the first next(); return() before it sends nothing', async () => {
      const stream = r.ticks(5);
      await stream.return!();
      expect(await r.ticks(1).next()).to.deep.equal({ value: 0, done: false });
      expect(ticker.produced).to.equal(1);
    });

    it('arguments are checked at the call; a replica that is not valid rejects the first next()', async () => {
      expectTsro(await rejectionOf((r.ticks as unknown as (n: string) => AsyncIterator<number>)('x').next()), 'TYPE_MISMATCH');
      r.release();
      expectTsro(await rejectionOf(r.ticks(1).next()), 'NOT_VALID');
    });
  });
}
