// The connections of one node: one per host URL, opened on request (connectToNode), on demand
// (a host the registry names, or one a discovery URL such as a bare nats://servers finds), or
// handed in (addClientSideConnection); a connection that was up and is lost is re-established
// with capped exponential backoff until the node closes. Links come from the connector registered
// for the URL's scheme (src/transport/connectors.ts): this file opens no socket itself.

import { checkHostGreeting } from '../protocol/host-greeting';
import { CancelledError, DisconnectedError, TimeoutError, TsroError, UsageError } from '../errors';
import { checkSignal } from '../replica/call-options';
import type { EventHub } from '../util/emitter';
import { Peer } from '../protocol/peer';
import { SOURCE_LIST_LIMIT } from '../protocol/source-lists';
import { connectLink, discoverHosts, linkOverStream } from '../transport/connectors';
import type { DuplexStream, FrameLink, HostDiscovery } from '../transport/frame-link';
import type { TlsClientOptions } from '../transport/node/tls-options';
import { sharedStreamSubscriberOf } from '../transport/shared-streams';
import { parseUrl, type TransportAddress } from '../transport/url';
import type { Logger } from '../util/logger';
import type { Timers } from '../util/timers';
import { NodeConnection, type NodeConnectionEvents } from './node-connection';

/** Capped exponential backoff between reconnection attempts. */
export interface ReconnectPolicy {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly factor: number;
}

/** How a pool opens and runs its connections. */
export interface PoolSettings {
  readonly logger: Logger;
  readonly timers: Timers;
  readonly maxFrameSize: number;
  readonly maxBufferedBytes: number | undefined;
  readonly maxValuesPerFrame: number | undefined;
  readonly tls: TlsClientOptions | undefined;
  /** A value, or a function of the host's URL giving one. */
  readonly credential: unknown;
  readonly connectTimeout: number;
  readonly heartbeatInterval: number;
  readonly reconnect: ReconnectPolicy | undefined;
  /** Timeout of calls that set none, in ms; 0 = none. */
  readonly callTimeout: number;
  /** Where `connected`, `disconnected` and `reconnecting` go (the node's events). */
  readonly events: EventHub;
}

/** Backoff of a connectToNode({ retry: true }) on a node whose `reconnect` is off. */
const DEFAULT_RETRY: ReconnectPolicy = { initialDelay: 100, maxDelay: 5000, factor: 2 };

/** Options of connectToNode. */
export interface ConnectOptions {
  /**
   * Keep trying, with the reconnect backoff, until the host answers (QtRO's behaviour); the
   * promise then resolves. It rejects only if the node is closed, `signal` aborts, or the host
   * refuses for good (AUTH_FAILED, PROTOCOL_MISMATCH). Default false: a failed first attempt rejects.
   */
  readonly retry?: boolean;
  /** Gives up connecting (with retry: stops trying), rejecting with CANCELLED. */
  readonly signal?: AbortSignal;
}

/** Where the sources a connection announces go (the node's source directory). */
export type SourceSink = Pick<NodeConnectionEvents, 'sourcesOffered' | 'sourceWithdrawn'>;

/** A link for a URL this node reaches without a transport (a host reaching itself), or undefined. */
export type LocalRoute = (url: string) => FrameLink | undefined;

/** A host this node wants to stay connected to. */
interface RemoteHost {
  readonly url: string;
  /** Where to connect; undefined for a stream handed in with addClientSideConnection. */
  readonly address: TransportAddress | undefined;
  connection: NodeConnection | undefined;
  /** The frame link under `connection`. */
  channel: FrameLink | undefined;
  opening: Promise<void> | undefined;
  retryTimer: unknown;
  failures: number;
  /** Retried even if the first attempt fails (registry, and hosts found through it). */
  persistent: boolean;
  /** Handed in with addClientSideConnection: never re-established by this node. */
  readonly external: boolean;
  /** connectToNode({ retry: true }) calls waiting for the first connection. */
  waiters?: { resolve(): void; reject(error: Error): void }[];
}

