// The `tsro` command-line inspector, end to end: the real binary (dist/src/cli/main.js) run as a
// child process against real hosts, in this process (tcp and local) and in a child process that
// is killed and restarted under `tsro watch`. Output, exit codes and the one stderr line of every
// failure class are checked; every run must end by itself (no handles left) or the test fails.

import { spawn, fork, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { expect } from 'chai';
import { Host, Property, RegistryHost, RemoteObjectType, silentLogger, Slot } from '../src/index';
import { TCP_ANY, uniqueLocalUrl, within } from './support/fixtures';
import { Printer } from './support/printer';
import { nextEvent } from '../src/testing';
import { OpensslMissingError, testCerts } from './support/certs';
import { runNode } from './support/run-node';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const CHILD_HOST = path.join(__dirname, 'support', 'child-host.js');
// A hang guard, not a timed test: a loaded machine takes seconds just to start a Node.js process.
const EXIT_WITHIN_MS = 30_000;

@RemoteObjectType('Gadget')
class Gadget {
  @Property({ type: 'int64' }) big: bigint = 12n;
  @Property({ type: 'bytes' }) blob: Uint8Array = new Uint8Array([1, 2, 3]);
  @Property({ type: 'date' }) when: Date = new Date('2024-05-01T12:00:00.000Z');
  @Property({ type: { map: 'double' } }) scores = new Map([['a', 1]]);
  @Property() nothing: unknown = undefined;
  @Property({ type: 'double' }) odd = -0;
  @Property({ type: { nullable: 'string' } }) label: string | null = null;
  @Property({ type: 'int32', constant: true }) capacity = 100;
  @Property({ type: 'int32', sourceOnlySetter: true }) level = 10;
  resets = 0;
  @Slot({ params: ['int64'], returns: 'int64' }) twice(x: bigint): bigint {
    return x * 2n;
  }
  @Slot({ params: ['bytes'], returns: 'int32' }) size(b: Uint8Array): number {
    return b.byteLength;
  }
  @Slot({ params: ['any'], returns: 'any' }) echo(v: unknown): unknown {
    return v;
  }
  @Slot() reset(): void {
    this.resets++;
  }
}

@RemoteObjectType('Ticks')
class Ticks {
  private openGate!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.openGate = resolve));
  @Slot({ params: ['int32'], returns: { stream: 'int32' } }) async *count(n: number): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) yield i;
  }
  /** 'first', then 'second' only once the test has seen 'first' printed. */
  @Slot({ returns: { stream: 'string' } }) async *gated(): AsyncGenerator<string> {
    yield 'first';
    await this.gate;
    yield 'second';
  }
  open(): void {
    this.openGate();
  }
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tsro ...args` to completion; fails if it does not exit by itself. */
async function tsro(...args: string[]): Promise<Run> {
  const run = await runNode([MAIN, ...args], { cwd: ROOT, killAfterMs: EXIT_WITHIN_MS });
  if (run.signal === 'SIGKILL') {
    throw new Error(`tsro ${args.join(' ')} did not exit by itself within ${EXIT_WITHIN_MS} ms\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return run;
}

function context(r: Run): string {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** Exit 0, nothing on stderr; returns stdout's lines. */
function ok(r: Run): string[] {
  expect(r.code, context(r)).to.equal(0);
  expect(r.stderr, context(r)).to.equal('');
  return r.stdout.split('\n').slice(0, -1);
}

/** The given exit code, nothing on stdout, exactly one line on stderr, matching `re`. */
function fails(r: Run, code: number, re: RegExp): void {
  expect(r.code, context(r)).to.equal(code);
  expect(r.stdout, context(r)).to.equal('');
  expect(r.stderr, context(r)).to.match(/^tsro: [^\n]+\n$/);
  expect(r.stderr, context(r)).to.match(re);
  expect(r.stderr, context(r)).not.to.match(/\bat .*\.js:\d+/);
}

/** Lines of a running process's stdout, awaited one pattern at a time. */
class Lines {
  private readonly lines: string[] = [];
  private partial = '';
  private next = 0;
  private wake: (() => void) | undefined;
  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      const parts = (this.partial + s).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.wake?.();
    });
  }

  /** Resolves with the first line from the read position on that matches; fails after `ms`. */
  async expect(re: RegExp, ms = 4000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.next < this.lines.length) {
        const line = this.lines[this.next++]!;
        if (re.test(line)) return line;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${re} within ${ms} ms; got:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  get all(): readonly string[] {
    return this.lines;
  }
}

