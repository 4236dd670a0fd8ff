// A Node: connects to hosts and acquires replicas of their sources. It keeps one connection
// per host URL, the directory of sources those hosts offer, and one ReplicaCore per acquired
// source name. A replica acquired before any host offers its source waits, uninitialized, and
// initializes by itself once a connected host offers it.

import type { ApiDescription } from '../api/api-description';
import { apiOf, type AnyClass } from '../api/metadata';
import type { PersistedStore } from '../persistence/persisted-store';
import type { Duplex } from 'node:stream';
import { DisconnectedError, TimeoutError, UsageError, type TsroError } from '../errors';
import { FrameChannel, DEFAULT_MAX_FRAME_SIZE } from '../transport/frame-channel';
import { connectSocket } from '../transport/node/socket-client';
import { connectWebSocket } from '../transport/node/websocket-client';
import type { TlsClientOptions } from '../transport/node/tls-options';
import { parseUrl, type TransportAddress } from '../transport/url';
import { DynamicReplica, DynamicView } from '../replica/dynamic-replica';
import { EventHub } from '../util/emitter';
import { connectCustom, discoverHosts, type HostDiscovery } from '../transport/transport-schemes';
import { sharedStreamSubscriberOf } from '../transport/shared-streams';
import { RegistrySource } from '../registry/registry-source';
import { consoleLogger, type Logger } from '../util/logger';
import { NodeConnection, type NodeConnectionEvents, type SourceInfo } from './node-connection';
import { Peer } from '../protocol/peer';
import { ReplicaCore } from '../replica/replica-core';
import type { ReplicaOwner, ReplicaView } from '../replica/replica-view';
import type { Replica } from '../replica/replica-types';
import { systemTimers, type Timers } from '../util/timers';
import { typedReplicaFor } from '../replica/typed-replica';

export interface ReconnectOptions {
  /** Delay before the first attempt after a loss, in ms. Default 100. */
  readonly initialDelay?: number;
  /** Longest delay between attempts, in ms. Default 5000. */
  readonly maxDelay?: number;
  /** Growth of the delay per failed attempt. Default 2. */
  readonly factor?: number;
}

export interface NodeOptions {
  /** Where warnings go (connections closed for garbage, refused calls...). Default: stderr. */
  readonly logger?: Logger;
  /** Timers for waits, heartbeats and backoff; inject fake ones in tests. */
  readonly timers?: Timers;
  /** Largest frame accepted, in bytes (announced to peers, which then send nothing larger). Default 64 MiB. */
  readonly maxFrameSize?: number;
  /**
   * Most bytes waiting to be sent on one connection before its peer counts as too slow and the
   * connection is closed (LIMIT_EXCEEDED, logged). Default 32 MiB.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Most value elements (values, object keys, numbers of packed arrays) one received frame may
   * carry; a frame with more is refused before it is decoded (PROTOCOL_ERROR, that connection
   * closes). Bounds the memory and time one frame can cost. Default 1,048,576.
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
   * connectToNode that fails is not retried: it rejects.)
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
  readonly name: string;
  readonly typeName: string;
  readonly url: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

interface Offer {
  readonly connection: NodeConnection;
  readonly info: SourceInfo;
}

/** A host this node wants to stay connected to. */
interface RemoteHost {
  readonly url: string;
  /** Where to connect; undefined for a stream handed in with addClientSideConnection. */
  readonly address: TransportAddress | undefined;
  connection: NodeConnection | undefined;
  opening: Promise<void> | undefined;
  retryTimer: unknown;
  failures: number;
  /** Retried even if the first attempt fails (registry, and hosts found through it). */
  persistent: boolean;
  /** Handed in with addClientSideConnection: never re-established by this node. */
  external?: boolean;
}

export class Node implements ReplicaOwner, NodeConnectionEvents {
  /** @internal */ readonly logger: Logger;
  /** @internal */ readonly timers: Timers;
  protected readonly maxFrameSize: number;
  protected readonly maxBufferedBytes: number | undefined;
  protected readonly maxValuesPerFrame: number | undefined;
  protected readonly tlsOptions: TlsClientOptions | undefined;
  private readonly credential: unknown;
  private readonly connectTimeout: number;
  private readonly heartbeatInterval: number;
  private readonly persistedStore: PersistedStore | undefined;
  private readonly reconnect: Required<ReconnectOptions> | undefined;
  private readonly remotes = new Map<string, RemoteHost>();
  private readonly offered = new Map<string, Offer>();
  private readonly cores = new Map<string, ReplicaCore>();
  protected isClosed = false;
  private registryReplica: Replica<RegistrySource> | undefined;
  private readonly events: EventHub;