export class ConnectionPool {
  readonly #settings: PoolSettings;
  readonly #events: NodeConnectionEvents;
  readonly #remotes = new Map<string, RemoteHost>();
  /** Places where hosts meet (a bare nats://servers) whose hosts this node follows, by URL. */
  readonly #discoveries = new Map<string, { readonly discovery: HostDiscovery; readonly started: Promise<void> }>();
  #localRoute: LocalRoute | undefined;
  readonly #closedListeners = new Set<(connection: NodeConnection, error: TsroError | undefined) => void>();
  #closed = false;
  #externalCount = 0;

  constructor(settings: PoolSettings, sink: SourceSink) {
    this.#settings = settings;
    this.#events = {
      sourcesOffered: (conn, sources) => sink.sourcesOffered(conn, sources),
      sourceWithdrawn: (conn, info) => sink.sourceWithdrawn(conn, info),
      connectionClosed: (conn, error) => this.#connectionClosed(conn, error),
      acquireRefused: (_conn, info, error) => settings.logger.error(`the replica of "${info.name}" cannot be initialized`, error),
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Streams for URLs reached in process instead of over a socket (set once, by a Host). */
  setLocalRoute(route: LocalRoute): void {
    this.#localRoute = route;
  }

  /** Calls `fn` each time one of the pool's connections ends, until the returned function is called. */
  onConnectionClosed(fn: (connection: NodeConnection, error: TsroError | undefined) => void): () => void {
    this.#closedListeners.add(fn);
    return () => this.#closedListeners.delete(fn);
  }

  /** The open (or opening) connection to `url`, if any. */
  connection(url: string): NodeConnection | undefined {
    return this.#remotes.get(url)?.connection;
  }

  /** The frame link of the connection to `url`, if any (tests watch what arrives on it). */
  frameLink(url: string): FrameLink | undefined {
    const remote = this.#remotes.get(url);
    return remote?.connection ? remote.channel : undefined;
  }

  /** Every connection this pool holds. */
  *connections(): Iterable<NodeConnection> {
    for (const remote of this.#remotes.values()) if (remote.connection) yield remote.connection;
  }

  /** See Node.connectToNode. */
  connectToNode(url: string, options: ConnectOptions = {}): Promise<void> {
    const address = parseUrl(url);
    const signal = options.signal;
    checkSignal(signal);
    if (this.#closed) return Promise.reject(new DisconnectedError('the node is closed', 'CLOSED'));
    if (signal?.aborted) return Promise.reject(new CancelledError(`connecting to ${url} was cancelled`, signal.reason));
    const discovery = this.#discoveries.get(address.url)?.started ?? this.#discover(address);
    if (discovery) return signal ? this.#abortable(discovery, signal, url) : discovery;
    const known = this.#remotes.get(url);
    if (options.retry === true) {
      if (known?.connection && !known.opening) return Promise.resolve();
      const remote = known ?? this.#addRemote(url, address, false, false);
      const connected = this.#whenConnected(remote, signal);
      if (!remote.opening && remote.retryTimer === undefined) {
        this.#open(remote).catch((err: unknown) => this.#retryFailed(remote, err));
      }
      return connected;
    }
    let attempt: Promise<void>;
    if (known?.opening) attempt = known.opening;
    else if (known?.connection) return Promise.resolve();
    else if (known) attempt = this.#open(known); // waiting to retry: try now
    else {
      const remote = this.#addRemote(url, address, false, false);
      attempt = this.#open(remote);
      attempt.catch((err: unknown) => {
        if (remote.persistent || remote.waiters) this.#scheduleReconnect(remote, err);
        else if (!remote.connection && remote.retryTimer === undefined) this.#remotes.delete(url);
      });
    }
    return signal ? this.#abortable(attempt, signal, url) : attempt;
  }

  /** `p`, or CANCELLED if `signal` aborts first (the attempt itself goes on). */
  #abortable(p: Promise<void>, signal: AbortSignal, url: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(new CancelledError(`connecting to ${url} was cancelled`, signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err as Error);
        },
      );
    });
  }

  /** Resolves when `remote` is next connected; rejects when the node closes or `signal` aborts. */
  #whenConnected(remote: RemoteHost, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiters = (remote.waiters ??= []);
      const remove = (): void => {
        const i = remote.waiters?.indexOf(waiter) ?? -1;
        if (i >= 0) remote.waiters!.splice(i, 1);
      };
      const onAbort = (): void => {
        waiter.reject(new CancelledError(`connecting to ${remote.url} was cancelled`, signal!.reason));
        this.#stopRetrying(remote);
      };
      const waiter = {
        resolve: (): void => {
          signal?.removeEventListener('abort', onAbort);
          remove();
          resolve();
        },
        reject: (error: Error): void => {
          signal?.removeEventListener('abort', onAbort);
          remove();
          reject(error);
        },
      };
      waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** No connectToNode waits for `remote` any more: stop retrying it unless something else needs it. */
  #stopRetrying(remote: RemoteHost): void {
    if ((remote.waiters?.length ?? 0) > 0 || remote.persistent || remote.connection || remote.opening) return;
    remote.waiters = undefined;
    if (remote.retryTimer !== undefined) this.#settings.timers.clearTimeout(remote.retryTimer);
    remote.retryTimer = undefined;
    if (this.#remotes.get(remote.url) === remote) this.#remotes.delete(remote.url);
  }

  /** An attempt for a retrying connectToNode failed: retry, unless the host refused for good. */
  #retryFailed(remote: RemoteHost, err: unknown): void {
    remote.connection = undefined;
    const code = err instanceof TsroError ? err.code : undefined;
    if (code === 'AUTH_FAILED' || code === 'PROTOCOL_MISMATCH') {
      for (const w of [...(remote.waiters ?? [])]) w.reject(err as Error);
      this.#stopRetrying(remote);
      return;
    }
    this.#scheduleReconnect(remote, err);
  }

  /**
   * A URL that names a meeting place of hosts rather than one host: follow every host there
   * (connect to each as it appears, drop it when it leaves). Resolves once the hosts found by
   * the first look are connected (or failed to). Undefined for a URL of one host.
   */
  #discover(address: TransportAddress): Promise<void> | undefined {
    const discovery = discoverHosts(address, {
      found: (hostUrl) => this.#hostAnnounced(hostUrl),
      lost: (hostUrl) => this.#hostWithdrawn(hostUrl),
    });
    if (!discovery) return undefined;
    const started = discovery.start().then(async (found) => {
      await Promise.allSettled(found.map((u) => this.#remotes.get(u)?.opening));
    });
    this.#discoveries.set(address.url, { discovery, started });
    started.catch(() => {
      if (this.#discoveries.get(address.url)?.discovery === discovery) this.#discoveries.delete(address.url);
      void discovery.close();
    });
    return started;
  }

  /** A host announced itself (first time, or again after a restart): connect now. */
  #hostAnnounced(url: string): void {
    const known = this.#remotes.get(url);
    if (known && !known.connection && !known.opening) {
      known.failures = 0;
      this.#open(known).catch((err: unknown) => {
        known.connection = undefined;
        this.#settings.logger.warn(`cannot reach ${url} yet; retrying`, err);
        this.#scheduleReconnect(known);
      });
      return;
    }
    this.ensureConnected(url);
  }

  /** A host said goodbye or fell silent: stop trying to reach it; its replicas wait for a return. */
  #hostWithdrawn(url: string): void {
    const remote = this.#remotes.get(url);
    if (!remote) return;
    if (remote.retryTimer !== undefined) this.#settings.timers.clearTimeout(remote.retryTimer);
    remote.retryTimer = undefined;
    this.#remotes.delete(url);
    remote.connection?.close();
  }

  /** Connects to a host found through the registry, and keeps trying until it works. */
  ensureConnected(url: string): void {
    if (this.#closed) return;
    const known = this.#remotes.get(url);
    if (known) {
      known.persistent = true;
      return;
    }
    let address: TransportAddress;
    try {
      address = parseUrl(url);
    } catch (err) {
      this.#settings.logger.warn(`the registry lists a source at an invalid URL`, err);
      return;
    }
    const remote = this.#addRemote(url, address, true, false);
    this.#open(remote).catch((err: unknown) => {
      remote.connection = undefined;
      this.#settings.logger.warn(`cannot reach ${url} yet; retrying`, err);
      this.#scheduleReconnect(remote);
    });
  }

  /** See Node.addClientSideConnection. */
  addClientSideConnection(stream: DuplexStream | FrameLink, name = `external:${++this.#externalCount}`): Promise<void> {
    if (this.#closed) return Promise.reject(new DisconnectedError('the node is closed', 'CLOSED'));
    if (this.#remotes.has(name)) return Promise.reject(new UsageError('DECLARATION_INVALID', `a connection named ${name} already exists`));
    let link: FrameLink;
    try {
      const s = this.#settings;
      link = isFrameLink(stream) ? stream : linkOverStream(stream, { label: name, maxFrameSize: s.maxFrameSize, maxBufferedBytes: s.maxBufferedBytes });
    } catch (err) {
      return Promise.reject(err);
    }
    // Never opened by this node, so it has no address to connect to.
    const remote = this.#addRemote(name, undefined, false, true);
    const attempt = this.#attach(remote, link);
    remote.opening = attempt;
    attempt.then(
      () => {
        if (remote.opening === attempt) remote.opening = undefined;
      },
      () => {
        if (remote.opening === attempt) remote.opening = undefined;
        if (this.#remotes.get(name) === remote && !remote.connection?.isOpen) this.#remotes.delete(name);
      },
    );
    return attempt;
  }

  /** Stops retrying, waits for attempts under way, closes every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const discoveries = [...this.#discoveries.values()].map((d) => d.discovery.close());
    this.#discoveries.clear();
    const remotes = [...this.#remotes.values()];
    for (const r of remotes) {
      if (r.retryTimer !== undefined) this.#settings.timers.clearTimeout(r.retryTimer);
      r.retryTimer = undefined;
      for (const w of [...(r.waiters ?? [])]) w.reject(new DisconnectedError(`the node was closed before ${r.url} answered`, 'CLOSED'));
      r.waiters = undefined;
    }
    await Promise.allSettled(remotes.map((r) => r.opening));
    const ending: Promise<void>[] = [];
    for (const r of remotes) {
      if (!r.connection) continue;
      ending.push(r.connection.ended);
      r.connection.close();
    }
    this.#remotes.clear();
    await Promise.all([...ending, ...discoveries]);
  }

  #addRemote(url: string, address: TransportAddress | undefined, persistent: boolean, external: boolean): RemoteHost {
    const remote: RemoteHost = { url, address, connection: undefined, channel: undefined, opening: undefined, retryTimer: undefined, failures: 0, persistent, external };
    this.#remotes.set(url, remote);
    return remote;
  }

  /** One attempt to connect and complete the handshake. */
  #open(remote: RemoteHost): Promise<void> {
    if (remote.retryTimer !== undefined) this.#settings.timers.clearTimeout(remote.retryTimer);
    remote.retryTimer = undefined;
    const attempt = (async () => {
      if (!remote.address) throw new DisconnectedError(`${remote.url} was handed in as a stream; it cannot be reopened`);
      const link = await this.#openLink(remote.url, remote.address);
      if (this.#closed) {
        link.destroy();
        throw new DisconnectedError('the node was closed while connecting', 'CLOSED');
      }
      await this.#attach(remote, link);
      remote.failures = 0;
      for (const w of [...(remote.waiters ?? [])]) w.resolve();
      remote.waiters = undefined;
    })();
    remote.opening = attempt;
    const settle = (): void => {
      if (remote.opening === attempt) remote.opening = undefined;
    };
    attempt.then(settle, settle);
    return attempt;
  }

  /** The link to a host: in process if the local route has one, else through its scheme's connector. */
  #openLink(url: string, address: TransportAddress): Promise<FrameLink> {
    const local = this.#localRoute?.(url);
    if (local) return Promise.resolve(local);
    const s = this.#settings;
    return connectLink(address, { label: url, timeoutMs: s.connectTimeout, maxFrameSize: s.maxFrameSize, maxBufferedBytes: s.maxBufferedBytes, tls: s.tls });
  }

  /** Runs the protocol over `channel` to `remote`; resolves once the host's source list is in. */
  async #attach(remote: RemoteHost, channel: FrameLink): Promise<void> {
    const s = this.#settings;
    const credential = typeof s.credential === 'function' ? (s.credential as (url: string) => unknown)(remote.url) : s.credential;
    channel.expectFirstBytes?.((head) => checkHostGreeting(head, remote.url));
    const peer = new Peer(channel, remote.url, s.maxFrameSize, credential, s.maxValuesPerFrame);
    // A host with more sources than this lists them on request: connecting stays cheap.
    peer.sourceListLimit = SOURCE_LIST_LIMIT;
    const connection = new NodeConnection(remote.url, peer, this.#events, s.timers, s.heartbeatInterval, sharedStreamSubscriberOf(channel), s.callTimeout);
    remote.connection = connection;
    remote.channel = channel;
    try {
      peer.start();
    } catch (err) {
      // E.g. a credential that cannot be carried: nothing was sent; drop the stream.
      connection.abort(err as TsroError);
      throw err;
    }
    const timer = s.timers.setTimeout(
      () => connection.abort(new TimeoutError(`${remote.url} accepted the connection but did not complete the handshake within ${s.connectTimeout} ms`)),
      s.connectTimeout,
    );
    try {
      await connection.ready;
    } finally {
      s.timers.clearTimeout(timer);
    }
    if (connection.isOpen) s.events.fire('connected', { url: remote.url });
  }

  #scheduleReconnect(remote: RemoteHost, error?: unknown): void {
    // A connectToNode({ retry: true }) waiting for this host retries even with reconnect off.
    const policy = this.#settings.reconnect ?? (remote.waiters?.length ? DEFAULT_RETRY : undefined);
    if (!policy || this.#closed || remote.retryTimer !== undefined || remote.opening) return;
    const delay = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** remote.failures);
    remote.failures++;
    remote.retryTimer = this.#settings.timers.setTimeout(() => {
      remote.retryTimer = undefined;
      if (this.#closed || this.#remotes.get(remote.url) !== remote) return;
      this.#open(remote).catch((err: unknown) => {
        remote.connection = undefined;
        if (remote.failures === 1 || remote.failures % 10 === 0) {
          this.#settings.logger.warn(`reconnecting to ${remote.url} failed (attempt ${remote.failures}); retrying`, err);
        }
        if (remote.waiters?.length) this.#retryFailed(remote, err);
        else this.#scheduleReconnect(remote, err);
      });
    }, delay);
    this.#settings.events.fire('reconnecting', {
      url: remote.url,
      attempt: remote.failures,
      delay,
      error: error instanceof TsroError ? error : undefined,
    });
  }

  #connectionClosed(connection: NodeConnection, error: TsroError | undefined): void {
    for (const fn of [...this.#closedListeners]) fn(connection, error);
    const remote = this.#remotes.get(connection.url);
    if (!remote || remote.connection !== connection) return;
    remote.connection = undefined;
    if (remote.external) {
      this.#remotes.delete(remote.url);
      return;
    }
    if (this.#closed || connection.wasClosedLocally) return;
    const wasUp = remote.failures === 0 && !remote.opening;
    if (wasUp) this.#settings.logger.warn(`lost the connection to ${connection.url}${this.#settings.reconnect ? '; reconnecting' : ''}`, error);
    if (connection.wasReady) {
      this.#settings.events.fire('disconnected', { url: connection.url, error: error ?? new DisconnectedError(`${connection.url} closed the connection`) });
    }
    if (!this.#settings.reconnect) {
      this.#remotes.delete(remote.url);
      return;
    }
    if (wasUp) this.#scheduleReconnect(remote, error);
  }
}

function isFrameLink(stream: DuplexStream | FrameLink): stream is FrameLink {
  return typeof (stream as FrameLink).send === 'function' && 'onFrame' in stream;
}
