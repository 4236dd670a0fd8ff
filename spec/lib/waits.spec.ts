// Waits that wait: waitForSource / waitForRegistry with Infinity (and QtRO's -1), delays past
// what one setTimeout can hold (2^31-1 ms, which would fire at once), { timeout, signal }, and
// the node closing under a wait. The node's clock is a fake one.

import { expect } from 'chai';
import { RegistryHost } from '../../src/index';
import { transports, uniqueLocalUrl } from '../support/fixtures';
import { World, WAIT_MS, expectTsro, rejectionOf } from '../support/e2e';
import { Worker, fakeClock } from '../support/worker';

/** Resolves with whether `p` has settled after the promise callbacks queued now have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

for (const t of transports()) {
  describe(`waits (${t.name})`, () => {
    let w: World;
    beforeEach(() => (w = new World()));
    afterEach(() => w.close());

    it('waitForSource(Infinity) and (-1) wait past 2^31 ms, then resolve true when the source appears', async () => {
      const clock = fakeClock();
      const host = await w.host(t.url());
      const node = await w.connectedNode(host, { timers: clock.timers });
      const r = node.acquire(Worker);
      const forever = r.waitForSource(Infinity);
      const qt = r.waitForSource(-1);
      const long = r.waitForSource(2 ** 31 + 10);
      const opts = r.waitForSource({ timeout: Infinity });
      await clock.tick(2 ** 31 + 5);
      for (const p of [forever, qt, long, opts]) expect(await settled(p)).to.equal(false);
      host.enableRemoting(new Worker());
      expect(await forever).to.equal(true);
      expect(await qt).to.equal(true);
      expect(await long).to.equal(true);
      expect(await opts).to.equal(true);
    });

    it('a finite timeout past 2^31-1 ms still resolves false when it passes, not before', async () => {
      const clock = fakeClock();
      const host = await w.host(t.url());
      const node = await w.connectedNode(host, { timers: clock.timers });
      const r = node.acquire(Worker);
      const wait = r.waitForSource({ timeout: 2 ** 31 + 1000 });
      await clock.tick(2 ** 31);
      expect(await settled(wait)).to.equal(false);
      await clock.tick(1000);
      expect(await wait).to.equal(false);
    });

    it('{ signal } rejects the wait with CANCELLED (cause: its reason); an aborted one at once', async () => {
      const host = await w.host(t.url());
      const node = await w.connectedNode(host);
      const r = node.acquireDynamic('Nobody');
      const ac = new AbortController();
      const wait = rejectionOf(r.waitForSource({ timeout: Infinity, signal: ac.signal }));
      ac.abort('enough');
      const err = await wait;
      expectTsro(err, 'CANCELLED');
      expect(err.cause).to.equal('enough');
      expectTsro(await rejectionOf(r.waitForSource({ signal: ac.signal })), 'CANCELLED');
    });

    it('closing the node ends an endless wait with false; so does releasing the handle', async () => {
      const host = await w.host(t.url());
      const node = await w.connectedNode(host);
      const a = node.acquireDynamic('Nobody');
      const b = node.acquireDynamic('NobodyElse');
      const waitB = b.waitForSource(Infinity);
      b.release();
      expect(await waitB).to.equal(false);
      const waitA = a.waitForSource(Infinity);
      await node.close();
      expect(await waitA).to.equal(false);
    });

    it('waitForRegistry(Infinity) waits for a registry that comes up later (the node retrying all along)', async () => {
      const clock = fakeClock();
      const url = t.name === 'tcp' ? 'tcp://127.0.0.1:0' : uniqueLocalUrl('reg');
      // A tcp registry needs its port first: bind it, note the URL, close it, wait, bring it back.
      let registryUrl = url;
      if (t.name === 'tcp') {
        const probe = await w.host(url);
        registryUrl = probe.hostUrl;
        await probe.close();
      }
      const node = w.node({ timers: clock.timers, registryUrl });
      const wait = node.waitForRegistry(Infinity);
      const other = node.waitForRegistry({ timeout: Infinity });
      for (let i = 0; i < 12; i++) await clock.tick(5000); // a minute of backoff: a dozen failed attempts
      expect(await settled(wait)).to.equal(false);
      const registry = new RegistryHost(registryUrl, { logger: w.hostLog });
      w.defer(() => registry.close());
      await registry.listening;
      // The node retries on its (fake) backoff clock: let attempts run until it is in.
      const deadline = Date.now() + WAIT_MS;
      while (!(await settled(wait)) && Date.now() < deadline) await clock.tick(5000);
      expect(await wait).to.equal(true);
      expect(await other).to.equal(true);
    });

    it('waitForRegistry(Infinity) ends with false when the node closes', async () => {
      const node = w.node({ registryUrl: uniqueLocalUrl('noreg') });
      const wait = node.waitForRegistry(Infinity);
      await node.close();
      expect(await wait).to.equal(false);
    });
  });
}
