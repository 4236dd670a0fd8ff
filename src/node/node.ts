// A Node: connects to hosts and acquires replicas of their sources. A façade over collaborators
// with one job each: the connection pool (one connection per host URL, reconnecting with
// backoff), the source directory (what connected hosts offer), the registry follower, the
// replica binder (one ReplicaCore per acquired name, subscribed where its source is offered)
// and the persistence saver. A replica acquired before any host offers its source waits,
// uninitialized, and initializes by itself once a connected host offers it.

import { DEFAULT_MAX_FRAME_SIZE, type DuplexStream, type FrameLink } from '../transport/frame-link';
import type { ModelReplica, ModelReplicaOptions } from '../model/model-replica';
import type { TlsClientOptions } from '../transport/node/tls-options';
import type { PersistedStore } from '../persistence/persisted-store';
import { RegistrySource } from '../registry/registry-source';
import type { DynamicReplica } from '../replica/dynamic-replica';
import type { Replica } from '../replica/replica-types';
import { EventHub } from '../util/emitter';
import { consoleLogger, type Logger } from '../util/logger';
import { checkTimeout, systemTimers, type Timers } from '../util/timers';
import type { TsroError } from '../errors';
import type { WaitOptions } from '../replica/call-options';
import { ConnectionPool, type ConnectOptions } from './connection-pool';

export type { ConnectOptions } from './connection-pool';
import { PersistenceSaver } from './persistence-saver';
import { RegistryFollower } from './registry-follower';
import { ReplicaBinder } from './replica-binder';
import { SourceDirectory } from './source-directory';

/** How a node retries a lost connection (option `reconnect`): capped exponential backoff. */
export interface ReconnectOptions {
  /** Delay before the first attempt after a loss, in ms. Default 100. */
  readonly initialDelay?: number;
  /** Longest delay between attempts, in ms. Default 5000. */
  readonly maxDelay?: number;
  /** Growth of the delay per failed attempt. Default 2. */
  readonly factor?: number;
}

/** Options of `new Node(options)` (and of Host and RegistryHost, which add their own). */
export interface NodeOptions {
  /** Where warnings go (connections closed for garbage, refused calls...). Default: stderr. */
  readonly logger?: Logger;
  /** Timers for waits, heartbeats and backoff; inject fake ones in tests. */
  readonly timers?: Timers;
  /** Largest frame accepted, in bytes (announced to peers, which then send nothing larger). Default 16 MiB. */
  readonly maxFrameSize?: number;
  /**
   * Most bytes waiting to be sent on one connection before its peer counts as too slow and the
   * connection is closed (LIMIT_EXCEEDED, logged). Default 32 MiB.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Most value cost units one received frame may carry: every value 1, more for values that
   * allocate objects (a Map 6, bytes 4, a list, object, bigint or date 3), every object field
   * 4, every Map entry and number of a packed array 1. A frame over it is refused before it is
   * decoded (PROTOCOL_ERROR, that connection closes). Bounds the memory and time one frame can
   * cost. Default 393,216 (with the default maxFrameSize: within 64 MiB per frame, measured).
   */
  readonly maxValuesPerFrame?: number;
  /**
   * For `tls://` hosts: the CA to trust (default: Node's built-in CAs), a client certificate
   * and key for hosts that ask for one, servername... (Node's tls option names).
   */
  readonly tls?: TlsClientOptions;
  /**
   * Sent to every host this node connects to, for a host's `authenticate` check: a value (e.g.
   * a token), or a function of the host's URL giving one.
   */
  readonly credential?: unknown;
  /**
   * Timeout of every slot call and property set of this node's replicas that does not set its
   * own (`replica.withCallOptions({ timeout })`), in ms: past it the call rejects with TIMEOUT
   * and the host is told (the slot's `currentCall().signal` aborts). Default 0: none. Streams
   * are bounded only by their own `withCallOptions({ timeout })`.
   */
  readonly callTimeout?: number;
  /** How long connecting to a host, handshake included, may take, in ms. Default 10 s. */
  readonly connectTimeout?: number;
  /**
   * Ping hosts after this many ms without traffic; a host silent for two intervals (e.g. a
   * frozen process) is taken for lost. Default 0: off.
   */
  readonly heartbeatInterval?: number;
  /**
   * Reconnecting to a host after a connection that was up is lost: capped exponential backoff,
   * retried until it succeeds or the node is closed. `false` turns it off. (A first
   * connectToNode that fails is not retried unless it asks: `{ retry: true }`.)
   */
  readonly reconnect?: ReconnectOptions | false;
  /**
   * Where typed replicas keep their `persisted: true` properties, so they start from the last
   * values this node saw (state `default`) before any connection.
   */
  readonly persistedStore?: PersistedStore;
  /**
   * URL of a registry (a RegistryHost). The node then finds sources it acquires without
   * connectToNode, and a host publishes its sources there. Same as calling setRegistryUrl.
   */
  readonly registryUrl?: string;
}

