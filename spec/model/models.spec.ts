// Models (issue 17): ListModel sources and ModelReplica views over tcp and local sockets. Every
// operation and event end to end, lazy rows and batching, deltas sent only to the nodes holding
// the rows, cache bounds, replica sets (and their refusals), release, and reconnection.

import { nodeParts } from '../../src/node/node';
import { DisconnectedError } from '../../src/errors';
import { expect } from 'chai';
import { Field, ListModel, ValueType, type Host, type ModelReplica, type Node } from '../../src/index';
import { transports, until } from '../support/fixtures';
import { nextEvent } from './next-event';
import { World, WAIT_MS, barrier, bindingOf, expectTsro, rejectionOf, tapReceived, thrownBy } from '../support/e2e';
import type { DecodedPacket } from '../../src/protocol/messages';
import type { SourceBinding } from '../../src/host/source-binding';

@ValueType('Track')
class Track {
  @Field({ type: 'string' }) title = '';
  @Field({ type: 'int32' }) seconds = 0;
}

function track(title: string, seconds = 60): Track {
  const t = new Track();
  t.title = title;
  t.seconds = seconds;
  return t;
}

function strings(n: number, prefix = 'r'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** Every cached row of `r` equals the source's row at that index, and the counts agree. */
function expectConsistent(r: ModelReplica<unknown>, source: ListModel<unknown>): void {
  expect(r.rowCount, 'rowCount').to.equal(source.length);
  for (let i = 0; i < source.length; i++) {
    if (r.hasRow(i)) expect(r.row(i), `row ${i}`).to.deep.equal(source.at(i));
  }
}

/** The rows each connection's mirror on the host says its node holds (internal). */
function mirrorSizes(binding: SourceBinding | undefined): number[] {
  const mirrors = (binding as unknown as { mirrors: Map<unknown, { cache: { size: number } }> }).mirrors;
  return [...mirrors.values()].map((m) => m.cache.size);
}

async function valid(r: ModelReplica<unknown>): Promise<void> {
  expect(await r.waitForSource(WAIT_MS), `model replica "${r.name}" to become valid`).to.equal(true);
}

/** Rows of the given kinds a node received. */
function kinds(packets: readonly [DecodedPacket][], ...names: string[]): DecodedPacket[] {
  return packets.map(([p]) => p).filter((p) => names.includes(p.kind));
}

describe('models: ListModel at the source', () => {
  it('has push, insert, remove, move, set, replace, length, at and iteration, with events carrying the arguments', () => {
    const m = new ListModel<string>('string');
    const events: unknown[][] = [];
    for (const e of ['rowsInserted', 'rowsRemoved', 'rowsMoved', 'rowsChanged', 'modelReset'] as const) {
      m.on(e, (...args: unknown[]) => events.push([e, ...args]));
    }
    expect(m.push('a', 'b')).to.equal(2);
    m.insert(0, 'c');
    m.push('d');
    expect([...m]).to.deep.equal(['c', 'a', 'b', 'd']);
    m.move(0, 1, 3);
    expect(m.toArray()).to.deep.equal(['a', 'b', 'c', 'd']);
    m.move(2, 2, 0);
    expect(m.toArray()).to.deep.equal(['c', 'd', 'a', 'b']);
    expect(m.remove(1, 2)).to.deep.equal(['d', 'a']);
    m.set(0, 'x');
    expect(m.at(0)).to.equal('x');
    expect(m.at(-1)).to.equal('b');
    expect(m.length).to.equal(2);
    m.replace(['p', 'q', 'r']);
    expect(m.toArray()).to.deep.equal(['p', 'q', 'r']);
    expect(events).to.deep.equal([
      ['rowsInserted', 0, 2],
      ['rowsInserted', 0, 1],
      ['rowsInserted', 3, 1],
      ['rowsMoved', 0, 1, 3],
      ['rowsMoved', 2, 2, 0],
      ['rowsRemoved', 1, 2],
      ['rowsChanged', 0, 1],
      ['modelReset'],
    ]);
  });

  it('refuses rows of the wrong type and indices outside the model, changing nothing', () => {
    const m = new ListModel(Track);
    m.push(track('a'));
    let events = 0;
    m.on('rowsInserted', () => events++);
    m.on('rowsChanged', () => events++);
    expectTsro(thrownBy(() => m.push({ title: 3 } as unknown as Track)), 'TYPE_MISMATCH');
    expectTsro(thrownBy(() => m.push(track('b'), 'x' as unknown as Track)), 'TYPE_MISMATCH');
    expectTsro(thrownBy(() => m.insert(5, track('b'))), 'OUT_OF_RANGE');
    expectTsro(thrownBy(() => m.insert(-1, track('b'))), 'OUT_OF_RANGE');
    expectTsro(thrownBy(() => m.set(1, track('b'))), 'OUT_OF_RANGE');
    expectTsro(thrownBy(() => m.set(0.5, track('b'))), 'OUT_OF_RANGE');
    expectTsro(thrownBy(() => m.remove(0, 2)), 'OUT_OF_RANGE');
    expectTsro(thrownBy(() => m.move(0, 1, 2)), 'OUT_OF_RANGE');
    expectTsro(thrownBy(() => m.replace([track('x'), 7 as unknown as Track])), 'TYPE_MISMATCH');
    expect(m.length).to.equal(1);
    expect(m.at(0)).to.be.instanceOf(Track);
    expect(m.at(0)!.title).to.equal('a');
    expect(events).to.equal(0);
  });

  it('treats a move onto itself as no change', () => {
    const m = new ListModel<string>('string');
    m.push('a', 'b', 'c');
    let moved = 0;
    m.on('rowsMoved', () => moved++);
    m.move(0, 2, 1);
    m.move(0, 2, 2);
    m.move(1, 0, 3);
    expect(m.toArray()).to.deep.equal(['a', 'b', 'c']);
    expect(moved).to.equal(0);
  });
});

for (const t of transports()) {
  describe(`models over ${t.name}`, () => {
    let w: World;
    let host: Host;
    let node: Node;
    let model: ListModel<string>;

    beforeEach(async () => {
      w = new World();
      host = await w.host(t.url());
      model = new ListModel<string>('string');
      model.push(...strings(100));
      expect(host.enableRemoting(model, 'Rows')).to.equal(true);
      node = await w.connectedNode(host, { reconnect: { initialDelay: 10, maxDelay: 50 } });
    });

    afterEach(() => w.close());

    it('knows the row count at initialization, the row type and its columns, and prefetches', async () => {
      const r = node.acquireModel<string>('Rows', { prefetch: 10 });
      const prefetched = nextEvent(r, 'rowsChanged', WAIT_MS);
      await valid(r);
      expect(r.rowCount).to.equal(100);
      expect(r.rowType).to.equal('string');
      expect(r.columns).to.deep.equal([]);
      expect(r.readonly).to.equal(false);
      expect(await prefetched).to.deep.equal([0, 10]);
      expect(r.row(9)).to.equal('r9');
      expect(r.cachedRowCount).to.equal(10);
    });

    it('fetches a missed row lazily, batching neighbouring misses into one request', async () => {
      const r = node.acquireModel<string>('Rows');
      await valid(r);
      const received = tapReceived(node, host.hostUrl);
      w.defer(() => received.restore());
      expect(r.row(40)).to.equal(undefined);
      expect(r.row(41)).to.equal(undefined);
      expect(r.row(43)).to.equal(undefined);
      expect(r.row(90)).to.equal(undefined);
      expect(r.row(100)).to.equal(undefined); // outside: nothing fetched
      const changed: unknown[][] = [];
      r.on('rowsChanged', (s, c) => changed.push([s, c]));
      await until(r, 'rowsChanged', () => r.hasRow(90) && r.hasRow(43), WAIT_MS);
      expect(changed.sort((a, b) => (a[0] as number) - (b[0] as number))).to.deep.equal([
        [40, 4],
        [90, 1],
      ]);
      expect([r.row(40), r.row(41), r.row(42), r.row(43), r.row(90)]).to.deep.equal(['r40', 'r41', 'r42', 'r43', 'r90']);
      expect(kinds(received.calls, 'rowsReply')).to.have.length(2);
    });

    it('fetch resolves with the rows, from the cache when it has them all', async () => {
      const r = node.acquireModel<string>('Rows');
      await valid(r);
      expect(await r.fetch(20, 5)).to.deep.equal(['r20', 'r21', 'r22', 'r23', 'r24']);
      const received = tapReceived(node, host.hostUrl);
      w.defer(() => received.restore());
      expect(await r.fetch(21, 3)).to.deep.equal(['r21', 'r22', 'r23']);
      expect(await r.fetch(0, 0)).to.deep.equal([]);
      expect(received.count).to.equal(0);
      expectTsro(await rejectionOf(r.fetch(98, 3)), 'OUT_OF_RANGE');
      expectTsro(await rejectionOf(r.fetch(-1, 1)), 'OUT_OF_RANGE');
    });

    it('re-emits push, insert, remove, move, set and replace with their arguments, keeping cached rows in place', async () => {
      const r = node.acquireModel<string>('Rows', { prefetch: 100 });
      await valid(r);
      await until(r, 'rowsChanged', () => r.cachedRowCount === 100, WAIT_MS);
      const events: unknown[][] = [];
      for (const e of ['rowsInserted', 'rowsRemoved', 'rowsMoved', 'rowsChanged', 'modelReset'] as const) {
        r.on(e, (...args: unknown[]) => events.push([e, ...args]));
      }
      model.push('a', 'b');
      model.insert(0, 'c');
      model.remove(1, 2);
      model.move(0, 1, 3);
      model.move(50, 3, 10);
      model.set(5, 'changed');
      await until(r, 'rowsChanged', () => events.length === 6, WAIT_MS);
      expect(events).to.deep.equal([
        ['rowsInserted', 100, 2],
        ['rowsInserted', 0, 1],
        ['rowsRemoved', 1, 2],
        ['rowsMoved', 0, 1, 3],
        ['rowsMoved', 50, 3, 10],
        ['rowsChanged', 5, 1],
      ]);
      expectConsistent(r, model);
      // It held the whole model: the inserted rows came along.
      expect(r.hasRow(100)).to.equal(true);
      expect(r.hasRow(0)).to.equal(true);
      const reset = nextEvent(r, 'modelReset', WAIT_MS);
      model.replace(['x', 'y', 'z']);
      await reset;
      expect(r.rowCount).to.equal(3);
      await until(r, 'rowsChanged', () => r.cachedRowCount === 3, WAIT_MS);
      expect([r.row(0), r.row(1), r.row(2)]).to.deep.equal(['x', 'y', 'z']);
    });

    it('sends a changed row only to the nodes that hold it: one row on the wire', async () => {
      const holder = node.acquireModel<string>('Rows');
      const other = await w.connectedNode(host);
      const bystander = other.acquireModel<string>('Rows');
      await valid(holder);
      await valid(bystander);
      await holder.fetch(10, 1);
      await bystander.fetch(60, 5);
      const seenByHolder = tapReceived(node, host.hostUrl);
      const seenByBystander = tapReceived(other, host.hostUrl);
      w.defer(() => seenByHolder.restore());
      w.defer(() => seenByBystander.restore());
      model.set(10, 'new');
      await nextEvent(holder, 'rowsChanged', WAIT_MS);
      expect(holder.row(10)).to.equal('new');
      // The bystander's next packet is the one after: the change never reached it.
      model.set(60, 'seen');
      await nextEvent(bystander, 'rowsChanged', WAIT_MS);
      expect(kinds(seenByBystander.calls, 'rowsChanged').map((p) => p.rowsChanged!.start)).to.deep.equal([60]);
      const change = kinds(seenByHolder.calls, 'rowsChanged')[0]!;
      expect(change.rowsChanged!.rows).to.have.length(1);
    });

    it('sends inserted rows to a node watching that spot, and only the count to the others', async () => {
      const tail = node.acquireModel<string>('Rows');
      const top = (await w.connectedNode(host)).acquireModel<string>('Rows');
      await valid(tail);
      await valid(top);
      await tail.fetch(90, 10);
      await top.fetch(0, 10);
      const inserted = nextEvent(top, 'rowsInserted', WAIT_MS);
      model.push('new');
      await nextEvent(tail, 'rowsInserted', WAIT_MS);
      await inserted;
      expect(tail.hasRow(100)).to.equal(true);
      expect(tail.row(100)).to.equal('new');
      expect(top.hasRow(100)).to.equal(false);
      expect(top.rowCount).to.equal(101);
    });

    it('holds at most cacheSize rows, and the host knows which (its mirror has the same size)', async () => {
      const r = node.acquireModel<string>('Rows', { cacheSize: 10 });
      await valid(r);
      expect(await r.fetch(0, 50)).to.have.length(50);
      expect(r.cachedRowCount).to.equal(10);
      expect([r.hasRow(39), r.hasRow(40), r.hasRow(49)]).to.deep.equal([false, true, true]);
      expect(mirrorSizes(bindingOf(host, 'Rows'))).to.deep.equal([10]);
      // An evicted row's change is not sent.
      const received = tapReceived(node, host.hostUrl);
      w.defer(() => received.restore());
      model.set(0, 'gone');
      model.set(45, 'kept');
      await nextEvent(r, 'rowsChanged', WAIT_MS);
      expect(kinds(received.calls, 'rowsChanged').map((p) => p.rowsChanged!.start)).to.deep.equal([45]);
      expect(r.row(45)).to.equal('kept');
    });

    it('forwards set to the source; the change comes back before the set resolves', async () => {
      const r = node.acquireModel<string>('Rows');
      await valid(r);
      await r.fetch(3, 1);
      const changed = nextEvent(model, 'rowsChanged', WAIT_MS);
      let sawChange = false;
      r.on('rowsChanged', () => (sawChange = true));
      await r.set(3, 'from replica');
      expect(sawChange).to.equal(true);
      expect(await changed).to.deep.equal([3, 1]);
      expect(model.at(3)).to.equal('from replica');
      expect(r.row(3)).to.equal('from replica');
      expectTsro(await rejectionOf(r.set(100, 'x')), 'OUT_OF_RANGE');
      expectTsro(await rejectionOf(r.set(0, 5 as unknown as string)), 'TYPE_MISMATCH');
      expect(model.at(0)).to.equal('r0');
    });

    it('refuses sets on a read-only model with READONLY, at the replica and at the host', async () => {
      const ro = new ListModel<string>('string', { readonly: true });
      ro.push('a');
      host.enableRemoting(ro, 'RO');
      const r = node.acquireModel<string>('RO');
      await valid(r);
      expect(r.readonly).to.equal(true);
      expectTsro(await rejectionOf(r.set(0, 'b')), 'READONLY');
      expect(ro.at(0)).to.equal('a');
    });

    it('release stops the traffic; a pending fetch rejects; Symbol.dispose releases', async () => {
      const r = node.acquireModel<string>('Rows');
      await valid(r);
      const pending = r.fetch(0, 10);
      r.release();
      expectTsro(await rejectionOf(pending), ['NOT_VALID', 'DISCONNECTED']);
      expectTsro(await rejectionOf(r.fetch(0, 1)), 'NOT_VALID');
      {
        using d = node.acquireModel<string>('Rows');
        await valid(d);
      }
      await barrier(node, host);
      expect(bindingOf(host, 'Rows')!.listenerCount).to.equal(0);
    });

    it('goes suspect when the connection drops, then re-initializes: count and cached rows refreshed', async () => {
      const r = node.acquireModel<string>('Rows', { prefetch: 5 });
      await valid(r);
      await until(r, 'rowsChanged', () => r.cachedRowCount === 5, WAIT_MS);
      await r.fetch(50, 3);
      const suspect = until(r, 'stateChanged', () => r.state === 'suspect', WAIT_MS);
      // The link breaks under the node (not a local close): it reconnects by itself.
      nodeParts(node).pool.frameLink(host.hostUrl)!.destroy(new DisconnectedError('cut by the test'));
      await suspect;
      expect(r.row(1)).to.equal('r1'); // stale but kept while suspect
      model.set(51, 'while away');
      model.push('new');
      const reset = nextEvent(r, 'modelReset', WAIT_MS);
      await nextEvent(r, 'initialized', WAIT_MS);
      expect(r.rowCount).to.equal(101);
      await reset;
      await until(r, 'rowsChanged', () => r.hasRow(51) && r.hasRow(4), WAIT_MS);
      expect(r.row(51)).to.equal('while away');
      expectConsistent(r, model);
    });

    it('carries value type rows: columns are the fields; fields asks for a subset', async () => {
      const tracks = new ListModel(Track);
      tracks.push(track('one', 10), track('two', 20), track('three', 30));
      host.enableRemoting(tracks, 'Tracks');
      const r = node.acquireModel<Track>('Tracks', { prefetch: 3 });
      await valid(r);
      expect(r.columns).to.deep.equal(['title', 'seconds']);
      expect(await r.fetch(0, 2)).to.deep.equal([
        { title: 'one', seconds: 10 },
        { title: 'two', seconds: 20 },
      ]);
      expect(await r.fetch(1, 2, { fields: ['title'] })).to.deep.equal([{ title: 'two' }, { title: 'three' }]);
      const narrow = (await w.connectedNode(host)).acquireModel<Partial<Track>>('Tracks', { fields: ['seconds'], prefetch: 3 });
      await valid(narrow);
      await until(narrow, 'rowsChanged', () => narrow.cachedRowCount === 3, WAIT_MS);
      expect(narrow.row(2)).to.deep.equal({ seconds: 30 });
      tracks.set(2, track('THREE', 31));
      await nextEvent(narrow, 'rowsChanged', WAIT_MS);
      expect(narrow.row(2)).to.deep.equal({ seconds: 31 });
      expect(await rejectionOf(r.fetch(0, 1, { fields: ['nope'] }))).to.have.property('remoteCode', 'UNKNOWN_MEMBER');
      await r.set(0, track('ONE', 11));
      expect(tracks.at(0)).to.deep.equal(track('ONE', 11));
    });

    it('with rowType, shows value type rows as instances and refuses a source of another row type', async () => {
      const tracks = new ListModel(Track);
      tracks.push(track('one', 10));
      host.enableRemoting(tracks, 'Tracks');
      const typed = node.acquireModel<Track>('Tracks', { rowType: Track, prefetch: 1 });
      await valid(typed);
      await until(typed, 'rowsChanged', () => typed.hasRow(0), WAIT_MS);
      expect(typed.row(0)).to.be.instanceOf(Track);
      const wrong = node.acquireModel<number>('Rows', { rowType: 'int32' });
      expect(await wrong.waitForSource(WAIT_MS)).to.equal(false);
      expect(wrong.state).to.equal('signatureMismatch');
      expectTsro(await rejectionOf(wrong.fetch(0, 1)), 'NOT_VALID');
    });

    it('a host acquires its own model in process', async () => {
      const own = host.acquireModel<string>('Rows', { prefetch: 2 });
      await valid(own);
      await until(own, 'rowsChanged', () => own.hasRow(1), WAIT_MS);
      expect(own.row(1)).to.equal('r1');
      own.release();
    });

    it('shares one cache and subscription between handles of one model in a node', async () => {
      const a = node.acquireModel<string>('Rows', { cacheSize: 5 });
      const b = node.acquireModel<string>('Rows', { cacheSize: 20 });
      await valid(a);
      await valid(b);
      await a.fetch(0, 20);
      expect(a.cachedRowCount).to.equal(20);
      expect(b.row(19)).to.equal('r19');
      b.release();
      await a.fetch(30, 10);
      expect(a.cachedRowCount).to.equal(5);
      expect(mirrorSizes(bindingOf(host, 'Rows'))).to.deep.equal([5]);
    });
  });
}