function exited(child: ChildProcess, ms = 4000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return within(new Promise((resolve) => child.once('exit', (code) => resolve(code))), ms, 'the process to exit');
}

function startWatch(...args: string[]): { child: ChildProcess; out: Lines; stderr: () => string } {
  const child = spawn(process.execPath, [MAIN, 'watch', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return { child, out: new Lines(child), stderr: () => stderr };
}

function forkHost(url: string, inkLevel: number): Promise<ChildProcess> {
  const child = fork(CHILD_HOST, [url, String(inkLevel)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return within(
    new Promise<ChildProcess>((resolve, reject) => {
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`child host exited with ${code} before it was ready`)));
    }),
    5000,
    'the child host',
  );
}

/** A tcp URL nobody listens on (a port that was free a moment ago). */
async function deadTcpUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `tcp://127.0.0.1:${port}`;
}

describe('tsro CLI (bin: dist/src/cli/main.js)', function () {
  this.timeout(60_000);
  let host: Host;
  let localHost: Host;
  let printer: Printer;
  let gadget: Gadget;
  const ticks = new Ticks();
  let url: string;
  let localUrl: string;

  beforeEach(async () => {
    host = new Host(TCP_ANY, { logger: silentLogger });
    localHost = new Host(uniqueLocalUrl('cli'), { logger: silentLogger });
    await Promise.all([host.listening, localHost.listening]);
    printer = new Printer();
    gadget = new Gadget();
    host.enableRemoting(printer);
    host.enableRemoting(gadget);
    host.enableRemoting(ticks);
    localHost.enableRemoting(new Printer());
    url = host.hostUrl;
    localUrl = localHost.hostUrl;
  });

  afterEach(async () => {
    await Promise.all([host.close(), localHost.close()]);
  });

  it('has a shebang line, so that the "bin" entry runs with node', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(MAIN, 'utf8').split('\n')[0]).to.equal('#!/usr/bin/env node');
  });

  describe('help', () => {
    it('tsro --help lists every command, the options and the exit codes', async () => {
      const out = ok(await tsro('--help')).join('\n');
      for (const c of ['list URL', 'describe URL NAME', 'get URL NAME [PROP]', 'set URL NAME PROP VALUE', 'call URL NAME SLOT', 'watch URL NAME']) {
        expect(out).to.contain(`tsro ${c}`);
      }
      expect(out).to.match(/--json/).and.match(/--timeout MS/).and.match(/Exit codes/);
    });

    it('tsro <command> --help and tsro help <command> show that command', async () => {
      const [a, b] = await Promise.all([tsro('call', '--help'), tsro('help', 'set')]);
      expect(ok(a)[0]).to.equal('Usage: tsro call URL NAME SLOT [ARGS...] [options]');
      expect(ok(b)[0]).to.equal('Usage: tsro set URL NAME PROP VALUE [options]');
    });
  });

  describe('list', () => {
    it('prints a table of the sources a tcp host offers', async () => {
      const lines = ok(await tsro('list', url));
      expect(lines[0]).to.match(/^NAME\s+TYPE\s+SIGNATURE\s+URL$/);
      expect(lines.slice(1)).to.have.length(3);
      expect(lines[1]).to.match(new RegExp(`^Gadget\\s+Gadget\\s+[0-9a-f]{12}\\s+${url}$`));
      expect(lines[2]).to.match(new RegExp(`^Printer\\s+Printer\\s+[0-9a-f]{12}\\s+${url}$`));
      expect(lines[3]).to.match(new RegExp(`^Ticks\\s+Ticks\\s+[0-9a-f]{12}\\s+${url}$`));
    });

    it('of a registry: the whole network, and sources on other hosts are reached through it', async () => {
      const registry = new RegistryHost(TCP_ANY, { logger: silentLogger });
      const member = new Host(TCP_ANY, { logger: silentLogger });
      try {
        await Promise.all([registry.listening, member.listening]);
        member.setRegistryUrl(registry.hostUrl);
        const added = nextEvent(registry, 'remoteObjectAdded', { timeout: 4000 });
        member.enableRemoting(new Printer(), 'RemotePrinter');
        await added;
        const [listed, called] = await Promise.all([
          tsro('list', registry.hostUrl, '--json'),
          tsro('call', registry.hostUrl, 'RemotePrinter', 'add', '1', '2'),
        ]);
        const sources = JSON.parse(ok(listed).join('\n')) as Record<string, string>[];
        expect(sources.find((x) => x.name === 'RemotePrinter')).to.include({ typeName: 'Printer', url: member.hostUrl });
        expect(sources.find((x) => x.name === 'Registry')).to.include({ typeName: 'Registry', url: registry.hostUrl });
        expect(ok(called)).to.deep.equal(['3']);
      } finally {
        await member.close();
        await registry.close();
      }
    });

    it('works with ws:// URLs like any other: list, set, call', async () => {
      const wsHost = new Host('ws://127.0.0.1:0/tsro', { logger: silentLogger });
      try {
        await wsHost.listening;
        const wsPrinter = new Printer();
        wsHost.enableRemoting(wsPrinter);
        const [listed, called, set] = await Promise.all([
          tsro('list', wsHost.hostUrl, '--json'),
          tsro('call', wsHost.hostUrl, 'Printer', 'add', '2', '3'),
          tsro('set', wsHost.hostUrl, 'Printer', 'inkLevel', '12'),
        ]);
        expect(JSON.parse(ok(listed).join('\n'))[0]).to.include({ name: 'Printer', url: wsHost.hostUrl });
        expect(ok(called)).to.deep.equal(['5']);
        ok(set);
        expect(wsPrinter.inkLevel).to.equal(12);
      } finally {
        await wsHost.close();
      }
    });

    it('--json: name, type, full signature and URL of each source of a local host', async () => {
      const sources = JSON.parse(ok(await tsro('list', localUrl, '--json')).join('\n')) as Record<string, string>[];
      expect(sources).to.have.length(1);
      expect(sources[0]).to.include({ name: 'Printer', typeName: 'Printer', url: localUrl });
      expect(sources[0]!.signature).to.match(/^[0-9a-f]{64}$/);
    });
  });

  describe('describe', () => {
    it('shows properties (type, readonly/writable, value), signals and slots', async () => {
      printer.inkLevel = 64;
      const lines = ok(await tsro('describe', url, 'Printer'));
      expect(lines[0]).to.equal(`Printer: type Printer at ${url}`);
      expect(lines[1]).to.match(/^signature [0-9a-f]{64}$/);
      expect(lines).to.include.members([
        'properties:',
        '  inkLevel  any       writable  = 64',
        '  busy      any       readonly  = false',
        '  copies    int32     writable  = 1',
        '  queue     string[]  writable  = []',
        'signals:',
        '  jammed(_page: double, _reason: string)',
        'slots:',
        '  print(doc: string): int32',
        '  add(a: double, b: double): double',
        '  greet(name: string, greeting?: any): string',
      ]);
    });

    it('--json gives the same as data', async () => {
      const d = JSON.parse(ok(await tsro('--json', 'describe', url, 'Gadget')).join('\n'));
      expect(d).to.deep.include({ name: 'Gadget', typeName: 'Gadget', url, signals: [] });
      expect(d.properties.map((p: { mode: string }) => p.mode).slice(-2)).to.deep.equal(['constant', 'sourceOnlySetter']);
      expect(d.slots.map((x: { name: string }) => x.name)).to.include('pushLevel');
      expect(d.properties[0]).to.deep.equal({ name: 'big', type: 'int64', readonly: false, mode: 'writable', value: { $bigint: '12' } });
      expect(d.properties[3]).to.deep.equal({ name: 'scores', type: 'map<double>', readonly: false, mode: 'writable', value: { $map: [['a', 1]] } });
      expect(d.slots.find((x: { name: string }) => x.name === 'twice')).to.deep.equal({ name: 'twice', params: [{ name: 'x', type: 'int64', optional: false }], returns: 'int64' });
    });
  });

  describe('get', () => {
    it('prints one property, or all of them', async () => {
      printer.queue = ['a', 'b'];
      const [one, all] = await Promise.all([tsro('get', url, 'Printer', 'queue'), tsro('get', url, 'Printer')]);
      expect(ok(one)).to.deep.equal(['["a", "b"]']);
      expect(ok(all)).to.deep.equal(['inkLevel = 100', 'busy     = false', 'copies   = 1', 'queue    = ["a", "b"]']);
    });

    it('shows bigint, bytes, Date, Map, undefined and -0 readably', async () => {
      expect(ok(await tsro('get', url, 'Gadget'))).to.deep.equal([
        'big      = 12n',
        'blob     = <Uint8Array 3 bytes: 010203>',
        'when     = 2024-05-01T12:00:00.000Z',
        'scores   = Map(1) {"a" => 1}',
        'nothing  = undefined',
        'odd      = -0',
        'label    = null',
        'capacity = 100',
        'level    = 10',
      ]);
    });

    it('--json encodes them with $-tags', async () => {
      const values = JSON.parse(ok(await tsro('get', url, 'Gadget', '--json')).join('\n'));
      expect(values).to.deep.equal({
        big: { $bigint: '12' },
        blob: { $bytes: '010203' },
        when: { $date: '2024-05-01T12:00:00.000Z' },
        scores: { $map: [['a', 1]] },
        nothing: { $undefined: true },
        odd: { $number: '-0' },
        label: null,
        capacity: 100,
        level: 10,
      });
    });
  });

  describe('set', () => {
    it('sets a property; the source has it when tsro exits', async () => {
      expect(ok(await tsro('set', url, 'Printer', 'inkLevel', '50'))).to.deep.equal(['Printer.inkLevel = 50']);
      expect(printer.inkLevel).to.equal(50);
      expect(ok(await tsro('set', localUrl, 'Printer', 'queue', '["x"]', '--json'))).to.deep.equal([
        '{"source":"Printer","property":"queue","value":["x"]}',
      ]);
    });

    it('reads int64 exactly, dates from ISO strings, bytes and maps from $-tags', async () => {
      const runs = await Promise.all([
        tsro('set', url, 'Gadget', 'big', '9007199254740993'),
        tsro('set', url, 'Gadget', 'when', '"2030-01-02T03:04:05Z"'),
        tsro('set', url, 'Gadget', 'blob', '{"$bytes":"ff00"}'),
        tsro('set', url, 'Gadget', 'scores', '{"x": 1.5}'),
        tsro('set', url, 'Gadget', 'label', '"hi"'),
      ]);
      runs.forEach(ok);
      expect(gadget.big).to.equal(9007199254740993n);
      expect(gadget.when.toISOString()).to.equal('2030-01-02T03:04:05.000Z');
      expect([...gadget.blob]).to.deep.equal([255, 0]);
      expect(gadget.scores).to.satisfy((v: unknown) => (v instanceof Map ? v.get('x') === 1.5 : (v as Record<string, number>).x === 1.5));
      expect(gadget.label).to.equal('hi');
    });

    it('negative numbers are values, not options', async () => {
      ok(await tsro('set', url, 'Printer', 'copies', '-3'));
      expect(printer.copies).to.equal(-3);
    });
  });

  describe('call', () => {
    it('prints what the slot returned', async () => {
      const [add, print, greet, twice, reset] = await Promise.all([
        tsro('call', url, 'Printer', 'add', '2', '3'),
        tsro('call', url, 'Printer', 'print', '"doc"'),
        tsro('call', localUrl, 'Printer', 'greet', '"bob"', '"hi"'),
        tsro('call', url, 'Gadget', 'twice', '21'),
        tsro('call', url, 'Gadget', 'reset'),
      ]);
      expect(ok(add)).to.deep.equal(['5']);
      expect(ok(print)).to.deep.equal(['3']);
      expect(printer.queue).to.deep.equal(['doc']);
      expect(ok(greet)).to.deep.equal(['"hi bob"']);
      expect(ok(twice)).to.deep.equal(['42n']);
      expect(ok(reset)).to.deep.equal([]); // void: nothing to print
      expect(gadget.resets).to.equal(1);
    });

    it('prints a stream slot\'s items, one a line (also with --json)', async () => {
      const [plain, json] = await Promise.all([tsro('call', url, 'Ticks', 'count', '3'), tsro('call', url, 'Ticks', 'count', '2', '--json')]);
      expect(ok(plain)).to.deep.equal(['0', '1', '2']);
      expect(ok(json)).to.deep.equal(['0', '1']);
    });

    it('prints stream items as they arrive, not at the end', async () => {
      const child = spawn(process.execPath, [MAIN, 'call', url, 'Ticks', 'gated'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      await within(
        new Promise<void>((resolve) =>
          child.stdout.setEncoding('utf8').on('data', (s: string) => {
            stdout += s;
            if (stdout.includes('"first"\n')) resolve();
          }),
        ),
        EXIT_WITHIN_MS,
        'the first item on stdout',
      );
      expect(stdout).to.equal('"first"\n');
      ticks.open();
      expect(await within(exited, EXIT_WITHIN_MS, 'tsro to exit')).to.equal(0);
      expect(stdout).to.equal('"first"\n"second"\n');
    });

    it('--json: the result round-trips through the $-encoding', async () => {
      const value = '{"$map":[[1,{"$bigint":"-5"}],["d",{"$date":"2024-01-01T00:00:00.000Z"}]],"$extra":"ignored"}';
      const tagged = '[{"$map":[[1,{"$bigint":"-5"}],["d",{"$date":"2024-01-01T00:00:00.000Z"}]]},{"$number":"NaN"},{"$undefined":true},{"$object":{"$bytes":"no tag"}},{"$bytes":"0a0b"}]';
      const [plain, tags, size] = await Promise.all([
        tsro('call', url, 'Gadget', 'echo', value, '--json'),
        tsro('call', url, 'Gadget', 'echo', tagged, '--json'),
        tsro('call', url, 'Gadget', 'size', '[1, 2, 3, 4]', '--json'),
      ]);
      expect(JSON.parse(ok(plain)[0]!)).to.deep.equal(JSON.parse(value));
      expect(ok(tags)).to.deep.equal([tagged]);
      expect(ok(size)).to.deep.equal(['4']);
    });
  });

  describe('failures: exit code and one line on stderr', () => {
    it('unreachable host: 2', async () => {
      const [tcp, local] = await Promise.all([tsro('list', await deadTcpUrl()), tsro('get', uniqueLocalUrl('nobody'), 'Printer')]);
      fails(tcp, 2, /cannot connect to tcp:\/\/127\.0\.0\.1:\d+: connection refused/);
      fails(local, 2, /cannot connect to local:tsro-nobody-\d+-\d+: no such socket/);
    });

    it('a host that accepts but never answers: 2 after --timeout', async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((sock) => sockets.push(sock));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as net.AddressInfo).port;
        fails(await tsro('list', `tcp://127.0.0.1:${port}`, '--timeout', '300'), 2, /did not complete the handshake within 300 ms/);
      } finally {
        for (const sock of sockets) sock.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('malformed URL: 1', async () => {
      const [scheme, port] = await Promise.all([tsro('list', 'http://localhost:80'), tsro('get', 'tcp://127.0.0.1', 'Printer')]);
      fails(scheme, 1, /invalid URL "http:\/\/localhost:80": unsupported scheme "http"/);
      fails(port, 1, /invalid URL "tcp:\/\/127\.0\.0\.1"/);
    });

    it('unknown source: 3 as soon as the source list says so, with the closest names', async () => {
      // A --timeout far beyond the time tsro() allows for exiting: the answer must not wait for it.
      const [get, watch, typo] = await Promise.all([
        tsro('get', url, 'Nope', '--timeout', '600000'),
        tsro('watch', url, 'Nope', '--timeout=600000'),
        tsro('get', url, 'Printr', '--timeout', '600000'),
      ]);
      fails(get, 3, /no source "Nope" at tcp:\/\/127\.0\.0\.1:\d+ \(it offers Gadget, Printer, Ticks\)\.$/m);
      fails(watch, 3, /no source "Nope"/);
      fails(typo, 3, /no source "Printr" .* Did you mean "Printer"\?/);
    });

    it('--credential: a host that refuses it (or its absence) is 7, AUTH_FAILED', async () => {
      const guarded = new Host(TCP_ANY, { logger: silentLogger, authenticate: (credential) => credential === 'open sesame' });
      try {
        await guarded.listening;
        guarded.enableRemoting(new Printer());
        const [none, wrong, right] = await Promise.all([
          tsro('list', guarded.hostUrl),
          tsro('list', guarded.hostUrl, '--credential', 'guess'),
          tsro('get', guarded.hostUrl, 'Printer', 'inkLevel', '--credential=open sesame'),
        ]);
        fails(none, 7, /AUTH_FAILED; see --credential/);
        fails(wrong, 7, /AUTH_FAILED/);
        expect(ok(right)).to.deep.equal(['100']);
      } finally {
        await guarded.close();
      }
    });

    it('--ca, --cert, --key: a tls:// host that asks for a client certificate', async function () {
      let certs;
      try {
        certs = testCerts();
      } catch (err) {
        if (err instanceof OpensslMissingError) this.skip();
        throw err;
      }
      const secure = new Host('tls://127.0.0.1:0', {
        logger: silentLogger,
        tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert, requestCert: true },
      });
      try {
        await secure.listening;
        secure.enableRemoting(new Printer());
        const [withCert, untrusted, usage] = await Promise.all([
          tsro('get', secure.hostUrl, 'Printer', 'inkLevel', '--ca', certs.ca.certPath, '--cert', certs.client.certPath, '--key', certs.client.keyPath),
          tsro('list', secure.hostUrl, '--timeout', '2000'),
          tsro('list', secure.hostUrl, '--cert', certs.client.certPath),
        ]);
        expect(ok(withCert)).to.deep.equal(['100']);
        expect(untrusted.code, context(untrusted)).to.equal(2);
        fails(usage, 1, /--cert and --key go together/);
      } finally {
        await secure.close();
      }
    });

    it('unknown property or slot: 3', async () => {
      const runs = await Promise.all([
        tsro('get', url, 'Printer', 'nope'),
        tsro('set', url, 'Printer', 'nope', '1'),
        tsro('call', url, 'Printer', 'nope'),
        tsro('call', url, 'Printer', 'constructor'),
      ]);
      fails(runs[0]!, 3, /source "Printer" has no property "nope" \(properties: inkLevel, busy, copies, queue\)/);
      fails(runs[1]!, 3, /has no property "nope"/);
      fails(runs[2]!, 3, /source "Printer" has no slot "nope" \(slots: print, add, /);
      fails(runs[3]!, 3, /has no slot "constructor"/);
    });

    it('a slot that throws: 4, with the remote error name and message', async () => {
      const [sync, later] = await Promise.all([
        tsro('call', url, 'Printer', 'fail', '"out of paper"'),
        tsro('call', url, 'Printer', 'failLater', '"later"'),
      ]);
      fails(sync, 4, /^tsro: Printer\.fail\(\) threw RangeError: out of paper\n$/);
      fails(later, 4, /^tsro: Printer\.failLater\(\) threw TypeError: later\n$/);
    });

    it('readonly property: 5, and nothing changes', async () => {
      const [busy, capacity, level] = await Promise.all([
        tsro('set', url, 'Printer', 'busy', 'true'),
        tsro('set', url, 'Gadget', 'capacity', '1'),
        tsro('set', url, 'Gadget', 'level', '1'),
      ]);
      fails(busy, 5, /property Printer\.busy is readonly \(READONLY\)/);
      fails(capacity, 5, /property Gadget\.capacity is constant \(READONLY\)/);
      fails(level, 5, /property Gadget\.level is set by the source only; call pushLevel\(value\) to ask it \(READONLY\)/);
      expect(printer.busy).to.equal(false);
      expect(gadget.capacity).to.equal(100);
      expect(gadget.level).to.equal(10);
      ok(await tsro('call', url, 'Gadget', 'pushLevel', '12'));
      expect(gadget.level).to.equal(12);
    });

    it('wrong argument count or type: 5', async () => {
      const runs = await Promise.all([
        tsro('call', url, 'Printer', 'add', '1'),
        tsro('call', url, 'Printer', 'add', '1', '2', '3'),
        tsro('call', url, 'Printer', 'add', '"x"', '1'),
        tsro('set', url, 'Printer', 'copies', '2.5'),
      ]);
      fails(runs[0]!, 5, /slot "add" of "Printer" takes 2 arguments, got 1 \(ARGUMENT_COUNT\)/);
      fails(runs[1]!, 5, /takes 2 arguments, got 3/);
      fails(runs[2]!, 5, /argument 1 of slot "add" of "Printer" expects double, got string "x" \(TYPE_MISMATCH\)/);
      fails(runs[3]!, 5, /property "copies" of "Printer" expects int32, got 2\.5/);
      expect(printer.copies).to.equal(1);
    });

    it('an argument that is not JSON: 1, with a hint', async () => {
      const [bare, broken, tag] = await Promise.all([
        tsro('call', url, 'Printer', 'print', 'doc'),
        tsro('set', url, 'Printer', 'inkLevel', '{'),
        tsro('call', url, 'Gadget', 'echo', '{"$bigint":"x"}'),
      ]);
      fails(bare, 1, /argument 1 \(doc\) of Printer\.print\(\): "doc" is not valid JSON; a string must be quoted, e\.g\. '"doc"'/);
      fails(broken, 1, /value for Printer\.inkLevel: "\{" is not valid JSON/);
      fails(tag, 1, /\{"\$bigint": \.\.\.\} expects an integer as a string/);
      expect(printer.queue).to.deep.equal([]);
    });

    it('command-line mistakes: 1', async () => {
      const runs = await Promise.all([
        tsro(),
        tsro('frob', url),
        tsro('get', url),
        tsro('list', url, 'extra'),
        tsro('list', url, '--nope'),
        tsro('list', url, '--timeout', 'soon'),
      ]);
      fails(runs[0]!, 1, /no command given/);
      fails(runs[1]!, 1, /unknown command "frob"/);
      fails(runs[2]!, 1, /get: missing operand; usage: tsro get URL NAME \[PROP\]/);
      fails(runs[3]!, 1, /list: too many operands/);
      fails(runs[4]!, 1, /unknown option --nope/);
      fails(runs[5]!, 1, /--timeout expects a positive number of milliseconds, got "soon"/);
    });

    it('a call that gets no answer within --timeout: 6, and tsro still exits by itself', async () => {
      fails(await tsro('call', url, 'Printer', 'hang', '--timeout', '400'), 6, /calling Printer\.hang\(\) got no answer within 400 ms/);
    });
  });

  describe('watch', () => {
    it('prints the current values, then changes and signals as JSON lines; SIGTERM ends it with 0', async () => {
      const w = startWatch('--json', url, 'Printer');
      try {
        const first = JSON.parse(await w.out.expect(/"event":"state"/));
        expect(first).to.include({ event: 'state', state: 'valid', previous: 'uninitialized' });
        expect(new Date(first.time).getTime()).to.be.closeTo(Date.now(), 10_000);
        await w.out.expect(/^\{.*"property":"queue","value":\[\]\}$/);
        printer.copies = 7;
        expect(JSON.parse(await w.out.expect(/"property":"copies"/))).to.include({ event: 'change', value: 7 });
        printer.jammed(2, 'paper');
        expect(JSON.parse(await w.out.expect(/"event":"signal"/))).to.deep.include({ signal: 'jammed', args: [2, 'paper'] });
        w.child.kill('SIGTERM');
        expect(await exited(w.child)).to.equal(0);
        expect(w.stderr()).to.equal('');
        for (const l of w.out.all) expect(() => JSON.parse(l), l).not.to.throw();
      } finally {
        w.child.kill('SIGKILL');
      }
    });

    it('survives the host restarting: suspect, then valid again with the new values; SIGINT ends it with 0', async function () {
      this.timeout(60_000);
      const hostUrl = uniqueLocalUrl('cli-watch');
      let child = await forkHost(hostUrl, 100);
      const w = startWatch(hostUrl, 'Printer');
      try {
        await w.out.expect(/^state valid$/);
        await w.out.expect(/^inkLevel = 100$/);
        child.send({ type: 'set', name: 'inkLevel', value: 42 });
        await w.out.expect(/^inkLevel = 42$/);

        child.kill('SIGKILL');
        await exited(child);
        await w.out.expect(/^state suspect$/);

        child = await forkHost(hostUrl, 7);
        await w.out.expect(/^state valid$/, 8000);
        await w.out.expect(/^inkLevel = 7$/);
        child.send({ type: 'set', name: 'copies', value: 3 });
        await w.out.expect(/^copies = 3$/);

        w.child.kill('SIGINT');
        expect(await exited(w.child)).to.equal(0);
        expect(w.stderr()).to.equal('');
      } finally {
        w.child.kill('SIGKILL');
        child.kill('SIGKILL');
      }
    });
  });
});
