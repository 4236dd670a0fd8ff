// A Node: connects to hosts and acquires replicas of their sources. It keeps one connection
// per host URL, the directory of sources those hosts offer, and one ReplicaCore per acquired
// source name. A replica acquired before any host offers its source waits, uninitialized, and
// initializes by itself once a connected host offers it.

import { apiOf, type AnyClass } from '../decorators/metadata';
import { DisconnectedError, ProtocolError, type TsroError } from '../errors';
import { FrameChannel, DEFAULT_MAX_FRAME_SIZE } from '../transport/frame-channel';
import { connectSocket } from '../transport/socket-client';
import { parseUrl } from '../transport/url';
import { DynamicReplica } from './dynamic-replica';
import { consoleLogger, type Logger } from './logger';
import { NodeConnection, type NodeConnectionEvents, type SourceInfo } from './node-connection';
import { Peer } from './protocol/peer';
import { ReplicaCore } from './replica-core';
import type { ReplicaHandle, ReplicaOwner } from './replica-handle';
import type { Replica } from './replica-types';
import { systemTimers, type Timers } from './timers';
import { typedReplicaFor } from './typed-replica';

export interface NodeOptions {
  /** Where warnings go (connections closed for garbage, refused calls...). Default: stderr. */
  readonly logger?: Logger;
  /** Timers for waits; inject fake ones in tests. */
  readonly timers?: Timers;
  /** Largest frame accepted or sent, in bytes. Default 64 MiB. */
  readonly maxFrameSize?: number;
  /** How long connecting to a host may take, in ms. Default 10 s. */
  readonly connectTimeout?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

interface Offer {
  readonly connection: NodeConnection;
  readonly info: SourceInfo;
}

export class Node implements ReplicaOwner, NodeConnectionEvents {
  /** @internal */ readonly logger: Logger;
  /** @internal */ readonly timers: Timers;
  protected readonly maxFrameSize: number;
  private readonly connectTimeout: number;
  private readonly connections = new Map<string, NodeConnection>();
  private readonly connecting = new Map<string, Promise<void>>();
  private readonly offered = new Map<string, Offer>();
  private readonly cores = new Map<string, ReplicaCore>();
  protected isClosed = false;

  constructor(options: NodeOptions = {}) {
    this.logger = options.logger ?? consoleLogger;
    this.timers = options.timers ?? systemTimers;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /**
   * Connects to a host; resolves once the handshake is done and the host's source list has
   * arrived. A malformed URL throws at once (URL_INVALID); a host that cannot be reached rejects
   * with CONNECT_FAILED, one that speaks another protocol version with PROTOCOL_MISMATCH.
   * Connecting again to a URL this node is connected or connecting to returns the same wait.
   */
  connectToNode(url: string): Promise<void> {
    const address = parseUrl(url);
    if (this.isClosed) return Promise.reject(new DisconnectedError('the node is closed', 'CLOSED'));
    const existing = this.connecting.get(url);
    if (existing) return existing;
    if (this.connections.has(url)) return Promise.resolve();
    const attempt = (async () => {
      const socket = await connectSocket(address, { timeoutMs: this.connectTimeout });
      if (this.isClosed) {
        socket.destroy();
        throw new DisconnectedError('the node was closed while connecting', 'CLOSED');
      }
      const channel = new FrameChannel(socket, { maxFrameSize: this.maxFrameSize, label: url });
      const peer = new Peer(channel, url, this.maxFrameSize);
      const connection = new NodeConnection(url, peer, this);
      this.connections.set(url, connection);
      peer.start();
      await connection.ready;
    })();
    this.connecting.set(url, attempt);
    const forget = (): void => {
      this.connecting.delete(url);
    };
    attempt.then(forget, forget);
    return attempt;
  }

  /** Acquires a typed replica of `cls`'s API; the source name defaults to its type name. */
  acquire<T extends object>(cls: abstract new (...args: never[]) => T, name?: string): Replica<T> {
    const anyClass = cls as unknown as AnyClass;
    const api = apiOf(anyClass);
    const core = this.coreFor(name ?? api.typeName);
    const { ctor, defaults } = typedReplicaFor(anyClass, this);
    const handle = new ctor(core, this, api, defaults);
    this.bind(core);
    return handle as unknown as Replica<T>;
  }

  /** Acquires a replica by source name, whose API arrives with the source. */
  acquireDynamic(name: string): DynamicReplica {
    const core = this.coreFor(name);
    const handle = new DynamicReplica(core, this);
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
    const connections = [...this.connections.values()];
    await Promise.allSettled([...this.connecting.values()]);
    for (const c of connections) c.close();
    for (const c of this.connections.values()) c.close();
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
    if (!offer) return;
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
  releaseHandle(_handle: ReplicaHandle, core: ReplicaCore): void {
    if (core.handles.size > 0) {
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
    for (const other of this.connections.values()) {
      if (other === connection) continue;
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
    if (this.connections.get(connection.url) === connection) this.connections.delete(connection.url);
    if (error instanceof ProtocolError) this.logger.warn(`connection to ${connection.url} closed`, error);
  }
}
