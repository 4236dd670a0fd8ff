// nats:// end to end against real nats-server processes on loopback: hosts offer their sources
// on NATS, nodes discover them with no registry, and replicas keep QtRO's semantics (init,
// changes in order, signals, calls, sets, suspect on loss, re-init on return) across a host
// killed without goodbye, a NATS server restart and a three-server cluster.

import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { expect } from 'chai';
import { Host, Node, RemoteError, RemoteObjectType, Slot, currentCall, silentLogger, TsroError, type DynamicReplica } from '../../src/index';
import { within } from '../support/fixtures';
import { NatsServer } from '../support/nats-server';
import { Printer } from '../support/printer';
import { nextEvent, waitFor } from '../../src/testing';

const CHILD = path.join(__dirname, '..', 'support', 'child-host.js');
let hostNames = 0;
const uniqueName = (): string => `h${process.pid}n${++hostNames}`;

function startChildHost(url: string, ink: number, source = 'Printer'): Promise<{ proc: ChildProcess; url: string }> {
  const proc = fork(CHILD, [url, String(ink), '', source], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return within(
    new Promise((resolve, reject) => {
      proc.once('message', (m: { type: string; url: string }) => resolve({ proc, url: m.url }));
      proc.once('exit', (code) => reject(new Error(`child host exited with ${code}`)));
    }),
    10_000,
    'the child host',
  );
}

function killed(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

describe('nats:// (real nats-server)', function () {
  this.timeout(20_000);
  let server: NatsServer;
  const closers: (() => Promise<unknown>)[] = [];
  const later = <T extends { close(): Promise<unknown> }>(x: T): T => {
    closers.push(() => x.close());
    return x;
  };

  before(async () => {
    server = await NatsServer.start();
  });
  after(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  });

  describe('URLs', () => {
    it('refuses malformed nats:// URLs at once with URL_INVALID', () => {
      for (const bad of ['nats://', 'nats://127.0.0.1', 'nats://127.0.0.1:0', 'nats://127.0.0.1:4222/a.b', 'nats://127.0.0.1:4222/x?y', 'nats://u@127.0.0.1:4222']) {
        expect(() => new Node().connectToNode(bad), bad).to.throw(TsroError).with.property('code', 'URL_INVALID');
      }
    });

    it('gives a host without a name a unique one; hostUrl names it', async () => {
      const a = later(new Host(server.url, { logger: silentLogger }));
      const b = later(new Host(server.url, { logger: silentLogger }));
      await Promise.all([a.listening, b.listening]);
      expect(a.hostUrl).to.match(new RegExp(`^nats://127\\.0\\.0\\.1:${server.port}/h[A-Za-z0-9]+$`));
      expect(a.hostUrl).to.not.equal(b.hostUrl);
    });

    it('refuses a second host under a name already offered (LISTEN_FAILED)', async () => {
      const url = `${server.url}/${uniqueName()}`;
      const first = later(new Host(url, { logger: silentLogger }));
      await first.listening;
      const second = later(new Host(url, { logger: silentLogger }));
      const err = await second.listening.then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(TsroError).with.property('code', 'LISTEN_FAILED');
      expect((err as Error).message).to.contain('already offers');
    });

    it('fails fast (CONNECT_FAILED) for a host name nobody offers', async () => {
      const node = later(new Node({ logger: silentLogger }));
      const started = Date.now();
      const err = await node.connectToNode(`${server.url}/nosuch${process.pid}`).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(TsroError).with.property('code', 'CONNECT_FAILED');
      expect((err as Error).message).to.contain('no tsro host named');
      expect(Date.now() - started).to.be.below(2000);
    });

    it('fails with CONNECT_FAILED / LISTEN_FAILED when no NATS server answers', async () => {
      const dead = await NatsServer.start();
      const url = dead.url;
      await dead.stop();
      const node = later(new Node({ logger: silentLogger, reconnect: false }));
      const err = await node.connectToNode(url).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(TsroError).with.property('code', 'CONNECT_FAILED');
      const host = later(new Host(url, { logger: silentLogger }));
      const listenErr = await host.listening.then(() => undefined, (e: unknown) => e);
      expect(listenErr).to.be.instanceOf(TsroError).with.property('code', 'LISTEN_FAILED');
    });
  });

  describe('one server, hosts found without a registry', () => {
    it('discovers every host offering there; typed and dynamic replicas read, set, call and hear signals', async () => {
      const h1 = later(new Host(`${server.url}/${uniqueName()}`, { logger: silentLogger }));
      const h2 = later(new Host(server.url, { logger: silentLogger }));
      await Promise.all([h1.listening, h2.listening]);
      const p1 = new Printer();
      const p2 = new Printer();
      p2.inkLevel = 55;
      h1.enableRemoting(p1, 'NatsP1');
      h2.enableRemoting(p2, 'NatsP2');

      const node = later(new Node({ logger: silentLogger }));
      await node.connectToNode(server.url);
      expect(node.instances('Printer')).to.include.members(['NatsP1', 'NatsP2']);

      const typed = node.acquire(Printer, 'NatsP1');
      const dyn = node.acquireDynamic('NatsP2');
      expect(await typed.waitForSource(5000)).to.equal(true);
      expect(await dyn.waitForSource(5000)).to.equal(true);
      expect(dyn.get('inkLevel')).to.equal(55);

      expect(await typed.add(2, 3)).to.equal(5);
      expect(await dyn.invoke('greet', 'nats')).to.equal('hello nats');
      const thrown = await typed.fail('boom').then(() => undefined, (e: unknown) => e);
      expect(thrown).to.be.instanceOf(RemoteError);

      const changed = nextEvent(typed, 'inkLevelChanged', { timeout: 5000 });
      typed.inkLevel = 42;
      expect((await changed)[0]).to.equal(42);
      expect(p1.inkLevel).to.equal(42);

      const jammed = nextEvent<[number, string]>(dyn, 'jammed', { timeout: 5000 });
      p2.jammed(3, 'paper');
      expect(await jammed).to.deep.equal([3, 'paper']);
    });

    it('delivers 10 000 changes in order, none lost, to two nodes', async () => {
      const host = later(new Host(server.url, { logger: silentLogger }));
      await host.listening;
      const printer = new Printer();
      host.enableRemoting(printer, 'Burst');
      const nodes = [later(new Node({ logger: silentLogger })), later(new Node({ logger: silentLogger }))];
      const seen: number[][] = [[], []];
      const replicas: DynamicReplica[] = [];
      for (const [i, node] of nodes.entries()) {
        await node.connectToNode(host.hostUrl);
        const r = node.acquireDynamic('Burst');
        expect(await r.waitForSource(5000)).to.equal(true);
        r.on('inkLevelChanged', (v: unknown) => seen[i]!.push(v as number));
        replicas.push(r);
      }
      for (let v = 1; v <= 10_000; v++) printer.inkLevel = v;
      await Promise.all(replicas.map((r) => waitFor(r, 'inkLevel', 10_000, { timeout: 15_000 })));
      for (const s of seen) expect(s).to.deep.equal(Array.from({ length: 10_000 }, (_, k) => k + 1));
    });

    it('a host that closes: replicas go suspect; when it returns under its name, they re-initialize', async () => {
      const url = `${server.url}/${uniqueName()}`;
      const host = new Host(url, { logger: silentLogger });
      await host.listening;
      host.enableRemoting(new Printer(), 'Comeback');
      const node = later(new Node({ logger: silentLogger }));
      await node.connectToNode(server.url);
      const r = node.acquireDynamic('Comeback');
      expect(await r.waitForSource(5000)).to.equal(true);

      const suspect = nextEvent(r, 'stateChanged', { timeout: 5000 });
      await host.close();
      expect((await suspect)[0]).to.equal('suspect');

      const again = later(new Host(url, { logger: silentLogger }));
      await again.listening;
      const printer = new Printer();
      printer.inkLevel = 7;
      const initialized = nextEvent(r, 'initialized', { timeout: 5000 });
      again.enableRemoting(printer, 'Comeback');
      await initialized;
      expect(r.state).to.equal('valid');
      expect(r.get('inkLevel')).to.equal(7);
    });

    it('a host killed without goodbye is noticed within about 3 s, and its restart re-initializes', async () => {
      const url = `${server.url}/${uniqueName()}`;
      const child = await startChildHost(url, 11, 'Killed');
      let proc = child.proc;
      closers.push(() => killed(proc));
      const node = later(new Node({ logger: silentLogger }));
      await node.connectToNode(server.url);
      const r = node.acquireDynamic('Killed');
      expect(await r.waitForSource(5000)).to.equal(true);
      expect(r.get('inkLevel')).to.equal(11);

      const suspect = nextEvent(r, 'stateChanged', { timeout: 6000 });
      const killedAt = Date.now();
      await killed(proc);
      expect((await suspect)[0]).to.equal('suspect');
      const noticed = Date.now() - killedAt;
      expect(noticed).to.be.below(4500);

      const initialized = nextEvent(r, 'initialized', { timeout: 10_000 });
      proc = (await startChildHost(url, 12, 'Killed')).proc;
      await initialized;
      expect(r.get('inkLevel')).to.equal(12);
    });
  });

  describe('failures of NATS itself', () => {
    it('a NATS server restart: replicas go suspect, then re-initialize with the current values', async () => {
      const own = await NatsServer.start();
      closers.push(() => own.stop());
      const host = later(new Host(own.url, { logger: silentLogger }));
      await host.listening;
      const printer = new Printer();
      host.enableRemoting(printer, 'Restarted');
      const node = later(new Node({ logger: process.env.NATS_DEBUG ? undefined : silentLogger }));
      await node.connectToNode(own.url);
      const r = node.acquireDynamic('Restarted');
      expect(await r.waitForSource(5000)).to.equal(true);

      const suspect = nextEvent(r, 'stateChanged', { timeout: 6000 });
      await own.stop('SIGKILL');
      expect((await suspect)[0]).to.equal('suspect');
      printer.inkLevel = 33; // while NATS is down
      const initialized = nextEvent(r, 'initialized', { timeout: 15_000 });
      await own.restart();
      await initialized;
      expect(r.get('inkLevel')).to.equal(33);
      const changed = nextEvent(r, 'inkLevelChanged', { timeout: 5000 });
      printer.inkLevel = 34;
      expect((await changed)[0]).to.equal(34);
    });
  });

  describe('a cluster of three servers', () => {
    let cluster: NatsServer[];
    before(async () => {
      cluster = await NatsServer.cluster(3);
    });
    after(async () => {
      for (const s of cluster ?? []) await s.stop();
    });

    it('hosts on one server, replicas on the others: discovery, 10 000 changes in order, calls', async () => {
      const [a, b, c] = cluster as [NatsServer, NatsServer, NatsServer];
      const host = later(new Host(`nats://${a.hostPort}/${uniqueName()}`, { logger: silentLogger }));
      await host.listening;
      const printer = new Printer();
      host.enableRemoting(printer, 'Clustered');
      const replicas: DynamicReplica[] = [];
      const seen: number[][] = [];
      for (const s of [b, c]) {
        const node = later(new Node({ logger: silentLogger }));
        // Routes take a moment to form after start: discovery is retried until the host shows.
        await node.connectToNode(`nats://${s.hostPort}`);
        const r = node.acquireDynamic('Clustered');
        expect(await r.waitForSource(10_000)).to.equal(true);
        const mine: number[] = [];
        seen.push(mine);
        r.on('inkLevelChanged', (v: unknown) => mine.push(v as number));
        replicas.push(r);
        expect(await r.invoke('add', 20, 22)).to.equal(42);
      }
      for (let v = 1; v <= 10_000; v++) printer.inkLevel = v;
      await Promise.all(replicas.map((r) => waitFor(r, 'inkLevel', 10_000, { timeout: 15_000 })));
      for (const s of seen) expect(s).to.deep.equal(Array.from({ length: 10_000 }, (_, k) => k + 1));
    });

    it('a replica whose server dies fails over to another server of the cluster and re-initializes', async () => {
      const [a, b, c] = cluster as [NatsServer, NatsServer, NatsServer];
      const host = later(new Host(`nats://${a.hostPort}/${uniqueName()}`, { logger: silentLogger }));
      await host.listening;
      const printer = new Printer();
      host.enableRemoting(printer, 'Failover');
      const node = later(new Node({ logger: process.env.NATS_DEBUG ? undefined : silentLogger }));
      await node.connectToNode(`nats://${b.hostPort},${c.hostPort}`);
      const r = node.acquireDynamic('Failover');
      expect(await r.waitForSource(10_000)).to.equal(true);

      // Whichever of b and c the client picked, kill it.
      const suspect = nextEvent(r, 'stateChanged', { timeout: 6000 });
      await b.stop('SIGKILL');
      await c.stop('SIGKILL');
      await c.restart();
      expect((await suspect)[0]).to.equal('suspect');
      printer.inkLevel = 77;
      const initialized = nextEvent(r, 'initialized', { timeout: 15_000 });
      await initialized;
      expect(r.get('inkLevel')).to.equal(77);
      await b.restart();
    });
  });
});

describe('nats:// shared streams (a change is published once, fanned out by NATS)', function () {
  this.timeout(20_000);
  let server: NatsServer;
  before(async () => {
    server = await NatsServer.start();
  });
  after(async () => {
    await server?.stop();
  });

  /** A plain NATS client of the test's own, to watch (and tamper with) the subjects. */
  async function watcher(): Promise<import('@nats-io/transport-node').NatsConnection> {
    const { connect } = await import('@nats-io/transport-node');
    return connect({ servers: server.hostPort });
  }

  it('publishes each change once on the source subject, whatever the number of replicas; none through the tunnels', async () => {
    // The 1000 changes are made in one turn of the event loop, so they travel as one NATS message
    // (a batch), seen once by this watcher however many replicas read it.
    const name = uniqueName();
    const host = new Host(`${server.url}/${name}`, { logger: silentLogger });
    await host.listening;
    const printer = new Printer();
    host.enableRemoting(printer, 'Once');
    const nodes = [0, 1, 2].map(() => new Node({ logger: silentLogger }));
    const nc = await watcher();
    try {
      const replicas: DynamicReplica[] = [];
      for (const node of nodes) {
        await node.connectToNode(host.hostUrl);
        const r = node.acquireDynamic('Once');
        expect(await r.waitForSource(5000)).to.equal(true);
        replicas.push(r);
      }
      let onStream = 0;
      let toNodes = 0;
      nc.subscribe(`tsro.h.${name}.s.>`, { callback: (_e, m) => void (m.data.length > 4 && onStream++) });
      nc.subscribe('_INBOX.>', { callback: (_e, m) => void (m.data.length > 4 && toNodes++) });
      await nc.flush();
      for (let v = 1; v <= 1000; v++) printer.inkLevel = v;
      await Promise.all(replicas.map((r) => waitFor(r, 'inkLevel', 1000, { timeout: 10_000 })));
      await nc.flush();
      expect(onStream).to.equal(1);
      // Host -> node tunnel traffic during the burst: keepalives at most, never the changes.
      expect(toNodes).to.be.below(10);
    } finally {
      await nc.close();
      for (const node of nodes) await node.close();
      await host.close();
    }
  });

  it('a lost packet (a gap in the numbers) makes the replica take a fresh snapshot: it ends consistent', async () => {
    const name = uniqueName();
    const host = new Host(`${server.url}/${name}`, { logger: silentLogger });
    await host.listening;
    const printer = new Printer();
    host.enableRemoting(printer, 'Gappy');
    const node = new Node({ logger: silentLogger });
    const nc = await watcher();
    try {
      await node.connectToNode(host.hostUrl);
      const r = node.acquireDynamic('Gappy');
      expect(await r.waitForSource(5000)).to.equal(true);
      printer.inkLevel = 1;
      await waitFor(r, 'inkLevel', 1, { timeout: 5000 });
      // A mark far ahead of what the replica has: as if packets 2..999 had been lost.
      const reinitialized = nextEvent(r, 'initialized', { timeout: 5000 });
      nc.publish(`tsro.h.${name}.s.1`, new Uint8Array([0xe7, 0x07]));
      await reinitialized;
      expect(r.state).to.equal('valid');
      expect(r.get('inkLevel')).to.equal(1);
      printer.inkLevel = 2;
      await waitFor(r, 'inkLevel', 2, { timeout: 5000 });
    } finally {
      await nc.close();
      await node.close();
      await host.close();
    }
  });
});

describe('nats:// calls under the caller\'s control (timeouts, cancellation, streams, error data)', function () {
  this.timeout(20_000);
  let server: NatsServer;
  let host: Host;
  let node: Node;
  /** Resolvers waiting for the next slot to see its call aborted. */
  const onAbort: (() => void)[] = [];
  const nextAbort = (): Promise<void> => within(new Promise<void>((resolve) => onAbort.push(resolve)), 5000, 'the slot to see the abort');

  @RemoteObjectType('NatsCalls')
  class NatsCalls {
    @Slot({ returns: 'void' }) async waitForAbort(): Promise<void> {
      const { signal } = currentCall()!;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      for (const resolve of onAbort.splice(0)) resolve();
    }
    @Slot({ params: ['int32'], returns: { stream: 'int32' } }) async *count(n: number): AsyncGenerator<number> {
      for (let i = 0; i < n; i++) yield i;
    }
    @Slot({ returns: 'void' }) fail(): void {
      throw Object.assign(new RangeError('too hot'), { sensorId: 7 });
    }
  }

  before(async () => {
    server = await NatsServer.start();
    host = new Host(`${server.url}/${uniqueName()}`, { logger: silentLogger });
    await host.listening;
    host.enableRemoting(new NatsCalls());
    node = new Node({ logger: silentLogger });
    await node.connectToNode(server.url);
  });
  after(async () => {
    await node?.close();
    await host?.close();
    await server?.stop();
  });

  it('a call past its timeout rejects TIMEOUT and the slot sees its signal abort', async () => {
    const r = node.acquire(NatsCalls);
    expect(await r.waitForSource(5000)).to.equal(true);
    const aborted = nextAbort();
    const err = await r.withCallOptions({ timeout: 200 }).waitForAbort().then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(TsroError).with.property('code', 'TIMEOUT');
    await aborted;
  });

  it('aborting a call rejects CANCELLED with the reason as cause', async () => {
    const r = node.acquireDynamic('NatsCalls');
    expect(await r.waitForSource(5000)).to.equal(true);
    const ac = new AbortController();
    const aborted = nextAbort();
    const pending = r.withCallOptions({ signal: ac.signal }).invoke('waitForAbort');
    ac.abort(new Error('user left'));
    const err = await pending.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(TsroError).with.property('code', 'CANCELLED');
    expect((err as Error).cause).to.have.property('message', 'user left');
    await aborted;
  });

  it('streams items in order through NATS', async () => {
    const r = node.acquire(NatsCalls);
    expect(await r.waitForSource(5000)).to.equal(true);
    const items: number[] = [];
    for await (const i of r.count(3000)) items.push(i);
    expect(items).to.deep.equal(Array.from({ length: 3000 }, (_, k) => k));
  });

  it('a slot error arrives as RemoteError with its data', async () => {
    const r = node.acquire(NatsCalls);
    expect(await r.waitForSource(5000)).to.equal(true);
    const err = await r.fail().then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(RemoteError).with.property('remoteName', 'RangeError');
    expect((err as RemoteError).remoteData).to.deep.equal({ sensorId: 7 });
  });
});

describe('nats:// without the NATS client installed (an optional peer dependency)', function () {
  this.timeout(30_000);

  it('fails connecting, discovering and listening with an error that says what to install', async () => {
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['-r', path.join(__dirname, '..', 'support', 'without-nats-client.js'), path.join(__dirname, '..', 'support', 'nats-missing-child.js')],
        { timeout: 25_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const results = JSON.parse(out) as Record<string, string>;
    expect(results.discover).to.match(/^CONNECT_FAILED: .*npm install @nats-io\/transport-node/);
    expect(results.connect).to.match(/^CONNECT_FAILED: .*npm install @nats-io\/transport-node/);
    expect(results.listen).to.match(/^LISTEN_FAILED: .*npm install @nats-io\/transport-node/);
  });
});
