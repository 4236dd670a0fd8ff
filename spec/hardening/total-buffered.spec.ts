// Finding 4: no host-wide cap on unsent bytes. 100 admitted peers that acquire and stop reading,
// plus one peer setting a writable 1 MiB string again and again, took a host to 3.4 GB RSS (the
// per-connection limit, 32 MiB, times the peers). maxTotalBufferedBytes (default 256 MiB) bounds
// the total: the peers holding the most are disconnected first, logged. Measured on a host in
// its own process: its RSS stays within the setting.

import { expect } from 'chai';
import { Node } from '../../src/index';
import { WAIT_MS, World, type RawClient } from '../support/e2e';
import { within } from '../support/fixtures';
import { Hostile } from '../support/hostile';
import { strictHost } from '../support/strict-child';
import { worldPerTest } from '../support/world-fixture';

const MiB = 1024 * 1024;

describe('hardening: a host-wide bound on unsent bytes', function () {
  this.timeout(120_000);

  const w = worldPerTest();

  for (const [limit, peers, sets] of [
    [undefined, 100, 10], // the default, 256 MiB: 100 peers x 10 MiB would be ~1 GiB
    [32 * MiB, 20, 10], // a small setting: 20 peers x 10 MiB would be ~200 MiB
  ] as const) {
    const setting = limit === undefined ? 'the default 256 MiB' : `${limit / MiB} MiB`;
    it(`${peers} peers that stop reading hold at most ${setting} of the host's memory; the heaviest are dropped, logged`, async () => {
      const bound = limit ?? 256 * MiB;
      // Coalescing off: a stalled peer would otherwise hold one pending value of `text` (see
      // spec/host/pressure.spec.ts), and this is about what it holds when nothing coalesces.
      const noCoalescing = { pressureThreshold: 2 ** 40 };
      const host = await strictHost(w, {
        sources: ['Printer', 'Hostile'],
        options: limit === undefined ? noCoalescing : { ...noCoalescing, maxTotalBufferedBytes: limit },
      });
      const slow: RawClient[] = [];
      let id = 0;
      for (let i = 0; i < peers; i++) {
        const raw = await w.raw(host.url);
        const list = await raw.handshake();
        id = list.sourceList!.sources!.find((s) => s.name === 'Hostile')!.id!;
        raw.sendPacket({ acquire: { source: id } });
        await raw.packet('init');
        raw.socket.pause(); // reads nothing more
        slow.push(raw);
      }
      const before = await host.rss();
      const writer = new Node({ logger: w.nodeLog, reconnect: false });
      w.defer(() => writer.close());
      await writer.connectToNode(host.url);
      const r = writer.acquire(Hostile);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      for (let i = 0; i < sets; i++) {
        const changed = new Promise((resolve) => r.once('textChanged', resolve));
        r.text = String(i).repeat(MiB);
        await within(changed, 20_000, `set ${i + 1}`);
      }
      const after = await host.rss();
      const growth = after - before;
      if (process.env.TSRO_MEMORY_REPORT) console.log(`  RSS growth with ${peers} stalled peers (${setting}): ${(growth / MiB).toFixed(0)} MiB`);
      // The bound, plus what a host needs besides: the changes being encoded and fanned out in
      // the turn that crosses the bound, and the allocator's high-water mark (RSS does not
      // shrink when a buffer is freed). Measured: ~400 MiB for the default 256 MiB and 100 peers,
      // ~90 MiB for 32 MiB and 20 peers; without the bound they held ~1 GiB and ~200 MiB.
      expect(growth / MiB, 'RSS growth (MiB)').to.be.below(bound / MiB + 192);
      expect(host.logs.some((l) => /host-wide limit/.test(`${l.message} ${l.error ?? ''}`)), 'the eviction is logged').to.equal(true);
      await host.expectServing();
    });
  }
});
