// Real nats-server processes for the NATS tests (Debian's `nats-server` package; `.ci/run`
// installs it when missing). Servers listen on loopback only, on ports the OS picks; a
// restarted server gets its old ports back, so clients configured with them reconnect.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nats-server binary: on PATH, or where Debian puts it (/usr/sbin, not on every PATH). */
export function natsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, 'nats-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error(
    'nats-server was not found on PATH (nor in /usr/sbin): the NATS tests need it. ' +
      'Install Debian\'s package: apt-get install -y nats-server (.ci/run does this when it is missing).',
  );
}

const CLIENT_LINE = /Listening for client connections on 127\.0\.0\.1:(\d+)/;
const ROUTE_LINE = /Listening for route connections on 127\.0\.0\.1:(\d+)/;

export class NatsServer {
  #proc: ChildProcess | undefined;
  #port = -1;
  #routePort = -1;
  #log = '';

  private constructor(
    private readonly cluster: { readonly name: string; readonly routes: readonly NatsServer[] } | undefined,
  ) {}

  /** Starts a server; with `cluster`, it joins (routes to) the servers given. */
  static async start(cluster?: { readonly name: string; readonly routes: readonly NatsServer[] }): Promise<NatsServer> {
    const server = new NatsServer(cluster);
    await server.launch();
    return server;
  }

  /** A cluster of `n` servers, all routed to the first. */
  static async cluster(n: number): Promise<NatsServer[]> {
    const name = `tsro${process.pid}x${Math.floor(Math.random() * 1e9)}`;
    const first = await NatsServer.start({ name, routes: [] });
    const rest = await Promise.all(Array.from({ length: n - 1 }, () => NatsServer.start({ name, routes: [first] })));
    return [first, ...rest];
  }

  get port(): number {
    return this.#port;
  }

  /** `host:port` for a nats:// URL. */
  get hostPort(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get url(): string {
    return `nats://${this.hostPort}`;
  }

  get running(): boolean {
    return this.#proc !== undefined;
  }

  private launch(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', this.#port > 0 ? String(this.#port) : '-1'];
    if (this.cluster) {
      args.push('--cluster_name', this.cluster.name, '--cluster', `nats://127.0.0.1:${this.#routePort > 0 ? this.#routePort : -1}`);
      if (this.cluster.routes.length > 0) args.push('--routes', this.cluster.routes.map((r) => `nats://127.0.0.1:${r.#routePort}`).join(','));
    }
    const proc = spawn(natsServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = proc;
    this.#log = '';
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`nats-server did not start within 10 s:\n${this.#log}`)), 10_000);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(err);
      };
      const onData = (chunk: Buffer): void => {
        this.#log += chunk.toString();
        const client = CLIENT_LINE.exec(this.#log);
        if (client) this.#port = Number(client[1]);
        const route = ROUTE_LINE.exec(this.#log);
        if (route) this.#routePort = Number(route[1]);
        if (this.#log.includes('Server is ready') && client && (!this.cluster || route)) {
          clearTimeout(timer);
          proc.stderr!.off('data', onData);
          proc.stderr!.resume();
          resolve();
        }
      };
      proc.stderr!.on('data', onData);
      proc.stdout!.resume();
      proc.once('exit', (code) => {
        if (this.#proc === proc) this.#proc = undefined;
        fail(new Error(`nats-server exited (${code}) before it was ready:\n${this.#log}`));
      });
      proc.once('error', (err) => fail(err));
    });
  }

  /** Stops the server: SIGTERM (a clean shutdown), or SIGKILL (a crash). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const proc = this.#proc;
    if (!proc) return;
    this.#proc = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  }

  /** Starts the server again on the same ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }
}
