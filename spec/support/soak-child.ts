// One child process of the soak test: `nodes` separate Nodes (so that each holds its own
// subscription), each with one typed replica of "Soak". Started with
// fork(thisFile, [url, childIndex, nodes, callsPerReplica]). Over IPC: reports {type:'ready'}
// once every replica is valid; on {type:'go'} starts its slot calls; on {type:'finish'} waits
// for its calls, makes one barrier call per replica (its reply comes after every change the
// source made before it) and reports {type:'report', replicas}; on {type:'close'} closes.

import { Node, type Logger, type Replica } from '../../src/index';
import { SoakApi, type ReplicaReport } from './hardening-soak-api';

const [url, childArg, nodesArg, callsArg] = process.argv.slice(2);
const childIndex = Number(childArg);
const nodeCount = Number(nodesArg ?? 10);
const callsPerReplica = Number(callsArg ?? 200);
const IN_FLIGHT = 8;

const warnings: string[] = [];
const logger: Logger = {
  warn: (m, e) => warnings.push(`warn: ${m} ${e === undefined ? '' : String(e)}`),
  error: (m, e) => warnings.push(`error: ${m} ${e === undefined ? '' : String(e)}`),
};

interface Tracked {
  readonly node: Node;
  readonly replica: Replica<SoakApi>;
  signals: number;
  nextSeq: number;
  signalViolations: number;
  firstViolation?: string;
  lastCounter: number;
  counterViolations: number;
  calls: { sent: number; ok: number; wrong: number; failed: number; firstError?: string };
  done?: Promise<void>;
}

const tracked: Tracked[] = [];

async function start(): Promise<void> {
  for (let i = 0; i < nodeCount; i++) {
    const node = new Node({ logger, reconnect: false });
    await node.connectToNode(url!);
    const replica = node.acquire(SoakApi);
    const t: Tracked = {
      node, replica, signals: 0, nextSeq: 0, signalViolations: 0, lastCounter: -1, counterViolations: 0,
      calls: { sent: 0, ok: 0, wrong: 0, failed: 0 },
    };
    replica.on('tick', (seq: number, tag: string) => {
      t.signals++;
      if (seq !== t.nextSeq || tag !== `s${seq}`) {
        t.signalViolations++;
        t.firstViolation ??= `expected tick ${t.nextSeq}, got ${seq} "${tag}"`;
      }
      t.nextSeq = seq + 1;
    });
    replica.on('counterChanged', (value: number) => {
      // The source only ever increments it: every replica must see it grow, change by change.
      if (!(value > t.lastCounter)) t.counterViolations++;
      t.lastCounter = value;
    });
    tracked.push(t);
  }
  for (const t of tracked) {
    if (!(await t.replica.waitForSource(20_000))) throw new Error(`child ${childIndex}: a replica did not become valid`);
    t.lastCounter = t.replica.counter;
  }
  process.send!({ type: 'ready' });
}

function go(): void {
  tracked.forEach((t, i) => {
    let next = 0;
    const base = childIndex * 1_000_000 + i * 10_000;
    const worker = async (): Promise<void> => {
      while (next < callsPerReplica) {
        const n = base + next++;
        t.calls.sent++;
        try {
          const r = await t.replica.inc(n);
          if (r === n + 1) t.calls.ok++;
          else t.calls.wrong++;
        } catch (err) {
          t.calls.failed++;
          t.calls.firstError ??= String(err);
        }
      }
    };
    t.done = Promise.all(Array.from({ length: IN_FLIGHT }, worker)).then(() => {});
  });
}

async function finish(): Promise<void> {
  await Promise.all(tracked.map((t) => t.done));
  // Barrier: the reply travels behind every change the source made before the call ran.
  await Promise.all(tracked.map((t) => t.replica.inc(-2)));
  const replicas: ReplicaReport[] = tracked.map((t, i) => ({
    node: i,
    signals: t.signals,
    signalViolations: t.signalViolations,
    firstViolation: t.firstViolation,
    counterViolations: t.counterViolations,
    finals: { counter: t.replica.counter, text: t.replica.text, ratio: t.replica.ratio, pair: [...t.replica.pair] },
    calls: t.calls,
    state: t.replica.state,
  }));
  process.send!({ type: 'report', replicas, warnings: warnings.slice(0, 10) });
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'go') go();
  if (m.type === 'finish') finish().catch((err: unknown) => process.send!({ type: 'failed', error: String(err) }));
  if (m.type === 'close') {
    void Promise.all(tracked.map((t) => t.node.close())).then(() => process.disconnect());
  }
});

start().catch((err: unknown) => {
  process.send!({ type: 'failed', error: String(err) });
  process.exitCode = 1;
});
