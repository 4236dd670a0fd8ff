// The client side of one connection from a node to a host: what the host offers, which of
// those this node is subscribed to, and the calls waiting for a reply. Calls never hang: when
// the connection ends every pending call rejects with a DisconnectedError.

import { CancelledError, DisconnectedError, ProtocolError, RemoteError, TimeoutError, type TsroError } from '../errors';
import { CallDeadlines } from './call-deadlines';
import { PendingCall, cancelledError, describeCall, promiseOf, withCallerStack } from './pending-call';
import { remoteError } from './remote-error';
import { sourceInfo, type SourceInfo } from './source-info';
import { SharedStreamReaders } from './shared-stream-readers';
import { SerialTable } from './serial-table';
import { apiFromMessage } from '../protocol/api-codec';
import type { ApiDescription } from '../api/api-description';
import type { DecodedPacket, ErrorInfoMessage, PacketMessage, SourceInfoMessage } from '../protocol/messages';
import { existingModelCore, modelCoreOf, modelPacketSource } from '../model/model-core';
import type { Peer } from '../protocol/peer';
import { encodeInvoke } from '../protocol/hot-packets';
import { decodeValue, decodeValues, type ValueMessage } from '../protocol/value-codec';
import type { ReplicaCore, SubscriptionLink } from '../replica/replica-core';
import type { Timers } from '../util/timers';
import type { SharedStreamSubscriber } from '../transport/shared-streams';
import type { CallOptions } from '../replica/call-options';
import type { CallStream, StreamControl } from '../replica/call-stream';

/** What a connection tells its node. */
export interface NodeConnectionEvents {
  sourcesOffered(conn: NodeConnection, sources: readonly SourceInfo[]): void;
  sourceWithdrawn(conn: NodeConnection, source: SourceInfo): void;
  connectionClosed(conn: NodeConnection, error: TsroError | undefined): void;
  /** The host answered an Acquire with AcquireRefused (its replica is told next): log it. */
  acquireRefused(conn: NodeConnection, source: SourceInfo, error: RemoteError): void;
}

const MAX_SERIAL = 0xffffffff;

/** A SourceQuery waiting for its SourcePage. */
interface PendingQuery {
  resolve(page: { sources: SourceInfo[]; next: number }): void;
  reject(error: Error): void;
}

export class NodeConnection implements SubscriptionLink {
  /**
   * What the host offers, by source id: everything, or, from a host that lists on request
   * (`listsOnRequest`), what this node asked for, was told of since (SourceAdded) or listed.
   */
  readonly offers = new Map<number, SourceInfo>();
  /** The host offers more sources than this node wanted listed at admission: it answers SourceQuery. */
  #listsOnRequest = false;
  readonly #queries = new Map<number, PendingQuery>();
  #nextQuery = 1;
  private readonly subscriptions = new Map<number, ReplicaCore>();
  private pending = new SerialTable<PendingCall>();
  /**
   * Calls this side gave up on (timeout, abort) whose CancelCall the host has not answered yet:
   * their serials stay taken, and a late reply or stream item for them is dropped.
   */
  private readonly abandoned = new Set<number>();
  private readonly deadlines: CallDeadlines<PendingCall>;
  private nextSerial = 1;
  private closedLocally = false;
  private readyResolve!: () => void;
  private readyReject!: (error: Error) => void;
  private isReady = false;
  /** Resolves when the host's source list has arrived; rejects if the connection ends first. */
  readonly ready: Promise<void>;
  /** Resolves once the connection is closed and its socket released. */
  readonly ended: Promise<void>;
  private markEnded!: () => void;
  private lastReceived: number;
  private pingOutstanding = false;
  private heartbeatTimer: unknown;

  /** Reading the sources' shared streams, where the transport has them (NATS). */
  private readonly readers: SharedStreamReaders | undefined;

