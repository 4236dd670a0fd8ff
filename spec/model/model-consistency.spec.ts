// Model consistency (issue 17), model-based: fast-check drives random sequences of operations on
// a ListModel source and, racing them, random fetches, row reads (lazy misses) and sets on
// several replicas with different cache sizes, over real sockets. Once everything settled, every
// replica's view must equal the source's list (count, and each cached row at its index), and
// the host's mirror of each replica's cache must hold exactly the rows that cache holds.
// Fixed seed, bounded runs.

import { expect } from 'chai';
import fc from 'fast-check';
import { ListModel, type Host, type ModelReplica, type Node } from '../../src/index';
import { TCP_ANY } from '../support/fixtures';
import { nextEvent } from './next-event';
import { World, WAIT_MS, barrier, bindingOf, turn } from '../support/e2e';

type Op =
  | { op: 'push'; n: number }
  | { op: 'insert'; at: number; n: number }
  | { op: 'remove'; at: number; n: number }
  | { op: 'move'; at: number; n: number; to: number }
  | { op: 'set'; at: number }
  | { op: 'replace'; n: number }
  | { op: 'fetch'; r: number; at: number; n: number }
  | { op: 'read'; r: number; at: number }
  | { op: 'replicaSet'; r: number; at: number }
  | { op: 'turn' }
  | { op: 'settle' };

const pos = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), at: pos, n: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('remove' as const), at: pos, n: fc.integer({ min: 1, max: 4 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('move' as const), at: pos, n: fc.integer({ min: 1, max: 4 }), to: pos }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('set' as const), at: pos }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('replace' as const), n: fc.integer({ min: 0, max: 30 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('fetch' as const), r: fc.nat({ max: 2 }), at: pos, n: fc.integer({ min: 1, max: 12 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('read' as const), r: fc.nat({ max: 2 }), at: pos }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('replicaSet' as const), r: fc.nat({ max: 2 }), at: pos }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('turn' as const) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('settle' as const) }), weight: 2 },
);

/** Which rows the host's mirror says a node holds (internal), per node, sorted. */
function mirrorIndices(host: Host): number[][] {
  const mirrors = (bindingOf(host, 'Numbers') as unknown as { mirrors: Map<unknown, { cache: { indices(): number[] } }> }).mirrors;
  return [...mirrors.values()].map((m) => m.cache.indices().sort((a, b) => a - b));
}

function cachedIndices(r: ModelReplica<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.rowCount; i++) if (r.hasRow(i)) out.push(i);
  return out;
}

describe('models: consistency under racing operations and fetches (property)', function () {
  this.timeout(20_000);
  let w: World;
  let host: Host;
  let model: ListModel<number>;
  let replicas: ModelReplica<number>[];
  let nodes: Node[];

  before(async () => {
    w = new World();
    host = await w.host(TCP_ANY);
    model = new ListModel<number>('int32');
    host.enableRemoting(model, 'Numbers');
    nodes = [];
    replicas = [];
    const options = [
      { cacheSize: 3 },
      { cacheSize: 10, prefetch: 4 },
      { cacheSize: 50, prefetch: 50 },
    ];
    for (const o of options) {
      const node = await w.connectedNode(host);
      nodes.push(node);
      const r = node.acquireModel<number>('Numbers', o);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      replicas.push(r);
    }
  });

  after(() => w.close());

  it('every replica shows the source list after any sequence, and the host knows what each holds', async () => {
    let next = 1;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        model.replace(Array.from({ length: 20 }, () => next++));
        const inFlight: Promise<unknown>[] = [];
        for (const o of ops) {
          const len = model.length;
          switch (o.op) {
            case 'push':
              model.push(...Array.from({ length: o.n }, () => next++));
              break;
            case 'insert':
              model.insert(o.at % (len + 1), ...Array.from({ length: o.n }, () => next++));
              break;
            case 'remove':
              if (len > 0) {
                const at = o.at % len;
                model.remove(at, Math.min(o.n, len - at));
              }
              break;
            case 'move':
              if (len > 0) {
                const at = o.at % len;
                model.move(at, Math.min(o.n, len - at), o.to % (len + 1));
              }
              break;
            case 'set':
              if (len > 0) model.set(o.at % len, next++);
              break;
            case 'replace':
              model.replace(Array.from({ length: o.n }, () => next++));
              break;
            case 'fetch': {
              const r = replicas[o.r]!;
              if (r.rowCount > 0) {
                const at = o.at % r.rowCount;
                const n = Math.min(o.n, r.rowCount - at);
                inFlight.push(
                  r.fetch(at, n).then((rows) => expect(rows.length).to.be.at.most(n)),
                );
              }
              break;
            }
            case 'read': {
              const r = replicas[o.r]!;
              if (r.rowCount > 0) r.row(o.at % r.rowCount);
              break;
            }
            case 'replicaSet': {
              const r = replicas[o.r]!;
              // Racing the source: refused (OUT_OF_RANGE) if the row is gone by the time it arrives.
              if (r.rowCount > 0) inFlight.push(r.set(o.at % r.rowCount, next++).catch(() => {}));
              break;
            }
            case 'turn':
              await turn();
              break;
            case 'settle':
              // The replies so far have landed: later operations act on rows the replicas hold.
              await Promise.all(inFlight);
              break;
          }
        }
        await Promise.all(inFlight);
        // A last operation each replica must see: after it, each has applied everything before it.
        const seen = replicas.map((r) => nextEvent(r, 'rowsInserted', WAIT_MS));
        model.push(next++);
        await Promise.all(seen);
        // Lazy misses and refills may still be on their way: a round trip on each connection lands them.
        for (const node of nodes) await barrier(node, host);
        const mirrors = mirrorIndices(host);
        for (const [k, r] of replicas.entries()) {
          expect(r.rowCount, `replica ${k} rowCount`).to.equal(model.length);
          for (let i = 0; i < r.rowCount; i++) if (r.hasRow(i)) expect(r.row(i), `replica ${k} row ${i}`).to.equal(model.at(i));
          expect(r.cachedRowCount, `replica ${k} cache bound`).to.be.at.most(r.cacheSize);
          expect(mirrors, `the host's mirror of replica ${k}`).to.deep.include(cachedIndices(r));
        }
      }),
      { seed: 1717, numRuns: 40, endOnFailure: true },
    );
  });
});