  constructor(options: NodeOptions = {}) {
    const logger = options.logger ?? consoleLogger;
    this.logger = logger;
    this.events = new EventHub(logger);
    this.timers = options.timers ?? systemTimers;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.maxValuesPerFrame = options.maxValuesPerFrame;
    this.tlsOptions = options.tls;
    this.credential = options.credential;
    this.connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.heartbeatInterval = options.heartbeatInterval ?? 0;
    this.persistedStore = options.persistedStore;
    this.reconnect =
      options.reconnect === false
        ? undefined
        : { initialDelay: 100, maxDelay: 5000, factor: 2, ...options.reconnect };
    if (options.registryUrl !== undefined) this.setRegistryUrl(options.registryUrl);
  }

  /** Listens to `remoteObjectAdded` / `remoteObjectRemoved` (sources appearing on the registry). */
  on(event: 'remoteObjectAdded' | 'remoteObjectRemoved', fn: (location: RemoteObjectLocation) => void): this {
    this.events.on(event, fn);
    return this;
  }

  once(event: 'remoteObjectAdded' | 'remoteObjectRemoved', fn: (location: RemoteObjectLocation) => void): this {
    this.events.once(event, fn);
    return this;
  }

  off(event: 'remoteObjectAdded' | 'remoteObjectRemoved', fn: (location: RemoteObjectLocation) => void): this {
    this.events.off(event, fn);
    return this;
  }

  /** The registry's replica, once a registry URL is set. */
  get registry(): Replica<RegistrySource> | undefined {
    return this.registryReplica;
  }

  /**
   * Follows the registry at `url` (connecting, and reconnecting, by itself). Returns false, and
   * changes nothing, if this node already has a registry. A malformed URL throws URL_INVALID.
   */
  setRegistryUrl(url: string): boolean {
    parseUrl(url);
    if (this.registryReplica) {
      this.logger.warn(`setRegistryUrl(${url}): this node already follows the registry at ${this.registryUrlValue}`);
      return false;
    }
    this.registryUrlValue = url;
    const registry = this.acquire(RegistrySource, 'Registry');
    this.registryReplica = registry;
    registry.on('initialized', () => this.registryInitialized());
    registry.on('remoteObjectAdded', (name, location) => {
      this.events.fire('remoteObjectAdded', { name, typeName: location.typeName, url: location.hostUrl });
      const core = this.cores.get(name);
      if (core && !core.subscription) this.ensureConnected(location.hostUrl);
    });
    registry.on('remoteObjectRemoved', (name, location) => {
      this.events.fire('remoteObjectRemoved', { name, typeName: location.typeName, url: location.hostUrl });
    });
    this.ensureConnected(url);
    return true;
  }

  private registryUrlValue: string | undefined;

  /** The registry URL in use, if any. */
  get registryUrl(): string | undefined {
    return this.registryUrlValue;
  }

  /** Resolves true once the registry's replica is valid; false without a registry or on timeout. */
  waitForRegistry(ms?: number): Promise<boolean> {
    if (!this.registryReplica) {
      this.logger.warn('waitForRegistry: no registry URL is set');
      return Promise.resolve(false);
    }
    return this.registryReplica.waitForSource(ms);
  }

  /** Names of the sources of a type this node knows of: offered by connected hosts or listed by the registry. */
  instances(typeName: string): string[] {
    const names = new Set<string>();
    for (const [name, offer] of this.offered) if (offer.info.typeName === typeName && !offer.info.child) names.add(name);
    const locations = this.registryReplica?.isReplicaValid() ? this.registryReplica.sourceLocations : undefined;
    if (locations) for (const [name, loc] of locations) if (loc.typeName === typeName) names.add(name);
    return [...names].sort();
  }