  constructor(
    readonly url: string,
    private readonly peer: Peer,
    private readonly events: NodeConnectionEvents,
    private readonly timers: Timers,
    /** Ping the host after this long without traffic; 0 = never. */
    private readonly heartbeatInterval: number,
    /** The transport's shared streams, if it fans out by itself (NATS). */
    sharedStreams?: SharedStreamSubscriber,
    /** Timeout of calls that set none, in ms; 0 = none. */
    private readonly callTimeout = 0,
  ) {
    this.lastReceived = timers.now();
    this.readers =
      sharedStreams &&
      new SharedStreamReaders(sharedStreams, {
        touch: () => this.touch(),
        receive: (packet) => peer.receiveShared(packet),
        resync: (source) => peer.send({ acquire: { source, wantDefinition: false, sharedStream: true } }),
      });
    this.deadlines = new CallDeadlines<PendingCall>(timers, (call) =>
      this.giveUp(call, 'TIMEOUT', new TimeoutError(`${describeCall(call)} got no reply within ${call.timeout} ms`)),
    );
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {});
    this.ended = new Promise<void>((resolve) => (this.markEnded = resolve));
    peer.onPacket = (p) => this.receive(p);
    peer.onClose = (error) => this.closed(error);
    peer.hot = {
      propertyChange: (source, index, value) => {
        this.touch();
        this.core(source)?.propertyChanged(index, value);
      },
      signal: (source, index, args) => {
        this.touch();
        this.core(source)?.signalEmitted(index, args);
      },
      replyValue: (serial, value) => {
        this.touch();
        this.settle(serial, undefined, value);
      },
      streamItems: (serial, items) => {
        this.touch();
        this.streamItems(serial, items);
      },
    };
  }

  get isOpen(): boolean {
    return !this.peer.closed;
  }

  /** True once the handshake was done and the source list in (the connection was up). */
  get wasReady(): boolean {
    return this.isReady;
  }

  /** True when the host's SourceList was partial: its other sources are looked up (lookup, listAll). */
  get listsOnRequest(): boolean {
    return this.#listsOnRequest;
  }

  /**
   * Asks the host for the sources named `names` (at most MAX_QUERY_NAMES): those it offers are
   * announced like a SourceAdded once the answer is in. Resolves then; rejects if the
   * connection ends first.
   */
  lookup(names: readonly string[]): Promise<void> {
    return this.#query({ names: [...names] }).then(() => undefined);
  }

  /** Lists every source the host offers, page by page (each announced as it arrives). */
  async listAll(): Promise<void> {
    let after = 0;
    do {
      const page = await this.#query({ after });
      after = page.next;
    } while (after > 0);
  }

  #query(q: { names?: string[]; after?: number }): Promise<{ sources: SourceInfo[]; next: number }> {
    if (this.peer.closed) return Promise.reject(new DisconnectedError(`the connection to ${this.url} is closed`));
    const request = this.#nextQuery;
    this.#nextQuery = request >= MAX_SERIAL ? 1 : request + 1;
    return new Promise((resolve, reject) => {
      this.#queries.set(request, { resolve, reject });
      this.peer.send({ sourceQuery: { request, ...q } });
    });
  }

  /** A SourcePage: its sources are offered (as by SourceAdded), then its query resolves. */
  #sourcePage(m: NonNullable<DecodedPacket['sourcePage']>): void {
    const request = m.request ?? 0;
    const query = this.#queries.get(request);
    if (!query) throw new ProtocolError('PROTOCOL_ERROR', `${this.url} answered source query #${request}, which this node did not send`);
    this.#queries.delete(request);
    const sources = (m.sources ?? []).map(sourceInfo);
    for (const s of sources) this.offers.set(s.id, s);
    if (sources.length > 0) this.events.sourcesOffered(this, sources);
    query.resolve({ sources, next: m.next ?? 0 });
  }

  /** True if this side closed the connection (node.close(), or a failed handshake). */
  get wasClosedLocally(): boolean {
    return this.closedLocally;
  }

  close(): void {
    this.closedLocally = true;
    this.peer.close();
  }

  /** Drops the connection at once, with a reason (e.g. the handshake took too long). */
  abort(error: TsroError): void {
    this.closedLocally = true;
    this.peer.destroy(error);
  }

  // Heartbeat: a host that is frozen (not closed) sends nothing. After half an interval of
  // silence we ping; after two intervals of silence the host is taken for lost. Any packet
  // counts as a sign of life, so a busy connection never pings.
  private scheduleHeartbeat(): void {
    if (this.heartbeatInterval <= 0 || this.peer.closed) return;
    this.heartbeatTimer = this.timers.setTimeout(() => this.heartbeat(), Math.max(1, this.heartbeatInterval / 4));
  }

  private heartbeat(): void {
    this.heartbeatTimer = undefined;
    if (this.peer.closed) return;
    const silent = this.timers.now() - this.lastReceived;
    if (silent >= 2 * this.heartbeatInterval) {
      this.peer.destroy(
        new DisconnectedError(`${this.url} did not answer for ${silent} ms (heartbeat interval ${this.heartbeatInterval} ms)`),
      );
      return;
    }
    if (silent >= this.heartbeatInterval / 2 && !this.pingOutstanding) {
      this.pingOutstanding = true;
      this.peer.send({ ping: { nonce: 1 } });
    }
    this.scheduleHeartbeat();
  }

  acquire(core: ReplicaCore, sourceId: number, wantDefinition: boolean): void {
    this.subscriptions.set(sourceId, core);
    // Subscribed before the Acquire goes out, so nothing published after the host's snapshot
    // can be missed; what arrives before the Init waits for it.
    this.readers?.start(sourceId);
    this.peer.send({ acquire: { source: sourceId, wantDefinition, sharedStream: this.readers !== undefined } });
    existingModelCore(core)?.acquired();
  }

  release(sourceId: number): void {
    this.readers?.stop(sourceId);
    if (this.subscriptions.delete(sourceId)) this.peer.send({ release: { source: sourceId } });
  }

  /** Sources whose API was asked for by describe(), with who waits for it. */
  private readonly describing = new Map<number, { resolve(api: ApiDescription): void; reject(error: Error): void }[]>();

  /**
   * The API of a source this node is not subscribed to (a typed replica whose class does not
   * match it: to say what differs). Only a hash of each API comes with the source list, so this
   * is an Acquire that asks for the definition, and a Release once its Init is in: one round
   * trip, in the protocol as it is, paid only on a mismatch. Rejects if the host refuses the
   * Acquire, withdraws the source or the connection ends first.
   */
  describe(sourceId: number): Promise<ApiDescription> {
    return new Promise<ApiDescription>((resolve, reject) => {
      const waiting = this.describing.get(sourceId);
      if (waiting !== undefined) {
        waiting.push({ resolve, reject });
        return;
      }
      if (this.peer.closed) {
        reject(new DisconnectedError(`${this.url} is not connected`));
        return;
      }
      this.describing.set(sourceId, [{ resolve, reject }]);
      this.peer.send({ acquire: { source: sourceId, wantDefinition: true, sharedStream: false } });
    });
  }

  /** An Init, or why there will be none, for describe(): its waiters settle. */
  private described(sourceId: number, api: ApiDescription | Error): void {
    const waiting = this.describing.get(sourceId);
    if (waiting === undefined) return;
    this.describing.delete(sourceId);
    // Unless a replica subscribed meanwhile (its own Acquire went out), the source's traffic stops here.
    if (!(api instanceof Error) && !this.subscriptions.has(sourceId)) this.peer.send({ release: { source: sourceId } });
    for (const w of waiting) {
      if (api instanceof Error) w.reject(api);
      else w.resolve(api);
    }
  }

  /**
   * Calls a slot with arguments already checked against its declaration; resolves with its
   * decoded return value. `slot` and `source` name it in errors. With a timeout (the options',
   * else the node's) or a signal, the call rejects TIMEOUT or CANCELLED when its caller gives
   * up, and the host is told; a signal aborted already sends nothing.
   */
  invoke(
    sourceId: number,
    slotIndex: number,
    args: readonly unknown[],
    slot: string,
    source: string,
    options?: CallOptions,
  ): Promise<unknown> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(cancelledError(`slot "${slot}" of "${source}"`, signal));
    const serial = this.allocateSerial();
    try {
      const bytes = encodeInvoke(sourceId, slotIndex, serial, args, (i) => `argument ${i + 1} of slot "${slot}" of "${source}"`);
      // Sent before it is recorded: a frame too large for the host throws here, leaving nothing behind.
      if (!this.peer.sendEncoded(bytes)) {
        throw new DisconnectedError(`slot "${slot}" of "${source}": the connection to ${this.url} is closed`);
      }
    } catch (err) {
      return Promise.reject(err).then(undefined, withCallerStack);
    }
    const call = new PendingCall(serial, slot, source, options?.timeout ?? this.callTimeout);
    const promise = promiseOf(call);
    this.track(call, signal);
    return promise.then(undefined, withCallerStack);
  }

  /** Sets a property on the source; resolves once the host has applied it. Options as for invoke. */
  setProperty(sourceId: number, index: number, value: ValueMessage, what: string, options?: CallOptions): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(cancelledError(what, signal));
    const serial = this.allocateSerial();
    try {
      if (!this.peer.send({ setProperty: { source: sourceId, index, value, serial } })) {
        throw new DisconnectedError(`${what}: the connection to ${this.url} is closed`);
      }
    } catch (err) {
      return Promise.reject(err).then(undefined, withCallerStack);
    }
    const call = new PendingCall(serial, what, undefined, options?.timeout ?? this.callTimeout);
    const promise = promiseOf(call);
    this.track(call, signal);
    return promise.then(() => undefined, withCallerStack);
  }

  /**
   * Calls a stream slot for `stream` (on its first next()): items arrive into it, and it
   * acknowledges what its consumer took. Only the options' timeout applies (to the whole
   * stream), not the node's callTimeout: a stream may rightly run for ever. Throws if the call
   * cannot be sent.
   */
  openStream(...[sourceId, slotIndex, args, slot, source, options, stream]: Parameters<SubscriptionLink['openStream']>): StreamControl {
    const signal = options?.signal;
    if (signal?.aborted) throw cancelledError(`stream slot "${slot}" of "${source}"`, signal);
    const serial = this.allocateSerial();
    const bytes = encodeInvoke(sourceId, slotIndex, serial, args, (i) => `argument ${i + 1} of slot "${slot}" of "${source}"`);
    if (!this.peer.sendEncoded(bytes)) {
      throw new DisconnectedError(`slot "${slot}" of "${source}": the connection to ${this.url} is closed`);
    }
    const call = new PendingCall(serial, slot, source, options?.timeout ?? 0);
    call.stream = stream;
    this.track(call, signal);
    return {
      credit: (items) => {
        if (this.pending.get(serial) === call) this.peer.send({ streamCredit: { serial, items } });
      },
      cancel: () => this.giveUp(call, 'CANCELLED', undefined),
    };
  }

  /** Records a call that was sent, with its timeout and signal. */
  private track(call: PendingCall, signal: AbortSignal | undefined): void {
    this.pending.add(call);
    const timeout = call.timeout;
    if (timeout > 0 && timeout !== Infinity) this.deadlines.add(call, timeout);
    if (signal !== undefined) {
      const onAbort = (): void => this.giveUp(call, 'CANCELLED', cancelledError(describeCall(call), signal));
      call.signal = signal;
      call.onAbort = onAbort;
      signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  /** The call is over for its caller: no timer, no abort listener. */
  private finish(call: PendingCall): void {
    call.settled = true;
    if (call.queue !== undefined) this.deadlines.settled(call);
    if (call.onAbort !== undefined) call.signal!.removeEventListener('abort', call.onAbort);
  }

  /**
   * The caller gave up on `call`: it rejects now (a stream ended by its consumer, `error`
   * undefined, just ends), and the host is told to stop.
   */
  private giveUp(call: PendingCall, code: 'TIMEOUT' | 'CANCELLED', error: TsroError | undefined): void {
    if (call.settled || this.pending.get(call.serial) !== call) return;
    this.pending.delete(call.serial);
    this.finish(call);
    if (!this.peer.closed) {
      this.abandoned.add(call.serial);
      this.peer.send({ cancel: { serial: call.serial, code } });
    }
    if (error === undefined) return;
    if (call.stream) call.stream.abort(error);
    else call.reject(error);
  }

  /** Sends a packet as is (model requests, which carry their own request numbers). */
  send(packet: PacketMessage): boolean {
    return this.peer.send(packet);
  }

  private wrapped = false;

  private allocateSerial(): number {
    // Serials are per connection; 0 means "no reply". Until the counter first wraps (2^32 calls)
    // no serial can still be in flight; after that, skip the ones that are.
    let serial = this.nextSerial;
    if (this.wrapped) while (this.pending.get(serial) !== undefined || this.abandoned.has(serial)) serial = serial >= MAX_SERIAL ? 1 : serial + 1;
    if (serial >= MAX_SERIAL) {
      this.wrapped = true;
      this.nextSerial = 1;
    } else {
      this.nextSerial = serial + 1;
    }
    return serial;
  }

  private core(sourceId: number | null | undefined): ReplicaCore | undefined {
    // Updates for a source this node just released may still be in flight: ignore them.
    return this.subscriptions.get(sourceId ?? 0);
  }

  /** Any packet is a sign of life for the heartbeat. */
  private touch(): void {
    if (this.heartbeatInterval > 0) {
      this.lastReceived = this.timers.now();
      this.pingOutstanding = false;
    }
  }

  private streamItems(serial: number, items: unknown[]): void {
    const call = this.pending.get(serial);
    if (call?.stream) call.stream.push(items);
    else if (!this.abandoned.has(serial)) {
      throw new ProtocolError('PROTOCOL_ERROR', `${this.url} sent stream items for call #${serial}, which is not a stream in progress`);
    }
  }

  private settle(serial: number, error: ErrorInfoMessage | null | undefined, value: unknown): void {
    const call = this.pending.get(serial);
    if (!call) {
      if (this.abandoned.delete(serial)) return; // the answer to our CancelCall (or a reply it crossed)
      throw new ProtocolError('PROTOCOL_ERROR', `${this.url} replied to unknown call #${serial}`);
    }
    this.pending.delete(serial);
    this.finish(call);
    if (call.stream) call.stream.end(error ? remoteError(error) : undefined);
    else if (error) call.reject(remoteError(error));
    else call.resolve(value);
  }

  private receive(p: DecodedPacket): void {
    this.touch();
    switch (p.kind) {
      case 'propertyChange': {
        const m = p.propertyChange!;
        this.core(m.source)?.propertyChanged(m.index ?? 0, decodeValue(m.value ?? {}));
        return;
      }
      case 'reply': {
        const m = p.reply!;
        this.settle(m.serial ?? 0, m.error, m.error ? undefined : decodeValue(m.value ?? {}));
        return;
      }
      case 'streamItems': {
        const m = p.streamItems!;
        this.streamItems(m.serial ?? 0, decodeValues(m.items));
        return;
      }
      case 'signal': {
        const m = p.signal!;
        this.core(m.source)?.signalEmitted(m.index ?? 0, decodeValues(m.args));
        return;
      }
      case 'init': {
        const m = p.init!;
        const definition = m.definition ? apiFromMessage(m.definition) : undefined;
        if (this.describing.size > 0 && this.describing.has(m.source ?? 0)) {
          const offered = this.offers.get(m.source ?? 0);
          this.described(
            m.source ?? 0,
            definition !== undefined && definition.signature === offered?.signature
              ? definition
              : new ProtocolError('PROTOCOL_ERROR', `${this.url} answered a request for the API of "${offered?.name ?? `#${m.source ?? 0}`}" without a matching definition`),
          );
        }
        this.core(m.source)?.initialize(decodeValues(m.values), definition);
        if (this.readers !== undefined && this.readers.size > 0) this.readers.initialized(m.source ?? 0, m.streamSeq);
        return;
      }
      case 'sourceList': {
        const list = (p.sourceList!.sources ?? []).map(sourceInfo);
        // Partial: more sources than this node asked to have listed; it looks up what it needs.
        if (p.sourceList!.partial === true) this.#listsOnRequest = true;
        for (const s of list) this.offers.set(s.id, s);
        this.events.sourcesOffered(this, list);
        if (!this.isReady) {
          this.isReady = true;
          this.lastReceived = this.timers.now();
          this.scheduleHeartbeat();
          this.readyResolve();
        }
        return;
      }
      case 'sourceAdded': {
        const s = sourceInfo(p.sourceAdded!.source);
        this.offers.set(s.id, s);
        this.events.sourcesOffered(this, [s]);
        return;
      }
      case 'sourceRemoved': {
        const id = p.sourceRemoved!.source ?? 0;
        const s = this.offers.get(id);
        if (!s) return;
        this.offers.delete(id);
        this.described(id, new DisconnectedError(`${this.url} withdrew source "${s.name}"`));
        const core = this.subscriptions.get(id);
        this.subscriptions.delete(id);
        this.readers?.stop(id);
        core?.detach();
        this.events.sourceWithdrawn(this, s);
        return;
      }
      case 'acquireRefused': {
        const m = p.acquireRefused!;
        const id = m.source ?? 0;
        const s = this.offers.get(id);
        const e = m.error;
        const code = e?.code ?? 'REMOTE';
        const error = new RemoteError(e?.name || 'Error', `${this.url} cannot initialize a replica of "${s?.name ?? `#${id}`}": ${e?.message ?? ''}`, code === 'REMOTE' ? undefined : code);
        this.described(id, error);
        if (!s || !this.subscriptions.has(id)) return; // released meanwhile
        this.events.acquireRefused(this, s, error);
        this.subscriptions.get(id)?.refused(error);
        return;
      }
      case 'sourcePage':
        this.#sourcePage(p.sourcePage!);
        return;
      case 'pong':
        return;
      default: {
        const model = modelPacketSource(p);
        if (model === undefined) throw new ProtocolError('PROTOCOL_ERROR', `${this.url} sent ${p.kind}, which only nodes send`);
        const core = this.core(model);
        if (core) modelCoreOf(core).received(p);
        return;
      }
    }
  }

  private closed(error: TsroError | undefined): void {
    if (this.heartbeatTimer !== undefined) this.timers.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const reason = error
      ? `${error.message}`
      : this.closedLocally
        ? 'the node was closed'
        : `${this.url} closed the connection`;
    const code = this.closedLocally && !error ? 'CLOSED' : 'DISCONNECTED';
    const calls = this.pending.values();
    this.pending = new SerialTable();
    this.abandoned.clear();
    this.deadlines.clear();
    for (const call of calls) {
      this.finish(call);
      if (call.stream) call.stream.end(new DisconnectedError(`stream ${describeCall(call)} ended: ${reason}`, code));
      else call.reject(new DisconnectedError(`${describeCall(call)} got no reply: ${reason}`, code));
    }
    if (!this.isReady) this.readyReject(error ?? new DisconnectedError(`${this.url} closed the connection during the handshake`));
    const queries = [...this.#queries.values()];
    this.#queries.clear();
    for (const q of queries) q.reject(new DisconnectedError(`source query to ${this.url} got no answer: ${reason}`, code));
    this.readers?.stopAll();
    for (const id of [...this.describing.keys()]) this.described(id, new DisconnectedError(`${this.url}: no answer about a source's API: ${reason}`, code));
    const cores = [...this.subscriptions.values()];
    this.subscriptions.clear();
    for (const core of cores) core.detach();
    const offers = [...this.offers.values()];
    this.offers.clear();
    for (const s of offers) this.events.sourceWithdrawn(this, s);
    this.events.connectionClosed(this, error);
    this.markEnded();
  }
}