/** A source's place on the network, as node events report it. */
export interface RemoteObjectLocation {
  /** The source name. */
  readonly name: string;
  /** Its `@RemoteObjectType` name. */
  readonly typeName: string;
  /** The URL of the host that offers it. */
  readonly url: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Events of a Node (`node.on(event, fn)`). */
export interface NodeEvents {
  /** A source appeared on the registry. */
  remoteObjectAdded: (location: RemoteObjectLocation) => void;
  /** A source left the registry. */
  remoteObjectRemoved: (location: RemoteObjectLocation) => void;
  /** A connection to a host is up (handshake done, source list in): the first time and after every reconnection. */
  connected: (event: { readonly url: string }) => void;
  /** A connection that was up is lost (not fired for node.close()); `error` says why. */
  disconnected: (event: { readonly url: string; readonly error: TsroError }) => void;
  /**
   * The node will try to (re)connect to `url` in `delay` ms: attempt `attempt` (1 for the first
   * retry), after `error`.
   */
  reconnecting: (event: { readonly url: string; readonly attempt: number; readonly delay: number; readonly error: TsroError | undefined }) => void;
}

/** The collaborators behind one Node (and the Host built on it). @internal */
export interface NodeParts {
  readonly logger: Logger;
  readonly timers: Timers;
  readonly maxFrameSize: number;
  readonly maxBufferedBytes: number | undefined;
  readonly maxValuesPerFrame: number | undefined;
  /** Node events (NodeEvents). */
  readonly events: EventHub;
  readonly pool: ConnectionPool;
  readonly directory: SourceDirectory;
  readonly registry: RegistryFollower;
  readonly binder: ReplicaBinder;
  /** Saves persisted properties (when the node has a store); close() waits for it. */
  readonly saver: PersistenceSaver | undefined;
}

function makeParts(options: NodeOptions): NodeParts {
  const logger = options.logger ?? consoleLogger;
  const timers = options.timers ?? systemTimers;
  const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const events = new EventHub(logger);
  const reconnect = options.reconnect === false ? undefined : { initialDelay: 100, maxDelay: 5000, factor: 2, ...options.reconnect };
  // The parts refer to each other through these closures; all of them exist before any runs.
  let pool!: ConnectionPool;
  let directory!: SourceDirectory;
  let registry!: RegistryFollower;
  const saver = options.persistedStore ? new PersistenceSaver(options.persistedStore, logger) : undefined;
  const binder = new ReplicaBinder({
    logger,
    timers,
    saver,
    closed: () => pool.closed,
    offer: (name) => directory.offer(name),
    lookup: (name) => directory.lookup(name),
    locate: (name) => registry.locations?.get(name),
    ensureConnected: (url) => pool.ensureConnected(url),
    knownSourceNames: () => {
      const locations = registry.locations;
      if (locations === undefined && [...pool.connections()].length === 0) return undefined;
      const names = new Set<string>();
      for (const [name, offer] of directory.entries()) if (!offer.info.child) names.add(name);
      if (locations) for (const name of locations.keys()) names.add(name);
      return { names: [...names].sort(), registry: locations !== undefined };
    },
  });
  directory = new SourceDirectory(logger, () => pool.connections(), binder);
  directory.watch(() => binder.hintWaiting());
  pool = new ConnectionPool(
    {
      logger,
      timers,
      maxFrameSize,
      maxBufferedBytes: options.maxBufferedBytes,
      maxValuesPerFrame: options.maxValuesPerFrame,
      tls: options.tls,
      credential: options.credential,
      connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
      heartbeatInterval: options.heartbeatInterval ?? 0,
      reconnect,
      callTimeout: checkTimeout(options.callTimeout ?? 0, 'callTimeout'),
      events,
    },
    directory,
  );
  registry = new RegistryFollower({
    logger,
    events,
    acquireRegistry: () => binder.acquire(RegistrySource, 'Registry'),
    ensureConnected: (url) => pool.ensureConnected(url),
    sourceListed: (name, hostUrl) => binder.sourceListed(name, hostUrl),
  });
  registry.onInitialized(() => binder.bindWaiting());
  return {
    logger,
    timers,
    maxFrameSize,
    maxBufferedBytes: options.maxBufferedBytes,
    maxValuesPerFrame: options.maxValuesPerFrame,
    events,
    pool,
    directory,
    registry,
    binder,
    saver,
  };
}

let partsOf: (node: Node) => NodeParts;

/** The collaborators behind a node, for the layers built on it (Host) and tests. @internal */
export function nodeParts(node: Node): NodeParts {
  return partsOf(node);
}

/**
 * A process's end of the network: connects to hosts (`connectToNode`) or finds them through a
 * registry (`registryUrl`), and acquires replicas of their sources (`acquire`, `acquireDynamic`,
 * `acquireModel`). `close()` (or `await using`) releases everything it holds.
 */
export class Node {
  readonly #parts: NodeParts;

