// A Host: a Node that also listens on a URL and remotes sources. `enableRemoting` makes an
// object reachable under a name; every connected node hears of it at once, and nodes that
// acquire it get its property changes and signals (encoded once per change, whatever the
// number of listeners). A façade over the node's parts and its own: the source table (bindings
// and child naming), the listener (accepted connections within limits), the registry publisher
// and the in-process connection through which a host acquires its own sources.

import '../transport/node/node-transports'; // Node.js-only code: the core runs on the Node.js edge here
import { ownApiOf } from '../api/model-type';
import type { ApiDescription, PropertyDescription } from '../api/api-description';
import { apiOf, typeNameOf, type AnyClass } from '../api/metadata';
import { UsageError } from '../errors';
import { listen } from '../transport/node/socket-server';
import { listenWebSocket, type HttpServer } from '../transport/node/websocket-server';
import { listenCustom } from '../transport/node/transport-schemes';
import type { Duplex } from 'node:stream';
import { duplexPair } from '../transport/node/duplex-pair';
import type { FrameLink } from '../transport/frame-link';
import { hasServerCredentials, type TlsOptions } from '../transport/node/tls-options';
import { parseUrl } from '../transport/url';
import { Node, nodeParts, type NodeEvents, type NodeOptions, type NodeParts } from '../node/node';
import { HostListener } from './host-listener';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../transport/frame-link';
import { SendPressure, type PressureChange } from './send-pressure';
import type { WaitOptions } from '../replica/call-options';
import { RegistryPublisher } from './registry-publisher';
import type { SourceBinding } from './source-binding';
import { SourceTable } from './source-table';

/** Options of `new Host(url, options)`: a node's, plus the host's own (limits, authentication, TLS). */
export interface HostOptions extends Omit<NodeOptions, 'tls'> {
  /**
   * For a `tls://` URL: the host's certificate and key (required), and, to ask nodes for
   * client certificates, `requestCert` with the `ca` that signs them. The same object's client
   * options (ca, cert, key) serve this host's own connections to other tls:// hosts.
   */
  readonly tls?: TlsOptions;
  /**
   * For a `ws://` or `wss://` URL: serve on this existing `http` (`https` for wss) server instead
   * of starting one, taking the upgrade requests for the URL's path, so that one origin serves
   * a web app's pages and its replicas. The URL's port may be 0: the server's port is used. The
   * server stays the application's: closing the host detaches from it but leaves it running.
   */
  readonly httpServer?: HttpServer;
  /**
   * For `ws://` and `wss://`: the origins whose pages may connect (`'https://app.example.com'`).
   * When set, a browser from any other origin is refused (HTTP 403, logged); requests that carry
   * no Origin header (Node.js nodes, the CLI) are not affected. Default: any origin.
   */
  readonly allowedOrigins?: readonly string[];
  /** File mode of a `local:` host's socket file (Unix). Default 0o600: only its owner can connect. */
  readonly localSocketMode?: number;
  /** Most connections accepted at once; more are refused with LIMIT_EXCEEDED. Default 1024. */
  readonly maxConnections?: number;
  /** Most slot calls of one connection running at once; more are refused with LIMIT_EXCEEDED. Default 1024. */
  readonly maxInFlightCalls?: number;
  /**
   * Most slots running host-wide after their callers gave up (timed out, aborted, stopped
   * reading a stream, or disconnected). Such a call stops counting against its connection's
   * `maxInFlightCalls` at once; at this limit the host refuses new calls with LIMIT_EXCEEDED
   * (logged) until some of those slots end. Default 4096.
   */
  readonly maxAbandonedCalls?: number;
  /** A peer that has not completed the handshake (and authentication) by then is dropped, in ms. Default 10 s. */
  readonly handshakeTimeout?: number;
  /**
   * Most bytes waiting to be sent across all of this host's connections (slow or stalled
   * readers). Past it, the connections holding the most are disconnected first (logged with
   * LIMIT_EXCEEDED) until the total is back under it. Default 256 MiB.
   */
  readonly maxTotalBufferedBytes?: number;
  /**
   * Bytes waiting to be sent on one connection past which it is under pressure: its replicas read
   * more slowly than the sources change. From then on the connection's pending property changes
   * coalesce (a newer value of a property replaces the one still waiting, in its place), while
   * signals, replies, stream items, model changes and everything else still go out, all of it,
   * in order; the host emits `pressure` and `drained()` waits. The connection still closes at
   * `maxBufferedBytes`. See docs/performance.md for the exact ordering guarantee. In bytes, 0 or
   * more (Infinity: never coalesce). Default: an eighth of maxBufferedBytes (4 MiB).
   */
  readonly pressureThreshold?: number;
  /**
   * An admitted node that holds nothing (no acquired source, no call running) and sends nothing
   * for this long is disconnected (TIMEOUT, logged), so that idle sockets cannot keep the host
   * at maxConnections; it is told why and a tsro node reconnects when it needs to. In ms; 0
   * disables it. Default 10 minutes.
   */
  readonly idleTimeout?: number;
  /**
   * Checks the credential a node sends in its handshake before it learns anything (not even
   * the source list). Resolve true to admit it; anything else refuses it with AUTH_FAILED.
   */
  readonly authenticate?: (credential: unknown, peer: { readonly address: string }) => boolean | Promise<boolean>;
}

