// A Host: a Node that also listens on a URL and remotes sources. `enableRemoting` makes an
// object reachable under a name; every connected node hears of it at once, and nodes that
// acquire it get its property changes and signals (encoded once per change, whatever the
// number of listeners).

import type { ApiDescription, PropertyDescription } from '../api/api-description';
import { apiOf, typeNameOf, type AnyClass } from '../api/metadata';
import { DisconnectedError, UsageError, type TsroError } from '../errors';
import { FrameChannel } from '../transport/frame-channel';
import { listen } from '../transport/node/socket-server';
import { listenWebSocket, type HttpServer } from '../transport/node/websocket-server';
import { listenCustom } from '../transport/transport-schemes';
import { sharedStreamPublisherOf } from '../transport/shared-streams';
import type { Duplex } from 'node:stream';
import { duplexPair } from '../transport/duplex-pair';
import { hasServerCredentials, type TlsOptions } from '../transport/node/tls-options';
import { parseUrl, type TransportAddress } from '../transport/url';
import type { DynamicReplica } from '../replica/dynamic-replica';
import type { Replica } from '../replica/replica-types';
import { HostConnection, type HostConnectionOwner, type HostLimits } from './host-connection';
import { Node, type NodeOptions } from '../node/node';
import type { PacketMessage } from '../protocol/messages';
import { encodePacket } from '../protocol/packet-codec';
import { Peer } from '../protocol/peer';
import { SourceBinding, type ChildHost } from './source-binding';

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
  /** A peer that has not completed the handshake (and authentication) by then is dropped, in ms. Default 10 s. */
  readonly handshakeTimeout?: number;
  /**
   * Checks the credential a node sends in its handshake before it learns anything (not even
   * the source list). Resolve true to admit it; anything else refuses it with AUTH_FAILED.
   */
  readonly authenticate?: (credential: unknown, peer: { readonly address: string }) => boolean | Promise<boolean>;
}

const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_MAX_IN_FLIGHT_CALLS = 1024;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** The largest frame a host accepts from a peer it has not admitted yet (a Handshake is far smaller). */
const PRE_ADMISSION_FRAME_LIMIT = 64 * 1024;

export class Host extends Node implements HostConnectionOwner, ChildHost {
  /** The listen result, without marking `listening` as observed. */
  protected readonly bound: Promise<void>;
  private listeningObserved = false;
  private boundUrl: string;
  private server: { readonly url: string; close(): Promise<void> } | undefined;
  private nextSourceId = 1;
  private readonly bindingsByName = new Map<string, SourceBinding>();
  private readonly bindingsById = new Map<number, SourceBinding>();
  private readonly hostConnections = new Set<HostConnection>();
  /** @internal */
  readonly limits: HostLimits;

  /**
   * Starts listening on `url`: `tcp://host:port` (port 0 for an ephemeral one), `tls://host:port`,
   * `ws://host:port/path`, `wss://host:port/path` or `local:name`.
   */
  constructor(url: string, options: HostOptions = {}) {
    super(options);
    this.limits = {
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxInFlightCalls: options.maxInFlightCalls ?? DEFAULT_MAX_IN_FLIGHT_CALLS,
      handshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      authenticate: options.authenticate,
    };
    const address = parseUrl(url);
    this.boundUrl = url;
    const tls = options.tls;
    const listening =
      address.scheme === 'custom'
        ? listenCustom(address, (stream) => this.accept(stream))
        : address.scheme === 'ws' || address.scheme === 'wss'
          ? listenWebSocket(address, (stream) => this.accept(stream), {
              maxFrameSize: this.maxFrameSize,
              tls,
              httpServer: options.httpServer,
              allowedOrigins: options.allowedOrigins,
              onRefused: (reason) => this.logger.warn(reason),
            })
          : listen(address, (socket) => this.accept(socket), {
            tls: hasServerCredentials(tls) ? tls : undefined,
            socketMode: options.localSocketMode,
            onTlsClientError: (error, peer) => this.logger.warn(`refused a TLS connection from ${peer ?? 'a peer'}`, error),
          });
    this.bound = listening.then((server) => {
      if (this.isClosed) {
        void server.close();
        return;
      }
      this.server = server;
      this.boundUrl = server.url;
    });
    // A failure is never an unhandled rejection; it is logged only for callers who never
    // looked at `listening` (the others get the rejection).
    this.bound.catch((err: unknown) => {
      if (!this.listeningObserved) this.logger.error(`host ${url} is not listening`, err);
    });
  }

