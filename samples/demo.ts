// `npm start`: QtRO's two documentation scenarios, each as a host process and a client process,
// then a small network built on a registry
// talking tcp on 127.0.0.1.
//
//   1. GPS: gps-host remotes a simulated receiver; gps-client follows it with a typed replica.
//   2. Printer: printer-host remotes a printer; printer-client prints through a typed replica,
//      trips a RemoteError, and takes one look through a dynamic replica.
//
// Hosts listen on port 0 and report their real URL over IPC; the demo hands it to the client.
// Every line a child prints is shown with its role in front. The demo waits for the client, shuts
// the host down, and checks that every child exits 0 by itself (so no child left a handle open).
// It exits 0 when all went well, 1 with a message naming the failing child or the passed
// deadline; either way it kills nothing it did not start and leaves nothing running.

import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const DEADLINE_MS = 20_000;
const HOST_URL = 'tcp://127.0.0.1:0';
const GPS_UPDATES = 5;
const GPS_INTERVAL_MS = 100;
const ROLE_WIDTH = 'printer-client'.length;

type Message = { type?: string; url?: string };

class DemoFailure extends Error {}

/** Set once the demo must give up: a child failed or the deadline passed. */
let abort!: (error: Error) => void;
const aborted = new Promise<never>((_, reject) => (abort = reject));
aborted.catch(() => {});

/** Waits for `p` unless the demo is aborted first. */
function step<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, aborted]);
}

function say(role: string, line: string): void {
  console.log(`[${role}]`.padEnd(ROLE_WIDTH + 3) + line);
}

const children = new Set<Child>();

/** One forked sample process: its output prefixed, its IPC messages, its exit. */
class Child {
  private readonly proc: ChildProcess;
  private readonly messages: Message[] = [];
  private readonly waiters: { type: string; resolve(m: Message): void }[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private expectedToEnd = false;
  /** Resolves once the process has exited and its output is all printed. */
  readonly closed: Promise<void>;

  constructor(
    readonly role: string,
    script: string,
    args: string[],
  ) {
    this.proc = fork(path.join(__dirname, script), args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    children.add(this);
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => say(role, line));
    readline.createInterface({ input: this.proc.stderr! }).on('line', (line) => say(role, `(stderr) ${line}`));
    this.proc.on('message', (m: Message) => this.received(m));
    this.closed = new Promise<void>((resolve) => {
      this.proc.once('error', (err) => {
        abort(new DemoFailure(`${role} could not be started: ${err.message}`));
        resolve();
      });
      this.proc.once('close', (code, signal) => {
        children.delete(this);
        this.exit = { code, signal };
        if (code !== 0) {
          abort(new DemoFailure(`${role} exited with ${code === null ? `signal ${signal}` : `code ${code}`}`));
        } else if (!this.expectedToEnd) {
          abort(new DemoFailure(`${role} exited before the demo was done with it`));
        }
        // Anyone still waiting for a message from it is released by `aborted` (code !== 0 or
        // unexpected exit) or no longer waits (expected exit).
        resolve();
      });
    });
  }

  /** Resolves with the first IPC message of this type (also one that already arrived). */
  nextMessage(type: string): Promise<Message> {
    const i = this.messages.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0]!);
    if (this.exit) return Promise.reject(new DemoFailure(`${this.role} exited without sending "${type}"`));
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }

  send(message: object): void {
    if (this.proc.connected) this.proc.send(message);
  }

  /** Waits for a clean exit (the child ends by itself). */
  async finished(): Promise<void> {
    this.expectedToEnd = true;
    await step(this.closed);
  }

  /** Kills the process if it still runs; resolves when it is gone. */
  async kill(): Promise<void> {
    if (this.exit) return;
    this.expectedToEnd = true;
    this.proc.kill('SIGKILL');
    await this.closed;
  }

  private received(m: Message): void {
    const i = this.waiters.findIndex((w) => w.type === m?.type);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    else this.messages.push(m);
  }
}

async function startHost(role: string, script: string, args: string[]): Promise<{ host: Child; url: string }> {
  const host = new Child(role, script, [HOST_URL, ...args]);
  const { url } = await step(host.nextMessage('listening'));
  if (!url) throw new DemoFailure(`${role} reported no URL`);
  return { host, url };
}

async function gpsScenario(): Promise<void> {
  say('demo', 'GPS scenario: a receiver publishes positions, a client follows them');
  const { host, url } = await startHost('gps-host', 'gps/gps-host.js', [String(GPS_UPDATES), String(GPS_INTERVAL_MS)]);
  const client = new Child('gps-client', 'gps/gps-client.js', [url]);
  await step(client.nextMessage('ready')); // subscribed: it will see every position
  host.send({ cmd: 'start' });
  await client.finished();
  host.send({ cmd: 'shutdown' });
  await host.finished();
}

async function printerScenario(): Promise<void> {
  say('demo', 'Printer scenario: a client prints through a typed replica, then looks through a dynamic one');
  const { host, url } = await startHost('printer-host', 'printer/printer-host.js', []);
  const client = new Child('printer-client', 'printer/printer-client.js', [url]);
  await client.finished();
  host.send({ cmd: 'shutdown' });
  await host.finished();
}

async function registryScenario(): Promise<void> {
  say('demo', 'Registry scenario: two sensor hosts publish to a registry; a monitor knows only the registry');
  const registry = await startHost('registry', 'registry/registry.js', []);
  const kitchen = await startHost('kitchen-host', 'registry/sensor-host.js', [registry.url, 'kitchen', '21']);
  const garage = await startHost('garage-host', 'registry/sensor-host.js', [registry.url, 'garage', '12']);
  const monitor = new Child('monitor', 'registry/monitor.js', [registry.url, 'kitchen', 'garage']);
  await monitor.finished();
  for (const h of [kitchen.host, garage.host, registry.host]) {
    h.send({ cmd: 'shutdown' });
    await h.finished();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const deadline = setTimeout(() => abort(new DemoFailure(`the deadline of ${DEADLINE_MS / 1000} s passed`)), DEADLINE_MS);
  try {
    await gpsScenario();
    await printerScenario();
    await registryScenario();
    say('demo', `all processes exited cleanly in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    say('demo', `FAILED: ${message}`);
    if (!(err instanceof DemoFailure) && err instanceof Error && err.stack) console.error(err.stack);
    process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
    const left = [...children];
    if (left.length > 0) say('demo', `stopping ${left.map((c) => c.role).join(', ')}`);
    await Promise.all(left.map((c) => c.kill()));
  }
}

void main();