const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_MAX_IN_FLIGHT_CALLS = 1024;
const DEFAULT_MAX_TOTAL_BUFFERED_BYTES = 256 * 1024 * 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ABANDONED_CALLS = 4096;

/** Events of a Host (`host.on(event, fn)`): a Node's, and its connections' pressure. */
export interface HostEvents extends NodeEvents {
  /**
   * A connection went over the host's `pressureThreshold` (`pressured: true`: its property changes
   * coalesce from now on) or came back under it, or ended (`pressured: false`). `connections`
   * counts the connections under pressure now: a source that paces itself waits while it is
   * not 0 (or awaits `host.drained()`).
   */
  pressure: (event: PressureChange) => void;
}

export type { PressureChange };

/** The collaborators behind one Host, beside its node's. @internal */
export interface HostParts {
  readonly node: NodeParts;
  /** The listen result, without marking `listening` as observed. */
  readonly bound: Promise<void>;
  readonly sources: SourceTable;
  readonly listener: HostListener;
  readonly publisher: RegistryPublisher;
  /** Which connections are under pressure; coalesced changes. */
  readonly pressure: SendPressure;
  /** Host.enableRemoting, for constructors of subclasses (which must not call overridable methods). */
  readonly enable: (object: object, name?: string) => boolean;
}

let partsOf: (host: Host) => HostParts;

/** The collaborators behind a host, for RegistryHost and tests. @internal */
export function hostParts(host: Host): HostParts {
  return partsOf(host);
}

/**
 * A node that also listens on a URL and offers sources: `enableRemoting(obj)` remotes an object
 * whose class declares a remote API. `await host.listening` before giving out `host.hostUrl`.
 */
export class Host extends Node {
  readonly #parts: HostParts;
  #listeningObserved = false;
  /** Why listening failed, once it has: such a host can remote nothing. */
  #listenError: unknown;
  #boundUrl: string;
  #server: { readonly url: string; close(): Promise<void> } | undefined;
  #externalPeers = 0;

  static {
    partsOf = (host) => host.#parts;
  }