  /** Every source this node knows of, with where it lives (connected hosts, then the registry). */
  knownSources(): (RemoteObjectLocation & { readonly signature: string })[] {
    const seen = new Map<string, RemoteObjectLocation & { readonly signature: string }>();
    for (const [name, offer] of this.offered) {
      if (offer.info.child) continue;
      seen.set(name, { name, typeName: offer.info.typeName, url: offer.connection.url, signature: offer.info.signature });
    }
    const locations = this.registryReplica?.isReplicaValid() ? this.registryReplica.sourceLocations : undefined;
    if (locations) {
      for (const [name, loc] of locations) {
        if (!seen.has(name)) seen.set(name, { name, typeName: loc.typeName, url: loc.hostUrl, signature: loc.signature });
      }
    }
    return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The registry's replica became valid (first time, or again after it came back). */
  protected registryInitialized(): void {
    for (const core of this.cores.values()) if (!core.subscription) this.bind(core);
  }

  /** Connects to a host found through the registry, and keeps trying until it works. */
  protected ensureConnected(url: string): void {
    if (this.isClosed) return;
    const known = this.remotes.get(url);
    if (known) {
      known.persistent = true;
      return;
    }
    let address: TransportAddress;
    try {
      address = parseUrl(url);
    } catch (err) {
      this.logger.warn(`the registry lists a source at an invalid URL`, err);
      return;
    }
    const remote = this.addRemote(url, address, { persistent: true });
    this.open(remote).catch((err: unknown) => {
      remote.connection = undefined;
      this.logger.warn(`cannot reach ${url} yet; retrying`, err);
      this.scheduleReconnect(remote);
    });
  }

  /**
   * Connects to a host; resolves once the handshake is done and the host's source list has
   * arrived. A malformed URL throws at once (URL_INVALID); a host that cannot be reached rejects
   * with CONNECT_FAILED (TIMEOUT if it accepts but never answers), one that speaks another
   * protocol version with PROTOCOL_MISMATCH. Connecting again to a URL this node is connected or
   * connecting to returns the same wait. Once connected, a lost connection is re-established by
   * itself (see `reconnect`).
   */
  connectToNode(url: string): Promise<void> {
    const address = parseUrl(url);
    if (this.isClosed) return Promise.reject(new DisconnectedError('the node is closed', 'CLOSED'));
    const discovery = this.discoveries.get(address.url)?.started ?? this.discover(address);
    if (discovery) return discovery;
    const known = this.remotes.get(url);
    if (known?.opening) return known.opening;
    if (known?.connection) return Promise.resolve();
    if (known) return this.open(known); // waiting to retry: try now
    const remote = this.addRemote(url, address, { persistent: false });
    const first = this.open(remote);
    first.catch(() => {
      if (remote.persistent) this.scheduleReconnect(remote);
      else if (!remote.connection && remote.retryTimer === undefined) this.remotes.delete(url);
    });
    return first;
  }

  /** Places where hosts meet (a bare nats://servers) whose hosts this node follows, by URL. */
  private readonly discoveries = new Map<string, { readonly discovery: HostDiscovery; readonly started: Promise<void> }>();

  /**
   * A URL that names a meeting place of hosts rather than one host: follow every host there
   * (connect to each as it appears, drop it when it leaves). Resolves once the hosts found by
   * the first look are connected (or failed to). Undefined for a URL of one host.
   */
  private discover(address: TransportAddress): Promise<void> | undefined {
    const discovery = discoverHosts(address, {
      found: (hostUrl) => this.hostAnnounced(hostUrl),
      lost: (hostUrl) => this.hostWithdrawn(hostUrl),
    });
    if (!discovery) return undefined;
    const started = discovery.start().then(async (found) => {
      await Promise.allSettled(found.map((u) => this.remotes.get(u)?.opening));
    });
    this.discoveries.set(address.url, { discovery, started });
    started.catch(() => {
      if (this.discoveries.get(address.url)?.discovery === discovery) this.discoveries.delete(address.url);
      void discovery.close();
    });
    return started;
  }

  /** A host announced itself (first time, or again after a restart): connect now. */
  private hostAnnounced(url: string): void {
    const known = this.remotes.get(url);
    if (known && !known.connection && !known.opening) {
      known.failures = 0;
      this.open(known).catch((err: unknown) => {
        known.connection = undefined;
        this.logger.warn(`cannot reach ${url} yet; retrying`, err);
        this.scheduleReconnect(known);
      });
      return;
    }
    this.ensureConnected(url);
  }

  /** A host said goodbye or fell silent: stop trying to reach it; its replicas wait for a return. */
  private hostWithdrawn(url: string): void {
    const remote = this.remotes.get(url);
    if (!remote) return;
    if (remote.retryTimer !== undefined) this.timers.clearTimeout(remote.retryTimer);
    remote.retryTimer = undefined;
    this.remotes.delete(url);
    remote.connection?.close();
  }

  private addRemote(url: string, address: TransportAddress | undefined, kind: { persistent: boolean; external?: boolean }): RemoteHost {
    const remote: RemoteHost = { url, address, connection: undefined, opening: undefined, retryTimer: undefined, failures: 0, ...kind };
    this.remotes.set(url, remote);
    return remote;
  }

  /** One attempt to connect and complete the handshake. */
  private open(remote: RemoteHost): Promise<void> {
    if (remote.retryTimer !== undefined) this.timers.clearTimeout(remote.retryTimer);
    remote.retryTimer = undefined;
    const attempt = (async () => {
      if (!remote.address) throw new DisconnectedError(`${remote.url} was handed in as a stream; it cannot be reopened`);
      const stream = await this.openStream(remote.url, remote.address);
      if (this.isClosed) {
        stream.destroy();
        throw new DisconnectedError('the node was closed while connecting', 'CLOSED');
      }
      await this.attach(remote, stream);
      remote.failures = 0;
    })();
    remote.opening = attempt;
    const settle = (): void => {
      if (remote.opening === attempt) remote.opening = undefined;
    };
    attempt.then(settle, settle);
    return attempt;
  }

  /** The byte stream to a host: a socket, or (a Host reaching itself) an in-process pair. */
  protected openStream(_url: string, address: TransportAddress): Promise<Duplex> {
    if (address.scheme === 'custom') return connectCustom(address);
    if (address.scheme === 'ws' || address.scheme === 'wss') {
      return connectWebSocket(address, { maxFrameSize: this.maxFrameSize, timeoutMs: this.connectTimeout, tls: this.tlsOptions });
    }
    return connectSocket(address, { timeoutMs: this.connectTimeout, tls: this.tlsOptions });
  }

  /** Runs the protocol over `stream` to `remote`; resolves once the host's source list is in. */
  private async attach(remote: RemoteHost, stream: Duplex): Promise<void> {
    const channel = new FrameChannel(stream, {
      maxFrameSize: this.maxFrameSize,
      maxBufferedBytes: this.maxBufferedBytes,
      label: remote.url,
    });
    const credential = typeof this.credential === 'function' ? (this.credential as (url: string) => unknown)(remote.url) : this.credential;
    const peer = new Peer(channel, remote.url, this.maxFrameSize, credential, this.maxValuesPerFrame);
    const connection = new NodeConnection(remote.url, peer, this, this.timers, this.heartbeatInterval, sharedStreamSubscriberOf(stream));
    remote.connection = connection;
    try {
      peer.start();
    } catch (err) {
      // E.g. a credential that cannot be carried: nothing was sent; drop the stream.
      connection.abort(err as TsroError);
      throw err;
    }
    const timer = this.timers.setTimeout(
      () => connection.abort(new TimeoutError(`${remote.url} accepted the connection but did not complete the handshake within ${this.connectTimeout} ms`)),
      this.connectTimeout,
    );
    try {
      await connection.ready;
    } finally {
      this.timers.clearTimeout(timer);
    }
  }

  private externalCount = 0;

  /**
   * Carries the protocol over a stream you connected yourself (QtRO's addClientSideConnection):
   * any Duplex, e.g. a socket of your own transport, or one end of a pipe. Resolves once the
   * host at the other end has answered the handshake; its sources are then offered like those
   * of any connected host. Such a connection is not re-established when it drops: hand in a new
   * stream. `name` labels it in messages and knownSources() (default `external:N`).
   */
  addClientSideConnection(stream: Duplex, name = `external:${++this.externalCount}`): Promise<void> {
    if (this.isClosed) return Promise.reject(new DisconnectedError('the node is closed', 'CLOSED'));
    if (this.remotes.has(name)) return Promise.reject(new UsageError('DECLARATION_INVALID', `a connection named ${name} already exists`));
    // Never opened by this node, so it has no address to connect to.
    const remote = this.addRemote(name, undefined, { persistent: false, external: true });
    const attempt = this.attach(remote, stream);
    remote.opening = attempt;
    attempt.then(
      () => {
        if (remote.opening === attempt) remote.opening = undefined;
      },
      () => {
        if (remote.opening === attempt) remote.opening = undefined;
        if (this.remotes.get(name) === remote && !remote.connection?.isOpen) this.remotes.delete(name);
      },
    );
    return attempt;
  }

  private scheduleReconnect(remote: RemoteHost): void {
    const policy = this.reconnect;
    if (!policy || this.isClosed || remote.retryTimer !== undefined || remote.opening) return;
    const delay = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** remote.failures);
    remote.failures++;
    remote.retryTimer = this.timers.setTimeout(() => {
      remote.retryTimer = undefined;
      if (this.isClosed || this.remotes.get(remote.url) !== remote) return;
      this.open(remote).catch((err: unknown) => {
        remote.connection = undefined;
        if (remote.failures === 1 || remote.failures % 10 === 0) {
          this.logger.warn(`reconnecting to ${remote.url} failed (attempt ${remote.failures}); retrying`, err);
        }
        this.scheduleReconnect(remote);
      });
    }, delay);
  }

