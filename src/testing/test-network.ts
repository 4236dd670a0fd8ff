// TestNetwork: a Host and a Node joined for a test, closed with one call. In memory by default
// (no socket, no port: the same framing and protocol over an in-process stream pair), or over
// real loopback sockets (`transport: 'tcp'` on 127.0.0.1 port 0, or `'local'`, a unique local
// socket) for tests that want the real transport. It can cut the connection (the node's
// replicas turn suspect and it reconnects by itself), keep the host unreachable for a while, and
// restart the host on the same address. Warnings and errors tsro logs are recorded, not printed;
// closing fails if something was logged at error level (a listener threw...), unless allowed.

import { AssertionError } from 'node:assert';
import type { Duplex } from 'node:stream';
import { ConnectError, UsageError } from '../errors';
import { Host, type HostOptions } from '../host/host';
import { Node, type NodeOptions } from '../node/node';
import { connectSocket } from '../transport/node/socket-client';
import { parseUrl } from '../transport/url';
import type { Logger } from '../util/logger';
import type { Timers } from '../util/timers';
import { show } from './describe';
import { nextTurn, realDelay } from './real-time';
import { claimTestUrl, connectInMemory, TEST_SCHEME } from './test-transport';

/** Options of `TestNetwork.create(options)`. */
export interface TestNetworkOptions {
  /** `'memory'` (default): no sockets; `'tcp'`: 127.0.0.1 on a free port; `'local'`: a unique local socket. */
  readonly transport?: 'memory' | 'tcp' | 'local';
  /** Timers for the host and every node, e.g. a TestClock to drive heartbeats and backoff. */
  readonly timers?: Timers;
  /** More options of the host (its logger and timers are the network's). */
  readonly host?: Omit<HostOptions, 'logger' | 'timers'>;
  /**
   * More options of the network's nodes (their logger and timers are the network's).
   * Reconnecting starts at 10 ms and backs off to 100 ms unless `reconnect` says otherwise.
   */
  readonly node?: Omit<NodeOptions, 'logger' | 'timers'>;
  /** Do not fail `close()` when something was logged at error level. Default false. */
  readonly allowLoggedErrors?: boolean;
}

/** A line tsro logged in the network: who logged it, its level, message and error. */
export interface TestLogLine {
  /** Logged by the host or by one of the nodes. */
  readonly from: 'host' | 'node';
  /** Its level. */
  readonly level: 'warn' | 'error';
  /** The message. */
  readonly message: string;
  /** The error logged with it, if any. */
  readonly error?: unknown;
}

const TEST_RECONNECT = { initialDelay: 10, maxDelay: 100 } as const;
const CLOSE_TIMEOUT_MS = 5000;
let localNames = 0;

/** A Host that remembers what it remotes, so a restart can remote the same objects again. */
class RecordingHost extends Host {
  readonly remoted = new Map<object, string | undefined>();
  override enableRemoting(object: object, name?: string): boolean {
    const ok = super.enableRemoting(object, name);
    if (ok) this.remoted.set(object, name);
    return ok;
  }
  override disableRemoting(objectOrName: object | string): boolean {
    const ok = super.disableRemoting(objectOrName);
    if (ok && typeof objectOrName === 'object') this.remoted.delete(objectOrName);
    else if (ok) for (const [object, name] of this.remoted) if (name === objectOrName) this.remoted.delete(object);
    return ok;
  }
}

/**
 * A host and nodes joined for a test, in memory by default (no sockets): remote sources on
 * `net.host`, acquire on `net.node` (or more nodes). `close()` closes it all, and fails if tsro
 * logged an error meanwhile (unless allowed).
 */
export class TestNetwork {
  readonly #options: TestNetworkOptions;
  readonly #log: TestLogLine[] = [];
  readonly #nodes: Node[] = [];
  readonly #streams = new Set<Duplex>();
  readonly #claim: { readonly url: string; release(): void };
  readonly #hostUrl: string;
  #host: RecordingHost;
  #offline = false;
  #closed = false;

  /** The node the network made, connected to the host. */
  readonly node: Node;

  /**
   * Makes a host and a node and connects them: resolves once the node has the host's source
   * list. Close it with `close()` (or `await using`).
   */
  static async create(options: TestNetworkOptions = {}): Promise<TestNetwork> {
    const net = new TestNetwork(options);
    try {
      await net.#host.listening;
      await net.node.connectToNode(net.url);
    } catch (err) {
      await net.close().catch(() => {});
      throw err;
    }
    return net;
  }

  private constructor(options: TestNetworkOptions) {
    const transport = options.transport ?? 'memory';
    if (!['memory', 'tcp', 'local'].includes(transport)) throw new UsageError('TYPE_MISMATCH', `TestNetwork: unknown transport ${show(transport)} (memory, tcp or local)`);
    this.#options = options;
    this.#claim = claimTestUrl(() => this.#connect());
    this.#hostUrl =
      transport === 'memory' ? this.#claim.url : transport === 'tcp' ? 'tcp://127.0.0.1:0' : `local:tsro-test-${process.pid}-${++localNames}`;
    this.#host = this.#makeHost(this.#hostUrl);
    this.node = this.#makeNode();
  }