  /** Resolves once the host is bound; rejects with LISTEN_FAILED (port in use, live socket...). */
  get listening(): Promise<void> {
    this.listeningObserved = true;
    return this.bound;
  }

  /** The URL nodes connect to: once listening, with the real port for `tcp://...:0`. */
  get hostUrl(): string {
    return this.boundUrl;
  }

  /**
   * Remotes `object` under `name`, else its `@RemoteObjectType` name, else its `objectName`.
   * Returns false (and warns) if no name can be found, the name is taken on this host, the
   * object is already remoted here, or its class declares no remote API.
   */
  enableRemoting(object: object, name?: string): boolean {
    if (this.isClosed) {
      this.logger.warn('enableRemoting on a closed host');
      return false;
    }
    const cls = (object as { constructor: AnyClass }).constructor;
    let api;
    try {
      api = apiOf(cls);
    } catch (err) {
      this.logger.warn(`cannot remote ${cls?.name ?? typeof object}`, err);
      return false;
    }
    const objectName = (object as { objectName?: unknown }).objectName;
    const sourceName = name ?? typeNameOf(cls) ?? (typeof objectName === 'string' && objectName ? objectName : undefined);
    if (!sourceName) {
      this.logger.warn(`cannot remote ${cls.name}: no @RemoteObjectType, objectName or explicit name`);
      return false;
    }
    if (this.bindingsByName.has(sourceName)) {
      this.logger.warn(`cannot remote "${sourceName}": this host already has a source of that name`);
      return false;
    }
    for (const b of this.bindingsById.values()) {
      if (b.object === object) {
        this.logger.warn(`cannot remote "${sourceName}": the object is already remoted as "${b.name}"`);
        return false;
      }
    }
    const binding = this.addBinding(sourceName, api, object, false);
    void this.publish(binding);
    return true;
  }

  private addBinding(sourceName: string, api: ApiDescription, object: object, child: boolean): SourceBinding {
    const binding = new SourceBinding(this.nextSourceId++, sourceName, api, object, this, child);
    this.bindingsByName.set(sourceName, binding);
    this.bindingsById.set(binding.id, binding);
    // Children first: the source list then names every child the object's Init refers to.
    binding.attachInitialChildren((message, error) => this.logger.warn(message, error));
    this.broadcast({ sourceAdded: { source: binding.info } });
    return binding;
  }

  /**
   * @internal Child objects (ChildHost): remotes `object` as a hidden child source of `parent`,
   * named `<parent>/<property>#<n>` (n counts the parent's children, so a replacement has a new
   * name), after disabling the child the property held before.
   */
  attachChild(parent: SourceBinding, prop: PropertyDescription, object: unknown): string | null {
    if (this.isClosed || this.bindingsById.get(parent.id) !== parent) return null;
    let api: ApiDescription | undefined;
    if (object !== null && object !== undefined) {
      if (typeof object !== 'object') throw new UsageError('TYPE_MISMATCH', `child "${prop.name}" of source "${parent.name}" must be an object or null`);
      for (const b of this.bindingsById.values()) {
        if (b.object === object) {
          throw new UsageError('DECLARATION_INVALID', `child "${prop.name}" of source "${parent.name}": the object is already remoted as "${b.name}"`);
        }
      }
      api = apiOf((object as { constructor: AnyClass }).constructor);
    }
    const names = parent.childNames!;
    const old = names[prop.index];
    names[prop.index] = null;
    if (old) this.disableRemoting(old);
    if (!api) return null;
    let name: string;
    do name = `${parent.name}/${prop.name}#${++parent.childCount}`;
    while (this.bindingsByName.has(name));
    this.addBinding(name, api, object as object, true);
    names[prop.index] = name;
    return name;
  }