  static {
    partsOf = (node) => node.#parts;
  }

  constructor(options: NodeOptions = {}) {
    this.#parts = makeParts(options);
    if (options.registryUrl !== undefined) this.#parts.registry.follow(options.registryUrl);
  }

  /**
   * Listens to `remoteObjectAdded` / `remoteObjectRemoved` (sources appearing on the registry),
   * `connected` / `disconnected` (connections to hosts coming and going) and `reconnecting`
   * (the delay before the next attempt).
   */
  on<E extends keyof NodeEvents>(event: E, fn: NodeEvents[E]): this {
    this.#parts.events.on(event, fn as (...args: never[]) => unknown);
    return this;
  }

  /** Listens to the next occurrence of a node event only. */
  once<E extends keyof NodeEvents>(event: E, fn: NodeEvents[E]): this {
    this.#parts.events.once(event, fn as (...args: never[]) => unknown);
    return this;
  }

  /** Stops listening (`fn` as given to `on` or `once`). */
  off<E extends keyof NodeEvents>(event: E, fn: NodeEvents[E]): this {
    this.#parts.events.off(event, fn as (...args: never[]) => unknown);
    return this;
  }

  /** The registry's replica, once a registry URL is set. */
  get registry(): Replica<RegistrySource> | undefined {
    return this.#parts.registry.replica;
  }

  /**
   * Follows the registry at `url` (connecting, and reconnecting, by itself). Returns false, and
   * changes nothing, if this node already has a registry. A malformed URL throws URL_INVALID.
   */
  setRegistryUrl(url: string): boolean {
    return this.#parts.registry.follow(url);
  }

  /** The registry URL in use, if any. */
  get registryUrl(): string | undefined {
    return this.#parts.registry.url;
  }

  /**
   * Resolves true once the registry's replica is valid; false without a registry, on timeout
   * (`ms` or `{ timeout }`, default 30 s; Infinity or negative: none) or when the node closes.
   * Rejects with CANCELLED if `{ signal }` aborts first.
   */
  waitForRegistry(wait?: number | WaitOptions): Promise<boolean> {
    return this.#parts.registry.waitForRegistry(wait);
  }