  /** Acquires a typed replica of `cls`'s API; the source name defaults to its type name. */
  acquire<T extends object>(cls: abstract new (...args: never[]) => T, name?: string): Replica<T> {
    const anyClass = cls as unknown as AnyClass;
    const api = apiOf(anyClass);
    const core = this.coreFor(name ?? api.typeName);
    const { ctor, View, defaults } = typedReplicaFor(anyClass, this);
    const view = new View(core, this, api, this.restorePersisted(core, api, defaults));
    const handle = new ctor(view);
    view.attach();
    this.bind(core);
    return handle as unknown as Replica<T>;
  }

  /** Starting values of a typed handle: the class's defaults, with persisted ones restored. */
  private restorePersisted(core: ReplicaCore, api: ApiDescription, defaults: readonly unknown[]): readonly unknown[] {
    const store = this.persistedStore;
    const indices = api.properties.filter((p) => p.persisted).map((p) => p.index);
    if (!store || indices.length === 0) return defaults;
    if (!core.persistence) {
      let scheduled = false;
      const save = (): void => {
        if (scheduled) return;
        scheduled = true;
        // Once per turn of the event loop, however many changes it brought.
        queueMicrotask(() => {
          scheduled = false;
          const values = core.values;
          if (!values) return;
          new Promise<void>((resolve) => resolve(store.save(core.name, api.signature, indices.map((i) => values[i])))).catch(
            (err: unknown) => this.logger.warn(`could not save the persisted properties of "${core.name}"`, err),
          );
        });
      };
      core.persistence = { signature: api.signature, indices, save };
    }
    let restored: readonly unknown[] | undefined;
    try {
      restored = store.restore(core.name, api.signature);
    } catch (err) {
      this.logger.warn(`could not restore the persisted properties of "${core.name}"`, err);
    }
    if (!restored || restored.length !== indices.length) return defaults;
    const values = [...defaults];
    indices.forEach((index, k) => (values[index] = restored[k]));
    return values;
  }

