// Calls under the caller's control, over real sockets (tcp and local): per-node and per-call
// timeouts, AbortSignals (aborted before and during a call), what the running slot sees
// (currentCall().signal, also after an await), that calls given up free the connection's
// in-flight limit at once, and that slots ignoring their signal are bounded host-wide.
// The node's clock is a fake one: a timeout passes when the test says so.

import { expect } from 'chai';
import {
  CancelledError,
  RemoteError,
  TimeoutError,
  currentCall,
  type Host,
  type Node,
  type Replica,
  type DynamicReplica,
} from '../../src/index';
import { transports } from '../support/fixtures';
import { World, WAIT_MS, expectTsro, rejectionOf } from '../support/e2e';
import { Worker, fakeClock, type FakeClock } from '../support/worker';
import { hostParts } from '../../src/host/host';

/** Host-side count of slots running after their callers gave up (internal). */
function abandonedCount(host: Host): number {
  return hostParts(host).listener.abandoned.count;
}

for (const t of transports()) {
  describe(`calls under the caller's control (${t.name})`, () => {
    let w: World;
    let host: Host;
    let worker: Worker;
    let clock: FakeClock;

    beforeEach(async () => {
      w = new World();
      worker = new Worker();
      clock = fakeClock();
    });
    afterEach(async () => {
      worker.finishIgnored();
      await w.close();
    });

    async function setUp(nodeOptions: { callTimeout?: number } = {}, hostOptions: { maxAbandonedCalls?: number; maxInFlightCalls?: number } = {}): Promise<{ node: Node; r: Replica<Worker>; dyn: DynamicReplica }> {
      host = await w.host(t.url(), hostOptions);
      host.enableRemoting(worker);
      const node = await w.connectedNode(host, { timers: clock.timers, ...nodeOptions });
      const r = node.acquire(Worker);
      const dyn = node.acquireDynamic('Worker');
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      return { node, r, dyn };
    }

    describe('timeouts', () => {
      it('a call past withCallOptions({ timeout }) rejects with TimeoutError; the slot\'s signal aborts with TIMEOUT', async () => {
        const { r } = await setUp();
        const call = rejectionOf(r.withCallOptions({ timeout: 200 }).honours());
        await worker.whenStarted(1);
        await clock.tick(199);
        expect(worker.abortReasons).to.deep.equal([]);
        await clock.tick(1);
        const err = await call;
        expect(err).to.be.instanceOf(TimeoutError);
        expectTsro(err, 'TIMEOUT');
        expect(err.message).to.include('honours').and.include('200 ms');
        await worker.whenEnded(1);
        expect(worker.abortReasons).to.have.length(1);
        expectTsro(worker.abortReasons[0], 'TIMEOUT');
        expect(abandonedCount(host)).to.equal(0);
      });

      it('the node\'s callTimeout bounds every call; a view\'s timeout overrides it, 0 meaning none', async () => {
        const { r, dyn } = await setUp({ callTimeout: 100 });
        const byNode = rejectionOf(r.honours());
        const unbounded = r.withCallOptions({ timeout: 0 }).honours();
        void unbounded.catch(() => {});
        const longer = rejectionOf(dyn.withCallOptions({ timeout: 300 }).invoke('honours'));
        await worker.whenStarted(3);
        await clock.tick(100);
        expectTsro(await byNode, 'TIMEOUT');
        await clock.tick(200);
        expectTsro(await longer, 'TIMEOUT');
        await worker.whenEnded(2);
        await clock.tick(1_000_000);
        expect(worker.ended).to.equal(2);
        // Still running: released by closing the node (its signal aborts with DISCONNECTED).
        expect(worker.started - worker.ended).to.equal(1);
      });

      it('a property set through a view times out too (and a set that is answered in time resolves)', async () => {
        const { dyn } = await setUp();
        await dyn.withCallOptions({ timeout: 500 }).set('level', 7);
        expect(worker.level).to.equal(7);
        expect(clock.pending, 'no timer left once the call settled').to.be.at.most(1);
      });

      it('a call answered in time resolves and leaves no timer behind', async () => {
        const { r } = await setUp({ callTimeout: 1000 });
        for (let i = 0; i < 50; i++) expect(await r.add(i, 1)).to.equal(i + 1);
        await clock.tick(1000);
        expect(clock.pending).to.equal(0);
      });
    });

    describe('abort signals', () => {
      it('an already aborted signal rejects with CANCELLED (cause: its reason) and sends nothing', async () => {
        const { r, dyn } = await setUp();
        const ac = new AbortController();
        const reason = new Error('user left');
        ac.abort(reason);
        const err = await rejectionOf(r.withCallOptions({ signal: ac.signal }).honours());
        expect(err).to.be.instanceOf(CancelledError);
        expectTsro(err, 'CANCELLED');
        expect(err.cause).to.equal(reason);
        expectTsro(await rejectionOf(dyn.withCallOptions({ signal: ac.signal }).invoke('honours')), 'CANCELLED');
        expectTsro(await rejectionOf(dyn.withCallOptions({ signal: ac.signal }).set('level', 3)), 'CANCELLED');
        expect(await r.add(1, 1)).to.equal(2); // a barrier: anything sent before it has arrived
        expect(worker.started).to.equal(0);
        expect(worker.level).to.equal(0);
      });

      it('aborting during a call rejects with CANCELLED at once; the slot sees the abort through currentCall().signal', async () => {
        const { dyn } = await setUp();
        const ac = new AbortController();
        const call = dyn.withCallOptions({ signal: ac.signal }).invoke('honours');
        await worker.whenStarted(1);
        ac.abort('changed my mind');
        const err = await rejectionOf(call);
        expectTsro(err, 'CANCELLED');
        expect(err.cause).to.equal('changed my mind');
        await worker.whenEnded(1);
        expectTsro(worker.abortReasons[0], 'CANCELLED');
      });

      it('currentCall() follows the slot across its awaits; undefined outside a remote call', async () => {
        const { r } = await setUp();
        expect(await r.afterAwait()).to.equal('Worker.afterAwait false');
        expect(currentCall()).to.equal(undefined);
      });

      it('the rejection carries the caller\'s own frames in its stack', async () => {
        const { r } = await setUp();
        async function theCallersOwnFunction(): Promise<unknown> {
          return await r.withCallOptions({ timeout: 50 }).honours();
        }
        const p = rejectionOf(theCallersOwnFunction());
        await worker.whenStarted(1);
        await clock.tick(50);
        const err = await p;
        expect(err.stack).to.include('theCallersOwnFunction');
      });
    });

    describe('the connection stays usable', () => {
      it('2000 calls timed out against a slot that honours its signal do not lock the connection', async function () {
        this.timeout(20_000);
        const { r } = await setUp({}, { maxInFlightCalls: 1024 });
        const view = r.withCallOptions({ timeout: 100 });
        for (let batch = 0; batch < 4; batch++) {
          const calls = Promise.allSettled(Array.from({ length: 500 }, () => view.honours()));
          await worker.whenStarted(500 * (batch + 1), 10_000);
          await clock.tick(100);
          const results = await calls;
          expect(results.every((x) => x.status === 'rejected' && (x.reason as TimeoutError).code === 'TIMEOUT')).to.equal(true);
          await worker.whenEnded(500 * (batch + 1), 10_000);
        }
        expect(await r.add(2, 3)).to.equal(5);
        expect(abandonedCount(host)).to.equal(0);
      });

      it('a slot that never settles and ignores its signal: the caller gets TIMEOUT, the host keeps it as abandoned until it ends', async () => {
        const { r } = await setUp();
        const call = rejectionOf(r.withCallOptions({ timeout: 100 }).ignores());
        await worker.whenStarted(1);
        await clock.tick(100);
        expectTsro(await call, 'TIMEOUT');
        expect(await r.add(1, 2)).to.equal(3); // the CancelCall is in: the host has seen it
        expect(worker.abortReasons).to.have.length(1);
        expectTsro(worker.abortReasons[0], 'TIMEOUT');
        expect(worker.ended).to.equal(0);
        expect(abandonedCount(host)).to.equal(1);
        worker.finishIgnored(42);
        await worker.whenEnded(1);
        // Its late result is dropped by the host: the connection is as good as before.
        expect(await r.add(3, 4)).to.equal(7);
        expect(abandonedCount(host)).to.equal(0);
      });

      it('1024 calls timed out against a slot that ignores its signal, then a call on the same connection succeeds', async function () {
        this.timeout(20_000);
        const { r } = await setUp({}, { maxInFlightCalls: 1024 });
        const view = r.withCallOptions({ timeout: 100 });
        const calls = Promise.allSettled(Array.from({ length: 1024 }, () => view.ignores()));
        await worker.whenStarted(1024, 10_000);
        await clock.tick(100);
        const results = await calls;
        expect(results.filter((x) => x.status === 'rejected' && (x.reason as TimeoutError).code === 'TIMEOUT')).to.have.length(1024);
        expect(await r.add(20, 22)).to.equal(42);
        expect(abandonedCount(host)).to.equal(1024);
        expect(worker.ended).to.equal(0);
      });

      it('past maxAbandonedCalls the host refuses new calls (LIMIT_EXCEEDED, logged) until abandoned slots end', async () => {
        const { r } = await setUp({}, { maxAbandonedCalls: 3 });
        const view = r.withCallOptions({ timeout: 100 });
        const calls = Promise.allSettled([view.ignores(), view.ignores(), view.ignores()]);
        await worker.whenStarted(3);
        await clock.tick(100);
        for (const c of await calls) expectTsro(c.status === 'rejected' ? c.reason : undefined, 'TIMEOUT');
        const refused = await rejectionOf(r.add(1, 1));
        expect(refused).to.be.instanceOf(RemoteError);
        expect((refused as RemoteError).remoteCode).to.equal('LIMIT_EXCEEDED');
        await w.hostLog.waitFor(/still running after their callers gave up/);
        worker.finishIgnored();
        await worker.whenEnded(3);
        expect(await r.add(1, 1)).to.equal(2);
      });

      it('a slot still running when its caller\'s connection closes sees its signal abort with DISCONNECTED', async () => {
        const { node, r } = await setUp();
        void r.honours().catch(() => {});
        await worker.whenStarted(1);
        await node.close();
        await worker.whenEnded(1);
        expectTsro(worker.abortReasons[0], 'DISCONNECTED');
      });
    });

    describe('checked options', () => {
      it('refuses a negative or non-number timeout and a signal that is not an AbortSignal', async () => {
        const { r } = await setUp();
        expect(() => r.withCallOptions({ timeout: -1 })).to.throw().with.property('code', 'TYPE_MISMATCH');
        expect(() => r.withCallOptions({ timeout: '5' as unknown as number })).to.throw().with.property('code', 'TYPE_MISMATCH');
        expect(() => r.withCallOptions({ signal: {} as AbortSignal })).to.throw().with.property('code', 'TYPE_MISMATCH');
      });

      it('a view shares its replica\'s state and events, and views compose', async () => {
        const { r } = await setUp();
        const view = r.withCallOptions({ timeout: 100 });
        expect(view.state).to.equal('valid');
        expect(view.level).to.equal(0);
        expect(view.name).to.equal('Worker');
        const ac = new AbortController();
        const both = view.withCallOptions({ signal: ac.signal });
        const call = both.honours();
        await worker.whenStarted(1);
        ac.abort();
        expectTsro(await rejectionOf(call), 'CANCELLED');
      });
    });
  });
}
