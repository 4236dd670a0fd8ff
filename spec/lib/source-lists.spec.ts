// Source lists on request: a host with more sources than a node wants listed at connect (tsro's
// node: 1000) sends a partial SourceList, and the node asks for what it needs: the names of the
// replicas it acquires, or the whole list page by page (node.listSources()). Over real loopback
// sockets, with thousands of sources; and what an older node (no limit in its Handshake) or a
// raw peer gets.

import { expect } from 'chai';
import { type Host } from '../../src/index';
import type { DecodedPacket } from '../../src/protocol/messages';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { MAX_QUERY_NAMES, SOURCE_LIST_LIMIT } from '../../src/protocol/source-lists';
import { uniqueLocalUrl } from '../support/fixtures';
import { Counter, World, WAIT_MS, barrier, offeredNames, whenOffered, whenWithdrawn, type RawClient } from '../support/e2e';
import { nextEvent } from '../../src/testing';

const MANY = 2500;

/** `count` Counters named C-0 .. C-(count-1), each holding its index as its value. */
function offerMany(host: Host, count: number, prefix = 'C'): Counter[] {
  const sources: Counter[] = [];
  for (let i = 0; i < count; i++) {
    const c = new Counter();
    c.value = i;
    sources.push(c);
    if (!host.enableRemoting(c, `${prefix}-${i}`)) throw new Error(`enableRemoting ${prefix}-${i} failed`);
  }
  return sources;
}

/**
 * The first packet of `kind` among those received after the first `after`: the host answers in
 * order, so once a Ping sent after the query is answered, the answer is in.
 */
async function nextPacket(client: RawClient, kind: DecodedPacket['kind'], after: number): Promise<DecodedPacket> {
  await client.roundTrip(after + 1000);
  const found = client.packets.slice(after).find((p) => p.kind === kind);
  if (!found) throw new Error(`no ${kind} answered before the pong`);
  return found;
}