  /**
   * Starts listening on `url`: `tcp://host:port` (port 0 for an ephemeral one), `tls://host:port`,
   * `ws://host:port/path`, `wss://host:port/path` or `local:name`.
   */
  constructor(url: string, options: HostOptions = {}) {
    super(options);
    const node = nodeParts(this);
    const logger = node.logger;
    const address = parseUrl(url);
    this.#boundUrl = url;
    const sources = new SourceTable();
    const threshold = options.pressureThreshold ?? (node.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES) / 8;
    if (typeof threshold !== 'number' || Number.isNaN(threshold) || threshold < 0) {
      throw new UsageError('TYPE_MISMATCH', `pressureThreshold must be a number of bytes, 0 or more (got ${String(threshold)})`);
    }
    const pressure = new SendPressure(
      options.maxTotalBufferedBytes ?? DEFAULT_MAX_TOTAL_BUFFERED_BYTES,
      threshold,
      node.timers,
      (change) => node.events.fire('pressure', change),
    );
    const listener = new HostListener(
      {
        logger,
        timers: node.timers,
        maxFrameSize: node.maxFrameSize,
        maxBufferedBytes: node.maxBufferedBytes,
        maxValuesPerFrame: node.maxValuesPerFrame,
        unsent: pressure.pool,
        limits: {
          maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
          maxInFlightCalls: options.maxInFlightCalls ?? DEFAULT_MAX_IN_FLIGHT_CALLS,
          maxAbandonedCalls: options.maxAbandonedCalls ?? DEFAULT_MAX_ABANDONED_CALLS,
          handshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
          idleTimeout: options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS,
          authenticate: options.authenticate,
        },
      },
      sources,
    );
    const tls = options.tls;
    const listening =
      address.scheme === 'custom'
        ? listenCustom(address, (stream) => this.#accept(stream))
        : address.scheme === 'ws' || address.scheme === 'wss'
          ? listenWebSocket(address, (stream) => this.#accept(stream), {
              maxFrameSize: node.maxFrameSize,
              tls,
              httpServer: options.httpServer,
              allowedOrigins: options.allowedOrigins,
              onRefused: (reason) => logger.warn(reason),
            })
          : listen(address, (socket) => this.#accept(socket), {
              tls: hasServerCredentials(tls) ? tls : undefined,
              socketMode: options.localSocketMode,
              onTlsClientError: (error, peer) => logger.warn(`refused a TLS connection from ${peer ?? 'a peer'}`, error),
              // A TLS handshake is part of the handshake the host bounds: in time, and in number
              // (as many as maxConnections, like connections still in their tsro handshake).
              tlsHandshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
              maxTlsHandshakes: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
            });
    const bound = listening.then((server) => {
      if (node.pool.closed) {
        void server.close();
        return;
      }
      this.#server = server;
      this.#boundUrl = server.url;
    });
    // A failure is never an unhandled rejection; it is logged only for callers who never
    // looked at `listening` (the others get the rejection).
    bound.catch((err: unknown) => {
      this.#listenError = err;
      if (!this.#listeningObserved) logger.error(`host ${url} is not listening`, err);
    });
    const publisher = new RegistryPublisher(node.registry, bound, () => this.#boundUrl, logger, (b) => sources.has(b));
    this.#parts = { node, bound, sources, listener, publisher, pressure, enable: (object, name) => this.#enable(object, name) };
    node.registry.onInitialized(() => {
      for (const b of sources.values()) void publisher.publish(b);
    });
    // A Host's replicas of its own sources: acquiring makes the host connect to itself, in
    // process (no socket; the same protocol over an in-memory pair), so they are valid replicas
    // like any other, with the same semantics (values are copies; sets go through the source).
    node.pool.setLocalRoute((target) => this.#inProcess(target));
    node.binder.onAcquire(() => this.#connectToSelf());
  }

  /**
   * Listens to a Node's events (see Node.on) and `pressure`: a connection went over the host's
   * `pressureThreshold` or came back under it.
   */
  override on<E extends keyof HostEvents>(event: E, fn: HostEvents[E]): this {
    nodeParts(this).events.on(event, fn as (...args: never[]) => unknown);
    return this;
  }

  override once<E extends keyof HostEvents>(event: E, fn: HostEvents[E]): this {
    nodeParts(this).events.once(event, fn as (...args: never[]) => unknown);
    return this;
  }

  override off<E extends keyof HostEvents>(event: E, fn: HostEvents[E]): this {
    nodeParts(this).events.off(event, fn as (...args: never[]) => unknown);
    return this;
  }

  /**
   * Resolves true once no connection is under pressure (at once if none is): a source that
   * produces faster than its slowest replica reads can pace itself with it. `wait`: a timeout in
   * ms (resolves false when it passes; default: none) or `{ timeout, signal }` (an aborted
   * signal rejects with CANCELLED). Closing the host ends the wait.
   */
  drained(wait?: number | WaitOptions): Promise<boolean> {
    return this.#parts.pressure.drained(wait);
  }

  /** Connections under pressure now (over pressureThreshold, coalescing property changes). */
  get pressuredConnections(): number {
    return this.#parts.pressure.pressured;
  }

  /**
   * Property changes that never went out because a newer value of the same property replaced
   * them while their connection was under pressure, over all connections since the host started.
   */
  get coalescedChanges(): number {
    return this.#parts.pressure.coalesced;
  }

  /** Resolves once the host is bound; rejects with LISTEN_FAILED (port in use, live socket...). */
  get listening(): Promise<void> {
    this.#listeningObserved = true;
    return this.#parts.bound;
  }

  /** The URL nodes connect to: once listening, with the real port for `tcp://...:0`. */
  get hostUrl(): string {
    return this.#boundUrl;
  }

  /**
   * Remotes `object` under `name`, else its `@RemoteObjectType` name, else its `objectName`.
   * Returns false (and warns) if no name can be found, the name is taken on this host, the
   * object is already remoted here, its class declares no remote API (or one that cannot work,
   * DECLARATION_INVALID), or the host is closed or failed to listen (`listening` rejected).
   */
  enableRemoting(object: object, name?: string): boolean {
    return this.#enable(object, name);
  }

  #enable(object: object, name: string | undefined): boolean {
    const { node, sources, publisher } = this.#parts;
    const logger = node.logger;
    if (node.pool.closed) {
      logger.warn('enableRemoting on a closed host');
      return false;
    }
    if (this.#listenError !== undefined) {
      logger.warn(`enableRemoting on host ${this.#boundUrl}, which is not listening: no node could reach the source`, this.#listenError);
      return false;
    }
    const cls = (object as { constructor: AnyClass }).constructor;
    let api;
    try {
      api = ownApiOf(object) ?? apiOf(cls);
    } catch (err) {
      logger.warn(`cannot remote ${cls?.name ?? typeof object}`, err);
      return false;
    }
    const objectName = (object as { objectName?: unknown }).objectName;
    const sourceName = name ?? typeNameOf(cls) ?? (typeof objectName === 'string' && objectName ? objectName : undefined);
    if (!sourceName) {
      logger.warn(`cannot remote ${cls.name}: no @RemoteObjectType, objectName or explicit name`);
      return false;
    }
    if (sources.byName(sourceName)) {
      logger.warn(`cannot remote "${sourceName}": this host already has a source of that name`);
      return false;
    }
    const holder = sources.holding(object);
    if (holder) {
      logger.warn(`cannot remote "${sourceName}": the object is already remoted as "${holder.name}"`);
      return false;
    }
    let binding;
    try {
      binding = this.#addBinding(sourceName, api, object, false);
    } catch (err) {
      logger.warn(`cannot remote "${sourceName}"`, err);
      return false;
    }
    void publisher.publish(binding);
    return true;
  }

  #addBinding(sourceName: string, api: ApiDescription, object: object, child: boolean): SourceBinding {
    const { node, sources, listener } = this.#parts;
    const binding = sources.add(sourceName, api, object, { attachChild: (parent, prop, value) => this.#attachChild(parent, prop, value) }, child);
    // Children first: the source list then names every child the object's Init refers to.
    binding.attachInitialChildren((message, error) => node.logger.warn(message, error));
    listener.broadcast({ sourceAdded: { source: binding.info } });
    return binding;
  }

  /**
   * Child objects: remotes `object` as a hidden child source of `parent`, named
   * `<parent>/<property>#<n>` (n counts the parent's children, so a replacement has a new
   * name), after disabling the child the property held before.
   */
  #attachChild(parent: SourceBinding, prop: PropertyDescription, object: unknown): string | null {
    const { node, sources } = this.#parts;
    if (node.pool.closed || !sources.has(parent)) return null;
    let api: ApiDescription | undefined;
    if (object !== null && object !== undefined) {
      if (typeof object !== 'object') throw new UsageError('TYPE_MISMATCH', `child "${prop.name}" of source "${parent.name}" must be an object or null`);
      const holder = sources.holding(object);
      if (holder) {
        throw new UsageError('DECLARATION_INVALID', `child "${prop.name}" of source "${parent.name}": the object is already remoted as "${holder.name}"`);
      }
      api = ownApiOf(object) ?? apiOf((object as { constructor: AnyClass }).constructor);
    }
    const old = parent.swapChild(prop.index, null);
    if (old) this.disableRemoting(old);
    if (!api) return null;
    let name: string;
    do name = parent.nextChildName(prop.name);
    while (sources.byName(name));
    this.#addBinding(name, api, object as object, true);
    parent.swapChild(prop.index, name);
    return name;
  }

  /** Stops remoting an object (or the source of that name); its replicas leave `valid`. */
  disableRemoting(objectOrName: object | string): boolean {
    const { sources, listener, publisher } = this.#parts;
    const binding = typeof objectOrName === 'string' ? sources.byName(objectOrName) : sources.holding(objectOrName);
    if (!binding || !sources.has(binding)) return false;
    // Its children go with it (first, so no replica is left following an orphan).
    for (const child of binding.takeChildren()) this.disableRemoting(child);
    binding.dispose();
    sources.remove(binding);
    listener.forget(binding);
    listener.broadcast({ sourceRemoved: { source: binding.id } });
    publisher.unpublish(binding);
    return true;
  }

  /** Names of the sources this host remotes. */
  get sourceNames(): string[] {
    const names: string[] = [];
    for (const b of this.#parts.sources.values()) if (!b.isChild) names.push(b.name);
    return names;
  }

  /** Stops listening, closes every connection (accepted and outgoing) and stops remoting. */
  override async close(): Promise<void> {
    const { node, bound, sources, listener } = this.#parts;
    if (node.pool.closed) return;
    await super.close();
    sources.clear();
    const closing = listener.close();
    await bound.catch(() => {});
    await this.#server?.close();
    await closing;
    this.#parts.pressure.close();
  }

  #connectToSelf(): void {
    const { node, bound } = this.#parts;
    bound.then(
      () => {
        if (!node.pool.closed) node.pool.ensureConnected(this.#boundUrl);
      },
      () => {},
    );
  }

  /** The in-memory link to this host itself, once it is bound; undefined for any other URL. */
  #inProcess(url: string): FrameLink | undefined {
    if (!this.#server || url !== this.#boundUrl) return undefined;
    const [mine, theirs] = duplexPair();
    this.#accept(theirs, `${this.#boundUrl} (in process)`);
    return this.#parts.listener.linkOver(mine, url);
  }

  /**
   * Serves the node at the other end of `link`: what a message-based transport's listener (or
   * a test) hands in; `label` names the peer in messages. @internal
   */
  acceptLink(link: FrameLink, label: string): void {
    if (this.#parts.node.pool.closed) {
      link.destroy();
      return;
    }
    this.#parts.listener.acceptLink(link, label);
  }

  /**
   * Serves a node over a stream you connected yourself (QtRO's addHostSideConnection): any
   * Duplex, e.g. one side of your own transport. The node at the other end uses
   * addClientSideConnection.
   */
  addHostSideConnection(stream: Duplex): void {
    this.#accept(stream, `${this.#boundUrl} external peer ${++this.#externalPeers}`);
  }

  #accept(socket: Duplex, peerLabel?: string): void {
    if (this.#parts.node.pool.closed) {
      socket.destroy();
      return;
    }
    const net = socket as { remoteAddress?: string; remotePort?: number };
    this.#parts.listener.accept(socket, peerLabel ?? `${this.#boundUrl} peer ${net.remoteAddress ?? 'local'}:${net.remotePort ?? ''}`);
  }
}