  // Registry: each source is published once the host is bound and the registry replica is
  // valid, and published again each time the registry comes back (it starts empty).

  private async publish(binding: SourceBinding): Promise<void> {
    await this.bound.catch(() => {});
    const registry = this.registry;
    if (!registry?.isReplicaValid() || binding.name === 'Registry' || binding.isChild || this.bindingsById.get(binding.id) !== binding) return;
    const location = { typeName: binding.api.typeName, hostUrl: this.hostUrl, signature: binding.api.signature };
    try {
      if (!(await registry.addSource(binding.name, location))) {
        const holder = registry.sourceLocations.get(binding.name);
        this.logger.warn(
          `source "${binding.name}" is already registered by ${holder?.hostUrl ?? 'another host'}; ` +
            `this host's stays queued and takes over if that one goes away`,
        );
      }
    } catch (err) {
      this.logger.warn(`could not publish "${binding.name}" to the registry`, err);
    }
  }

  private unpublish(binding: SourceBinding): void {
    const registry = this.registry;
    if (!registry?.isReplicaValid() || binding.name === 'Registry' || binding.isChild) return;
    registry.removeSource(binding.name, this.hostUrl).catch((err: unknown) =>
      this.logger.warn(`could not withdraw "${binding.name}" from the registry`, err),
    );
  }

  protected override registryInitialized(): void {
    super.registryInitialized();
    for (const b of this.bindingsById.values()) void this.publish(b);
  }

  /** Stops remoting an object (or the source of that name); its replicas leave `valid`. */
  disableRemoting(objectOrName: object | string): boolean {
    let binding: SourceBinding | undefined;
    if (typeof objectOrName === 'string') binding = this.bindingsByName.get(objectOrName);
    else for (const b of this.bindingsById.values()) if (b.object === objectOrName) binding = b;
    if (!binding || this.bindingsById.get(binding.id) !== binding) return false;
    // Its children go with it (first, so no replica is left following an orphan).
    const children = binding.childNames;
    if (children) {
      for (let i = 0; i < children.length; i++) {
        const child = children[i];
        children[i] = null;
        if (child) this.disableRemoting(child);
      }
    }
    binding.dispose();
    this.bindingsByName.delete(binding.name);
    this.bindingsById.delete(binding.id);
    for (const c of this.hostConnections) c.forget(binding);
    this.broadcast({ sourceRemoved: { source: binding.id } });
    this.unpublish(binding);
    return true;
  }

  /** Names of the sources this host remotes. */
  get sourceNames(): string[] {
    return [...this.bindingsByName.values()].filter((b) => !b.isChild).map((b) => b.name);
  }

  /** Stops listening, closes every connection (accepted and outgoing) and stops remoting. */
  override async close(): Promise<void> {
    if (this.isClosed) return;
    await super.close();
    for (const b of this.bindingsById.values()) b.dispose();
    this.bindingsById.clear();
    this.bindingsByName.clear();
    const ending = [...this.hostConnections].map((c) => c.ended);
    for (const c of this.hostConnections) c.close();
    await this.bound.catch(() => {});
    await this.server?.close();
    await Promise.all(ending);
  }

  /**
   * A Host's replicas of its own sources: acquiring makes the host connect to itself, in
   * process (no socket; the same protocol over an in-memory pair), so they are valid replicas
   * like any other, with the same semantics (values are copies; sets go through the source).
   */
  override acquire<T extends object>(cls: abstract new (...args: never[]) => T, name?: string): Replica<T> {
    const replica = super.acquire(cls, name);
    this.connectToSelf();
    return replica;
  }

