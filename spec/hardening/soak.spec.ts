// Load without loss. One source in this process; 50 replicas spread over 5 child processes, each
// replica in a Node of its own (several handles of one source in one node would share one
// subscription; here there really are 50). The source makes 100k property changes and emits 10k
// signals while the children make 10k slot calls, all interleaved. Afterwards every replica holds
// the source's values, saw every signal exactly once and in order, and every call was answered
// exactly once with the right value (and ran exactly once on the source).
// Then 1000 acquire/release cycles on one node leave no handles and no heap behind.

import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Host } from '../../src/index';
import { within } from '../support/fixtures';
import { World, bindingOf, hostConnectionCount } from '../support/e2e';
import { SoakSource, type ReplicaReport } from '../support/hardening-soak-api';

const CHILDREN = 5;
const NODES_PER_CHILD = 10;
const REPLICAS = CHILDREN * NODES_PER_CHILD;
const ITERATIONS = 10_000; // each: 10 property changes and 1 signal
const CALLS_PER_REPLICA = 10_000 / REPLICAS;
const LEAK_CYCLES = 1000;

type Message = { type: string; [k: string]: unknown };

/** A forked child and a way to await its next message of a type (or its failure). */
class Child {
  readonly proc: ChildProcess;
  private readonly inbox: Message[] = [];
  private readonly waiters: { type: string; resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
  private exited: Error | undefined;

  constructor(script: string, args: string[], execArgv: string[] = []) {
    this.proc = fork(path.join(__dirname, '../support', script), args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--enable-source-maps', ...execArgv],
    });
    this.proc.on('message', (m: Message) => {
      if (m.type === 'failed') {
        this.fail(new Error(`child ${script} failed: ${String(m.error)}`));
        return;
      }
      const w = this.waiters.find((x) => x.type === m.type);
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      } else {
        this.inbox.push(m);
      }
    });
    this.proc.on('exit', (code, signal) => {
      if (code !== 0) this.fail(new Error(`child ${script} exited with ${code ?? signal}`));
    });
  }

  private fail(err: Error): void {
    this.exited ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  next(type: string, ms: number): Promise<Message> {
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    if (this.exited) return Promise.reject(this.exited);
    return within(new Promise<Message>((resolve, reject) => this.waiters.push({ type, resolve, reject })), ms, `"${type}" from a child`);
  }

  send(m: Message): void {
    this.proc.send(m);
  }

  /** Asks it to close; kills it if it has not exited within `ms`. */
  async close(ms = 5000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    try {
      this.proc.send({ type: 'close' });
      await within(exited, ms, 'a child to exit');
    } catch {
      this.proc.kill('SIGKILL');
      await exited;
    }
  }
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) expect.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('hardening: soak', function () {
  this.timeout(60_000);

  let w: World;
  let host: Host;
  let source: SoakSource;
  let children: Child[];

  beforeEach(async () => {
    w = new World();
    host = await w.host('tcp://127.0.0.1:0');
    source = new SoakSource();
    expect(host.enableRemoting(source)).to.equal(true);
    children = [];
  });

  afterEach(async () => {
    await Promise.all(children.map((c) => c.close()));
    await w.close();
  });

  it(`${REPLICAS} replicas in ${CHILDREN} processes: ${ITERATIONS * 10} changes, ${ITERATIONS} signals, ${CALLS_PER_REPLICA * REPLICAS} calls; nothing lost, doubled or reordered`, async () => {
    for (let c = 0; c < CHILDREN; c++) {
      children.push(new Child('soak-child.js', [host.hostUrl, String(c), String(NODES_PER_CHILD), String(CALLS_PER_REPLICA)]));
    }
    await Promise.all(children.map((c) => c.next('ready', 30_000)));
    const binding = bindingOf(host, 'Soak')!;
    expect(binding.listenerCount, 'one subscription per replica').to.equal(REPLICAS);
    expect(hostConnectionCount(host)).to.equal(REPLICAS);

    const started = Date.now();
    for (const c of children) c.send({ type: 'go' });
    let callsDuringLoop = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      for (let k = 0; k < 7; k++) source.counter++;
      source.text = `t${i}`;
      source.ratio = i + 0.5;
      source.pair = [i, -i];
      source.tick(i, `s${i}`);
      if (i % 50 === 49) {
        // Let the calls in and the changes out: the load is interleaved, not one burst then another.
        await new Promise((resolve) => setImmediate(resolve));
        if (source.runs.size > 0 && source.runs.size < CALLS_PER_REPLICA * REPLICAS) callsDuringLoop++;
      }
    }
    const loopMs = Date.now() - started;
    for (const c of children) c.send({ type: 'finish' });
    const reports = await Promise.all(children.map((c) => c.next('report', 45_000)));
    const totalMs = Date.now() - started;

    const expected = { counter: ITERATIONS * 7, text: `t${ITERATIONS - 1}`, ratio: ITERATIONS - 1 + 0.5, pair: [ITERATIONS - 1, -(ITERATIONS - 1)] };
    expect({ counter: source.counter, text: source.text, ratio: source.ratio, pair: source.pair }).to.deep.equal(expected);
    let replicas = 0;
    reports.forEach((report, c) => {
      expect(report.warnings, `child ${c} logged`).to.deep.equal([]);
      for (const r of report.replicas as ReplicaReport[]) {
        const who = `child ${c} replica ${r.node}`;
        replicas++;
        expect(r.state, who).to.equal('valid');
        expect(r.signalViolations, `${who}: ${r.firstViolation}`).to.equal(0);
        expect(r.signals, `${who}: signals seen`).to.equal(ITERATIONS);
        expect(r.counterViolations, `${who}: counterChanged went backwards or repeated`).to.equal(0);
        expect(r.finals, `${who}: final values`).to.deep.equal(expected);
        expect(r.calls, `${who}: calls`).to.deep.equal({ sent: CALLS_PER_REPLICA, ok: CALLS_PER_REPLICA, wrong: 0, failed: 0 });
      }
    });
    expect(replicas).to.equal(REPLICAS);
    // Every call ran exactly once on the source (besides the 50 barrier calls with -2).
    let ran = 0;
    for (let c = 0; c < CHILDREN; c++) {
      for (let n = 0; n < NODES_PER_CHILD; n++) {
        for (let k = 0; k < CALLS_PER_REPLICA; k++) {
          const arg = c * 1_000_000 + n * 10_000 + k;
          expect(source.runs.get(arg), `call with ${arg}`).to.equal(1);
          ran++;
        }
      }
    }
    expect(source.runs.get(-2)).to.equal(REPLICAS);
    expect(source.runs.size).to.equal(ran + 1);
    expect(callsDuringLoop, 'calls ran while the source was busy changing').to.be.greaterThan(0);
    expect(w.hostLog.lines).to.deep.equal([]);
    console.log(`      (source loop ${loopMs} ms, everything delivered and checked after ${totalMs} ms)`);
  });

  it(`${LEAK_CYCLES} acquire/release cycles (typed and dynamic) on one node leave no handles and bounded memory`, async () => {
    const child = new Child('soak-leak.js', [host.hostUrl, String(LEAK_CYCLES)], ['--expose-gc']);
    children.push(child);
    const report = (await child.next('report', 50_000)) as unknown as {
      before: { resources: Record<string, number>; heapUsed: number };
      after: { resources: Record<string, number>; heapUsed: number };
      ms: number;
      gc: boolean;
    };
    expect(report.gc, 'the child runs with --expose-gc').to.equal(true);
    expect(report.after.resources, 'active handles and requests').to.deep.equal(report.before.resources);
    const grown = report.after.heapUsed - report.before.heapUsed;
    expect(grown, `heapUsed grew by ${grown} bytes over ${LEAK_CYCLES} cycles`).to.be.below(1024 * 1024);
    // The host side forgets the subscriptions too.
    const binding = bindingOf(host, 'Soak')!;
    await until(() => binding.listenerCount === 0, 5000, 'the host to drop the released subscription');
    expect(hostConnectionCount(host)).to.equal(1);
    console.log(`      (${LEAK_CYCLES} cycles in ${report.ms} ms, heapUsed ${grown >= 0 ? '+' : ''}${grown} bytes)`);
  });
});