describe('source lists on request (hosts with many sources)', function () {
  // Thousands of sources are set up in each test; the waits themselves are bounded by WAIT_MS.
  this.timeout(20_000);
  let w: World;
  beforeEach(() => {
    w = new World();
  });
  afterEach(() => w.close());

  it('a node connects without the list and acquires one of thousands by name', async () => {
    const host = await w.host();
    offerMany(host, MANY);
    const node = await w.connectedNode(host);
    // Nothing was listed at connect.
    expect(node.knownSources()).to.deep.equal([]);
    const r = node.acquire(Counter, 'C-1777');
    expect(await r.waitForSource(WAIT_MS)).to.equal(true);
    expect(r.value).to.equal(1777);
    // What the node asked for, and nothing else, is known now.
    expect(node.knownSources().map((s) => s.name)).to.deep.equal(['C-1777']);
    expect(node.instances('Counter')).to.deep.equal(['C-1777']);
    // Several acquired at once are looked up together, and all become valid.
    const more = ['C-0', 'C-2499', 'C-1000'].map((n) => node.acquire(Counter, n));
    expect(await Promise.all(more.map((m) => m.waitForSource(WAIT_MS)))).to.deep.equal([true, true, true]);
    expect(more.map((m) => m.value)).to.deep.equal([0, 2499, 1000]);
  });

  it('lists every source page by page, and keeps the listing current as sources come and go', async () => {
    const host = await w.host();
    const sources = offerMany(host, MANY);
    const node = await w.connectedNode(host);
    const listed = await node.listSources();
    expect(listed).to.have.length(MANY);
    expect(listed.map((s) => s.name)).to.deep.equal(Array.from({ length: MANY }, (_, i) => `C-${i}`).sort());
    for (const s of listed) expect(s).to.deep.include({ typeName: 'Counter', url: host.hostUrl });
    expect(node.knownSources()).to.deep.equal(listed);
    expect(node.instances('Counter')).to.have.length(MANY);

    // Added after the listing: announced (SourceAdded), known at once.
    host.enableRemoting(new Counter(), 'late');
    await whenOffered(node, 'late');
    expect(node.knownSources()).to.have.length(MANY + 1);
    // Removed: gone from what the node knows and from a fresh listing.
    host.disableRemoting(sources[42]!);
    await whenWithdrawn(node, 'C-42');
    const again = await node.listSources();
    expect(again).to.have.length(MANY);
    expect(again.map((s) => s.name)).to.include('late').and.not.include('C-42');
  });

  it('hears of sources added and removed that it never listed', async () => {
    const host = await w.host();
    const sources = offerMany(host, MANY);
    const node = await w.connectedNode(host);
    const c = new Counter();
    host.enableRemoting(c, 'fresh');
    await whenOffered(node, 'fresh');
    expect(offeredNames(node)).to.deep.equal(['fresh']);
    host.disableRemoting(c);
    await whenWithdrawn(node, 'fresh');
    // A removal of a source the node never heard of changes nothing on the node.
    host.disableRemoting(sources[7]!);
    await barrier(node, host);
    expect(offeredNames(node).filter((n) => !n.startsWith('barrier-'))).to.deep.equal([]);
    expect((await node.listSources()).map((s) => s.name)).to.not.include('C-7');
  });

  it('a replica of a name the host does not offer yet waits, and becomes valid when it is added', async () => {
    const host = await w.host();
    offerMany(host, MANY);
    const node = await w.connectedNode(host);
    const r = node.acquire(Counter, 'not-yet');
    // The lookup is answered (in order, before the barrier's own source): not offered.
    await barrier(node, host);
    expect(r.state).to.equal('default');
    const c = new Counter();
    c.value = 5;
    host.enableRemoting(c, 'not-yet');
    expect(await r.waitForSource(WAIT_MS)).to.equal(true);
    expect(r.value).to.equal(5);
  });

  it('looks the names of waiting replicas up again when the connection comes back', async () => {
    const url = uniqueLocalUrl('lists');
    const first = await w.host(url);
    offerMany(first, MANY);
    const node = await w.connectedNode(first, { reconnect: { initialDelay: 10, maxDelay: 50 } });
    const r = node.acquire(Counter, 'C-2222');
    expect(await r.waitForSource(WAIT_MS)).to.equal(true);
    const suspect = nextEvent(r, 'stateChanged', { timeout: WAIT_MS });
    await first.close();
    await suspect;
    // A new host on the same address, the same names with other values.
    const second = await w.host(url);
    const again = offerMany(second, MANY);
    again[2222]!.value = -1;
    const initialized = nextEvent(r, 'initialized', { timeout: WAIT_MS });
    await initialized;
    expect(r.isReplicaValid()).to.equal(true);
    expect(r.value).to.equal(-1);
  });

  it('sends the whole list to a node that does not announce a limit (an older node)', async () => {
    const host = await w.host();
    offerMany(host, MANY);
    const raw = await w.raw(host.hostUrl);
    const list = await raw.handshake();
    expect(list.sourceList!.partial ?? false).to.equal(false);
    expect(list.sourceList!.sources).to.have.length(MANY);
  });

  it('sends the whole list when the host offers no more than the limit', async () => {
    const host = await w.host();
    offerMany(host, 10);
    const node = await w.connectedNode(host);
    expect(node.knownSources()).to.have.length(10);
    expect(SOURCE_LIST_LIMIT).to.be.at.least(10);
  });

  it('answers SourceQuery by name and by page, on the wire', async () => {
    const host = await w.host();
    offerMany(host, MANY);
    const raw = await w.raw(host.hostUrl);
    raw.sendPacket({ handshake: { version: PROTOCOL_VERSION, agent: 'spec', sourceListLimit: 100 } });
    const list = await raw.packet('sourceList');
    expect(list.sourceList).to.deep.include({ partial: true, total: MANY });
    expect(list.sourceList!.sources ?? []).to.deep.equal([]);

    // By name: the names offered, the others left out.
    let seen = raw.packets.length;
    raw.sendPacket({ sourceQuery: { request: 7, names: ['C-5', 'nope', 'C-2000'] } });
    const byName = await nextPacket(raw, 'sourcePage', seen);
    expect(byName.sourcePage!.request).to.equal(7);
    expect(byName.sourcePage!.sources!.map((s) => s.name)).to.deep.equal(['C-5', 'C-2000']);
    expect(byName.sourcePage!.next ?? 0).to.equal(0);

    // Pages: ascending ids, each starting after the last, until next is 0; every source once.
    const names: string[] = [];
    let after = 0;
    let pages = 0;
    do {
      seen = raw.packets.length;
      raw.sendPacket({ sourceQuery: { request: 100 + pages, after, limit: 400 } });
      const page = (await nextPacket(raw, 'sourcePage', seen)).sourcePage!;
      expect(page.request).to.equal(100 + pages);
      const ids = page.sources!.map((s) => s.id!);
      expect(ids.length).to.be.within(1, 400);
      expect(ids.every((id, i) => id > after && (i === 0 || id > ids[i - 1]!))).to.equal(true);
      names.push(...page.sources!.map((s) => s.name!));
      after = page.next ?? 0;
      if (after !== 0) expect(after).to.equal(ids[ids.length - 1]);
      pages++;
    } while (after !== 0);
    expect(pages).to.equal(Math.ceil(MANY / 400));
    expect(names.sort()).to.deep.equal(Array.from({ length: MANY }, (_, i) => `C-${i}`).sort());
  });

  it('closes the connection of a peer that asks for too many names in one query', async () => {
    w.allowLoggedErrors();
    const host = await w.host();
    offerMany(host, MANY);
    const raw = await w.raw(host.hostUrl);
    raw.sendPacket({ handshake: { version: PROTOCOL_VERSION, agent: 'spec', sourceListLimit: 100 } });
    await raw.packet('sourceList');
    raw.sendPacket({ sourceQuery: { request: 1, names: Array.from({ length: MAX_QUERY_NAMES + 1 }, (_, i) => `C-${i}`) } });
    const bye = await raw.packet('goodbye');
    expect(bye.goodbye!.error!.code).to.equal('PROTOCOL_ERROR');
    expect(bye.goodbye!.error!.message).to.match(/at most 256/);
    await raw.whenClosed();
  });
});