  override acquireDynamic(name: string): DynamicReplica {
    const replica = super.acquireDynamic(name);
    this.connectToSelf();
    return replica;
  }

  private connectToSelf(): void {
    // Node's constructor may acquire (the registry) before this Host's own fields exist.
    if (this.bound === undefined) return;
    this.bound.then(
      () => {
        if (!this.isClosed) this.ensureConnected(this.hostUrl);
      },
      () => {},
    );
  }

  protected override openStream(url: string, address: TransportAddress): Promise<Duplex> {
    if (this.server && url === this.hostUrl) {
      const [mine, theirs] = duplexPair();
      this.accept(theirs, `${this.hostUrl} (in process)`);
      return Promise.resolve(mine);
    }
    return super.openStream(url, address);
  }

  private externalPeers = 0;

  /**
   * Serves a node over a stream you connected yourself (QtRO's addHostSideConnection): any
   * Duplex, e.g. one side of your own transport. The node at the other end uses
   * addClientSideConnection.
   */
  addHostSideConnection(stream: Duplex): void {
    this.accept(stream, `${this.boundUrl} external peer ${++this.externalPeers}`);
  }

  private accept(socket: Duplex, peerLabel?: string): void {
    if (this.isClosed) {
      socket.destroy();
      return;
    }
    const net = socket as { remoteAddress?: string; remotePort?: number };
    const label = peerLabel ?? `${this.boundUrl} peer ${net.remoteAddress ?? 'local'}:${net.remotePort ?? ''}`;
    const pending = this.hostConnections.size - this.admittedConnections;
    if (pending >= this.limits.maxConnections) {
      // Peers that never finish their handshake are bounded too; no reason is sent to them.
      this.logger.warn(`dropped ${label}: ${pending} connections are still in their handshake`);
      socket.destroy();
      return;
    }
    const channel = new FrameChannel(socket, { maxFrameSize: this.maxFrameSize, maxBufferedBytes: this.maxBufferedBytes, label });
    // Until admitted, a peer may send only frames a handshake can need.
    channel.setReceiveLimit(PRE_ADMISSION_FRAME_LIMIT);
    const peer = new Peer(channel, label, this.maxFrameSize, undefined, this.maxValuesPerFrame);
    const conn = new HostConnection(peer, this, () => channel.setReceiveLimit(this.maxFrameSize), sharedStreamPublisherOf(socket));
    this.hostConnections.add(conn);
    peer.start();
  }

  private broadcast(packet: PacketMessage): void {
    let bytes: Uint8Array | undefined;
    for (const c of this.hostConnections) {
      if (!c.isOpen) continue; // not past the handshake: it gets the full list when it is
      bytes ??= encodePacket(packet);
      c.sendEncoded(bytes);
    }
  }

  /** @internal */
  bindingById(id: number): SourceBinding | undefined {
    return this.bindingsById.get(id);
  }

  /** @internal */
  sourceListPacket(): PacketMessage {
    return { sourceList: { sources: [...this.bindingsById.values()].map((b) => b.info) } };
  }

  /** @internal Admitted connections, counted against maxConnections. */
  get connectionCount(): number {
    return this.admittedConnections;
  }

  private admittedConnections = 0;

  /** @internal */
  connectionOpened(_conn: HostConnection): void {
    this.admittedConnections++;
  }

  /** @internal */
  connectionEnded(conn: HostConnection, error: TsroError | undefined): void {
    this.hostConnections.delete(conn);
    if (conn.wasAdmitted) this.admittedConnections--;
    if (error && !(error instanceof DisconnectedError)) this.logger.warn(`connection ${conn.label} closed`, error);
  }

  /** @internal */
  warn(message: string, error?: unknown): void {
    this.logger.warn(message, error);
  }
}