  /** The host (a new one after restartHost). */
  get host(): Host {
    return this.#host;
  }

  /** The URL the network's nodes connect to (`tsro-test:...`); other nodes may use it too. */
  get url(): string {
    return this.#claim.url;
  }

  /** How the host is reached: `memory`, `tcp` or `local`. */
  get transport(): 'memory' | 'tcp' | 'local' {
    return this.#options.transport ?? 'memory';
  }

  /** Warnings and errors tsro logged in this network, in order. */
  get log(): readonly TestLogLine[] {
    return this.#log;
  }

  /** One more node, connected to the host; closed with the network. */
  async addNode(options: Omit<NodeOptions, 'logger' | 'timers'> = {}): Promise<Node> {
    const node = this.#makeNode(options);
    await node.connectToNode(this.url);
    return node;
  }

  /**
   * Cuts every connection between the network's nodes and its host, as a network failure
   * would: replicas turn suspect, calls in flight fail with DISCONNECTED, and the nodes reconnect
   * by themselves (after their backoff delay: with a TestClock, advance it).
   */
  dropConnection(): void {
    for (const stream of [...this.#streams]) stream.destroy();
    this.#streams.clear();
  }

  /** Cuts the connections and refuses new ones until `reconnect()`: the host is unreachable. */
  disconnect(): void {
    this.#offline = true;
    this.dropConnection();
  }

  /** Lets nodes reach the host again; they reconnect on their next attempt. */
  reconnect(): void {
    this.#offline = false;
  }

  /**
   * Closes the host (nodes see the connection lost) and starts a new one on the same address.
   * `setup` remotes the new host's sources; without it, the objects the old host remoted are
   * remoted again under the same names. Resolves once the new host listens; nodes reconnect by
   * themselves (await a replica's `initialized`, or waitFor a value).
   */
  async restartHost(setup?: (host: Host) => void | Promise<void>): Promise<Host> {
    const old = this.#host;
    const remoted = [...old.remoted];
    const url = old.hostUrl;
    await old.close();
    this.dropConnection();
    const host = this.#makeHost(url);
    this.#host = host;
    await host.listening;
    if (setup) await setup(host);
    else for (const [object, name] of remoted) host.enableRemoting(object, name);
    return host;
  }

  /**
   * Closes every node, then the host, and cuts whatever stream is left: nothing of the network
   * stays open. Rejects if something was logged at error level (see allowLoggedErrors).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closing = Promise.all([...this.#nodes.map((n) => n.close()), this.#host.close()]);
    let cancel = (): void => {};
    const timeout = new Promise<never>((_, reject) => {
      cancel = realDelay(() => reject(new AssertionError({ message: `TestNetwork.close: the host and nodes did not close within ${CLOSE_TIMEOUT_MS} ms` })), CLOSE_TIMEOUT_MS);
    });
    try {
      await Promise.race([closing, timeout]);
    } finally {
      cancel();
      this.dropConnection();
      this.#claim.release();
    }
    // A closed server's handle is freed in the loop's close phase, which follows the check
    // phase: after two turns nothing of the network is left, not even a handle being freed.
    await nextTurn();
    await nextTurn();
    const errors = this.#log.filter((l) => l.level === 'error');
    if (errors.length > 0 && !this.#options.allowLoggedErrors) {
      throw new AssertionError({
        message: `tsro logged ${errors.length} error(s) during the test: ${errors.map((l) => `[${l.from}] ${l.message}${l.error === undefined ? '' : ` (${String(l.error)})`}`).join('; ')}`,
      });
    }
  }

  /** Same as `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #logger(from: 'host' | 'node'): Logger {
    return {
      warn: (message, error) => void this.#log.push({ from, level: 'warn', message, error }),
      error: (message, error) => void this.#log.push({ from, level: 'error', message, error }),
    };
  }

  #makeHost(url: string): RecordingHost {
    return new RecordingHost(url, { ...this.#options.host, logger: this.#logger('host'), timers: this.#options.timers });
  }

  #makeNode(options: Omit<NodeOptions, 'logger' | 'timers'> = {}): Node {
    const merged = { ...this.#options.node, ...options };
    const node = new Node({ ...merged, reconnect: merged.reconnect ?? TEST_RECONNECT, logger: this.#logger('node'), timers: this.#options.timers });
    this.#nodes.push(node);
    return node;
  }

  async #connect(): Promise<Duplex> {
    if (this.#closed) throw new ConnectError(`the test network at ${this.url} is closed`);
    if (this.#offline) throw new ConnectError(`the test network at ${this.url} is disconnected (reconnect() lets nodes in again)`);
    let streams: Duplex[];
    if (this.transport === 'memory') {
      streams = connectInMemory(this.#hostUrl);
    } else {
      await this.#host.listening;
      streams = [await connectSocket(parseUrl(this.#host.hostUrl))];
    }
    for (const s of streams) {
      this.#streams.add(s);
      s.once('close', () => this.#streams.delete(s));
    }
    return streams[0]!;
  }
}

export { TEST_SCHEME };
