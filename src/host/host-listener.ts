// The connections a host accepts, from its listening socket, from addHostSideConnection or from
// itself in process (a byte stream, carried by a FrameChannel) or as a FrameLink of a
// message-based transport: each gets a Peer and a HostConnection, within the host's
// limits (at most maxConnections admitted, as many more still in their handshake, small frames
// until admitted). Broadcasts reach every admitted connection, encoded once.

import type { Duplex } from 'node:stream';
import { DisconnectedError, type TsroError } from '../errors';
import type { PacketMessage } from '../protocol/messages';
import { encodePacket } from '../protocol/packet-codec';
import { Peer } from '../protocol/peer';
import type { FrameLink } from '../transport/frame-link';
import { FrameChannel } from '../transport/node/frame-channel';
import type { BufferedBytesPool } from '../transport/buffered-bytes-pool';
import { sharedStreamPublisherOf } from '../transport/shared-streams';
import type { Logger } from '../util/logger';
import type { Timers } from '../util/timers';
import { HostConnection, type HostConnectionOwner, type HostLimits } from './host-connection';
import type { SourceBinding } from './source-binding';
import type { SourceQueryMessage, SourceTable } from './source-table';
import { AbandonedCalls } from './abandoned-calls';

/** The largest frame a host accepts from a peer it has not admitted yet (a Handshake is far smaller). */
const PRE_ADMISSION_FRAME_LIMIT = 64 * 1024;

/** How a listener runs its connections. */
export interface ListenerSettings {
  readonly logger: Logger;
  readonly timers: Timers;
  readonly maxFrameSize: number;
  readonly maxBufferedBytes: number | undefined;
  readonly maxValuesPerFrame: number | undefined;
  /** Unsent bytes across every accepted connection, bounded by maxTotalBufferedBytes. */
  readonly unsent: BufferedBytesPool;
  readonly limits: HostLimits;
}

export class HostListener implements HostConnectionOwner {
  /** Slots still running after their callers gave up, over all of this host's connections. */
  readonly abandoned: AbandonedCalls;
  readonly #settings: ListenerSettings;
  readonly #sources: SourceTable;
  readonly #connections = new Set<HostConnection>();
  readonly #ended = new Set<(conn: HostConnection) => void>();
  #admitted = 0;
  #closed = false;

  constructor(settings: ListenerSettings, sources: SourceTable) {
    this.#settings = settings;
    this.#sources = sources;
    this.abandoned = new AbandonedCalls(settings.limits.maxAbandonedCalls, (message) => settings.logger.warn(message));
  }

  /** Calls `fn` after each accepted connection ends. */
  onConnectionEnded(fn: (conn: HostConnection) => void): void {
    this.#ended.add(fn);
  }

  /** Serves a node over `socket`; `label` names the peer in messages. */
  accept(socket: Duplex, label: string): void {
    if (this.#closed || this.#full(label)) {
      socket.destroy();
      return;
    }
    this.#serve(this.linkOver(socket, label), label);
  }

  /** Serves a node over `link` (a message-based transport's); `label` names the peer in messages. */
  acceptLink(link: FrameLink, label: string): void {
    if (this.#closed || this.#full(label)) {
      link.destroy();
      return;
    }
    this.#serve(link, label);
  }

  /** A FrameLink over a byte stream, with this host's limits. */
  linkOver(stream: Duplex, label: string): FrameChannel {
    const s = this.#settings;
    return new FrameChannel(stream, { maxFrameSize: s.maxFrameSize, maxBufferedBytes: s.maxBufferedBytes, label, pool: s.unsent });
  }

  #full(label: string): boolean {
    const s = this.#settings;
    const pending = this.#connections.size - this.#admitted;
    if (pending < s.limits.maxConnections) return false;
    // Peers that never finish their handshake are bounded too; no reason is sent to them.
    s.logger.warn(`dropped ${label}: ${pending} connections are still in their handshake`);
    return true;
  }

  #serve(link: FrameLink, label: string): void {
    const s = this.#settings;
    // Until admitted, a peer may send only frames a handshake can need.
    link.setReceiveLimit?.(PRE_ADMISSION_FRAME_LIMIT);
    const peer = new Peer(link, label, s.maxFrameSize, undefined, s.maxValuesPerFrame);
    const conn = new HostConnection(peer, this, () => link.setReceiveLimit?.(s.maxFrameSize), sharedStreamPublisherOf(link));
    this.#connections.add(conn);
    peer.start();
  }

  /** Sends `packet` to every admitted connection (the others get the full list when admitted). */
  broadcast(packet: PacketMessage): void {
    let bytes: Uint8Array | undefined;
    for (const c of this.#connections) {
      if (!c.isOpen) continue;
      bytes ??= encodePacket(packet);
      c.sendEncoded(bytes);
    }
  }

  /** A source is gone: no connection keeps it subscribed. */
  forget(binding: SourceBinding): void {
    for (const c of this.#connections) c.forget(binding);
  }

  /** Number of accepted connections, admitted or still in their handshake. */
  get size(): number {
    return this.#connections.size;
  }

  /** Refuses new connections and closes the accepted ones; resolves once they have ended. */
  async close(): Promise<void> {
    this.#closed = true;
    const ending = [...this.#connections].map((c) => c.ended);
    for (const c of this.#connections) c.close();
    await Promise.all(ending);
  }

  // HostConnectionOwner

  get timers(): Timers {
    return this.#settings.timers;
  }

  get limits(): HostLimits {
    return this.#settings.limits;
  }

  /** Admitted connections, counted against maxConnections. */
  get connectionCount(): number {
    return this.#admitted;
  }

  bindingById(id: number): SourceBinding | undefined {
    return this.#sources.byId(id);
  }

  sourceListPacket(limit: number): PacketMessage {
    return this.#sources.sourceListPacket(limit);
  }

  sourcePage(query: SourceQueryMessage, maxBytes: number): NonNullable<PacketMessage['sourcePage']> {
    return this.#sources.sourcePage(query, maxBytes);
  }

  connectionOpened(_conn: HostConnection): void {
    this.#admitted++;
  }

  connectionEnded(conn: HostConnection, error: TsroError | undefined): void {
    this.#connections.delete(conn);
    if (conn.wasAdmitted) this.#admitted--;
    if (error && !(error instanceof DisconnectedError)) this.#settings.logger.warn(`connection ${conn.label} closed`, error);
    for (const fn of this.#ended) fn(conn);
  }

  warn(message: string, error?: unknown): void {
    this.#settings.logger.warn(message, error);
  }
}