  /**
   * Names of the sources of a type this node knows of: offered by connected hosts or listed by
   * the registry (of a host with more than 1000 sources, those known as for knownSources()).
   */
  instances(typeName: string): string[] {
    const names = new Set<string>();
    for (const [name, offer] of this.#parts.directory.entries()) if (offer.info.typeName === typeName && !offer.info.child) names.add(name);
    const locations = this.#parts.registry.locations;
    if (locations) for (const [name, loc] of locations) if (loc.typeName === typeName) names.add(name);
    return [...names].sort();
  }

  /**
   * Every source this node knows of, with where it lives (connected hosts, then the registry).
   * A host offering more than 1000 sources does not send their list at connect: its sources
   * are here once this node acquired them, was told they were added, or listed them with
   * `listSources()`.
   */
  knownSources(): (RemoteObjectLocation & {
    /** The source's API signature. */
    readonly signature: string;
  })[] {
    const seen = new Map<string, RemoteObjectLocation & { readonly signature: string }>();
    for (const [name, offer] of this.#parts.directory.entries()) {
      if (offer.info.child) continue;
      seen.set(name, { name, typeName: offer.info.typeName, url: offer.connection.url, signature: offer.info.signature });
    }
    const locations = this.#parts.registry.locations;
    if (locations) {
      for (const [name, loc] of locations) {
        if (!seen.has(name)) seen.set(name, { name, typeName: loc.typeName, url: loc.hostUrl, signature: loc.signature });
      }
    }
    return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Every source of every connected host (fetched, page by page, from hosts with too many to
   * list at connect) and of the registry: `knownSources()` once it is complete. The fetched
   * sources stay known (and current) for as long as their connection lasts.
   */
  async listSources(): Promise<
    (RemoteObjectLocation & {
      /** The source's API signature. */
      readonly signature: string;
    })[]
  > {
    await this.#parts.directory.listAll();
    return this.knownSources();
  }

  /**
   * Connects to a host; resolves once the handshake is done and the host's source list has
   * arrived. A malformed URL throws at once (URL_INVALID); a host that cannot be reached rejects
   * with CONNECT_FAILED (TIMEOUT if it accepts but never answers), one that speaks another
   * protocol version with PROTOCOL_MISMATCH. Connecting again to a URL this node is connected or
   * connecting to returns the same wait. Once connected, a lost connection is re-established by
   * itself (see `reconnect`). With `{ retry: true }` a failed attempt is retried with the
   * reconnect backoff (`reconnecting` events show each delay) until the host answers.
   */
  connectToNode(url: string, options?: ConnectOptions): Promise<void> {
    return this.#parts.pool.connectToNode(url, options);
  }

  /**
   * Carries the protocol over a stream you connected yourself (QtRO's addClientSideConnection):
   * any Node.js Duplex (e.g. a socket of your own transport, or one end of a pipe), or a
   * FrameLink of your own (src/transport/frame-link.ts), in any runtime. Resolves once the
   * host at the other end has answered the handshake; its sources are then offered like those
   * of any connected host. Such a connection is not re-established when it drops: hand in a new
   * stream. `name` labels it in messages and knownSources() (default `external:N`).
   */
  addClientSideConnection(stream: DuplexStream | FrameLink, name?: string): Promise<void> {
    return this.#parts.pool.addClientSideConnection(stream, name);
  }

  /** Acquires a typed replica of `cls`'s API; the source name defaults to its type name. */
  acquire<T extends object>(cls: abstract new (...args: never[]) => T, name?: string): Replica<T> {
    return this.#parts.binder.acquire(cls, name);
  }

  /** Acquires a replica by source name, whose API arrives with the source. */
  acquireDynamic(name: string): DynamicReplica {
    return this.#parts.binder.acquireDynamic(name);
  }

  /**
   * Acquires a replica of a model source (a remoted ListModel) by name: its row count once
   * valid, rows fetched on demand into a bounded cache, row operations as events.
   */
  acquireModel<T = unknown>(name: string, options: ModelReplicaOptions = {}): ModelReplica<T> {
    return this.#parts.binder.acquireModel<T>(name, options);
  }

  /**
   * Closes every connection this node made; pending calls reject with CLOSED, replicas turn
   * suspect. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#parts.pool.closed) return;
    const closing = this.#parts.pool.close();
    this.#parts.binder.endWaits();
    await closing;
    // Resolves once persisted values are durable: a node or process started next sees them.
    await this.#parts.saver?.settle();
    this.#parts.events.clear();
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