  /** Acquires a replica by source name, whose API arrives with the source. */
  acquireDynamic(name: string): DynamicReplica {
    const core = this.coreFor(name);
    const view = new DynamicView(core, this);
    const handle = new DynamicReplica(view);
    view.attach();
    this.bind(core);
    return handle;
  }

  /**
   * Closes every connection this node made; pending calls reject with CLOSED, replicas turn
   * suspect. Idempotent.
   */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    const discoveries = [...this.discoveries.values()].map((d) => d.discovery.close());
    this.discoveries.clear();
    const remotes = [...this.remotes.values()];
    for (const r of remotes) {
      if (r.retryTimer !== undefined) this.timers.clearTimeout(r.retryTimer);
      r.retryTimer = undefined;
    }
    await Promise.allSettled(remotes.map((r) => r.opening));
    const ending: Promise<void>[] = [];
    for (const r of remotes) {
      if (!r.connection) continue;
      ending.push(r.connection.ended);
      r.connection.close();
    }
    this.remotes.clear();
    await Promise.all([...ending, ...discoveries]);
    this.events.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private coreFor(name: string): ReplicaCore {
    if (this.isClosed) throw new DisconnectedError('the node is closed', 'CLOSED');
    let core = this.cores.get(name);
    if (!core) {
      core = new ReplicaCore(name);
      this.cores.set(name, core);
    }
    return core;
  }

  /** Subscribes a core to the host offering its source, if any and if some handle can use it. */
  private bind(core: ReplicaCore): void {
    const offer = this.offered.get(core.name);
    if (!offer) {
      const location = this.registryReplica?.isReplicaValid() ? this.registryReplica.sourceLocations.get(core.name) : undefined;
      if (location) this.ensureConnected(location.hostUrl);
      return;
    }
    const { connection, info } = offer;
    const sub = core.subscription;
    if (sub && sub.connection === connection && sub.sourceId === info.id) {
      core.refreshStates();
      return;
    }
    core.announce(info.signature);
    if (!core.accepts(info.signature)) return;
    if (sub) sub.connection.release(sub.sourceId);
    core.subscription = { connection, sourceId: info.id, signature: info.signature };
    const known = core.matchingApi(info.signature);
    if (known) core.api = known;
    connection.acquire(core, info.id, !known);
  }

  /** @internal */
  releaseHandle(_view: ReplicaView, core: ReplicaCore): void {
    if (core.handleCount > 0) {
      const sub = core.subscription;
      if (sub && !core.accepts(sub.signature)) {
        // Only handles that cannot use this source are left: stop its traffic.
        sub.connection.release(sub.sourceId);
        core.subscription = undefined;
      }
      core.refreshStates();
      return;
    }
    this.cores.delete(core.name);
    const sub = core.subscription;
    if (sub) sub.connection.release(sub.sourceId);
    core.subscription = undefined;
  }

  /** @internal */
  sourcesOffered(connection: NodeConnection, sources: readonly SourceInfo[]): void {
    for (const info of sources) {
      const current = this.offered.get(info.name);
      if (current && current.connection !== connection) {
        this.logger.warn(
          `source "${info.name}" is offered by ${connection.url} and by ${current.connection.url}; replicas stay with ${current.connection.url}`,
        );
        continue;
      }
      this.offered.set(info.name, { connection, info });
      const core = this.cores.get(info.name);
      if (core) this.bind(core);
    }
  }

  /** @internal */
  sourceWithdrawn(connection: NodeConnection, info: SourceInfo): void {
    const current = this.offered.get(info.name);
    if (!current || current.connection !== connection || current.info.id !== info.id) return;
    this.offered.delete(info.name);
    const core = this.cores.get(info.name);
    if (core?.subscription?.connection === connection && core.subscription.sourceId === info.id) core.detach();
    // Another connected host may offer the same name: fall back to it.
    for (const remote of this.remotes.values()) {
      const other = remote.connection;
      if (!other || other === connection) continue;
      for (const s of other.offers.values()) {
        if (s.name === info.name) {
          this.sourcesOffered(other, [s]);
          return;
        }
      }
    }
    core?.refreshStates();
  }

  /** @internal */
  connectionClosed(connection: NodeConnection, error: TsroError | undefined): void {
    const remote = this.remotes.get(connection.url);
    if (!remote || remote.connection !== connection) return;
    remote.connection = undefined;
    if (remote.external) {
      this.remotes.delete(remote.url);
      return;
    }
    if (this.isClosed || connection.wasClosedLocally) return;
    const wasUp = remote.failures === 0 && !remote.opening;
    if (wasUp) this.logger.warn(`lost the connection to ${connection.url}${this.reconnect ? '; reconnecting' : ''}`, error);
    if (!this.reconnect) {
      this.remotes.delete(remote.url);
      return;
    }
    if (wasUp) this.scheduleReconnect(remote);
  }
}
