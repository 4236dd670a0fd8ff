// The host side of one accepted connection: admits the node once its handshake checks out (and
// its credential, if the host asks for one), then sends the source list, answers Acquire with
// Init, runs slot calls and property sets within the in-flight limit, and unsubscribes the
// connection from everything when it ends. Until admitted, a node learns nothing and any packet
// it sends closes the connection.

import { AuthError, CancelledError, DisconnectedError, LimitError, NotValidError, ProtocolError, TimeoutError, TsroError } from '../errors';
import type { AbandonedCalls } from './abandoned-calls';
import { runServing, ServedCall } from './call-context';
import type { Timers } from '../util/timers';
import type { SharedStream, SharedStreamPublisher } from '../transport/shared-streams';
import { encodeReplyValue } from '../protocol/hot-packets';
import { decodeValues } from '../protocol/value-codec';
import type { DecodedPacket, ErrorInfoMessage, PacketMessage } from '../protocol/messages';
import { encodePacket } from '../protocol/packet-codec';
import type { Peer } from '../protocol/peer';
import type { HotPacketHandler } from '../protocol/hot-decoder';
import type { SharedFrame } from '../transport/shared-frame';
import { errorInfo, type CallOutcome, type SourceBinding, type SourceListener } from './source-binding';
import { StreamPump } from './stream-pump';
import { handleModelRequest, ModelBinding } from './model-binding';
import { MAX_QUERY_NAMES } from '../protocol/source-lists';
import type { SourceQueryMessage } from './source-table';

/** About the most bytes of one page of a source listing. */
const PAGE_BYTES = 64 * 1024;

/** What a host-side connection needs from its host. */
export interface HostConnectionOwner {
  bindingById(id: number): SourceBinding | undefined;
  /** The SourceList for a node that wants at most `limit` sources listed (0: all). */
  sourceListPacket(limit: number): PacketMessage;
  /** The answer to a SourceQuery, about `maxBytes` at most. */
  sourcePage(query: SourceQueryMessage, maxBytes: number): NonNullable<PacketMessage['sourcePage']>;
  connectionOpened(conn: HostConnection): void;
  /** Connections admitted so far and still open. */
  readonly connectionCount: number;
  connectionEnded(conn: HostConnection, error: TsroError | undefined): void;
  warn(message: string, error?: unknown): void;
  readonly timers: Timers;
  readonly limits: HostLimits;
  /** Slots still running after their callers gave up, host-wide. */
  readonly abandoned: AbandonedCalls;
}

/** A call this connection is running and has not answered yet. */
interface RunningCall {
  readonly served: ServedCall;
  /** The caller gave up (or the connection closed): answered already, counted as abandoned. */
  abandoned: boolean;
  /** A stream slot's call, once the slot returned its iterable. */
  pump: StreamPump | undefined;
}

/** The limits a host puts on each connection (HostOptions, with defaults filled in). */
export interface HostLimits {
  readonly maxConnections: number;
  readonly maxInFlightCalls: number;
  /** Most slots running host-wide after their callers gave up (see AbandonedCalls). */
  readonly maxAbandonedCalls: number;
  readonly handshakeTimeout: number;
  /** An admitted connection that holds nothing and sends nothing for this long is closed, in ms; 0: never. */
  readonly idleTimeout: number;
  readonly authenticate: ((credential: unknown, peer: { readonly address: string }) => boolean | Promise<boolean>) | undefined;
}

export class HostConnection implements SourceListener, HotPacketHandler {
  // The collections below are made on first use: an idle connection holds none (memory per
  // connection is what 10 000 idle connections cost a host).
  private subscriptions: Set<SourceBinding> | undefined;
  /** Sources this node reads from their shared stream (NATS) rather than from this connection. */
  private streams: Map<SourceBinding, SharedStream> | undefined;
  private admitted = false;
  private inFlight = 0;
  /** Calls with a reply wanted, by serial, until answered or given up by their caller. */
  private running: Map<number, RunningCall> | undefined;
  private handshakeTimer: unknown;
  private idleTimer: unknown;
  private framesAtLastIdleCheck = -1;
  // Made when someone waits (the host closing): an idle connection holds no promise.
  private endedPromise: Promise<void> | undefined;
  private markEnded: (() => void) | undefined;
  private hasEnded = false;

  constructor(
    private readonly peer: Peer,
    private readonly owner: HostConnectionOwner,
    /** Called once the node is admitted: lifts the small pre-admission frame limit. */
    private readonly onAdmitted: () => void = () => {},
    /** The transport's shared streams, if it fans out by itself (NATS). */
    private readonly publisher?: SharedStreamPublisher,
  ) {
    peer.awaitingAdmission = true;
    peer.onOpen = () => this.admit();
    peer.onPacket = (p) => this.receive(p);
    const timeout = owner.limits.handshakeTimeout;
    if (timeout > 0) {
      this.handshakeTimer = owner.timers.setTimeout(() => {
        this.handshakeTimer = undefined;
        if (!this.admitted) {
          peer.destroy(new TimeoutError(`${peer.label} did not complete the handshake within ${timeout} ms`));
        }
      }, timeout);
    }
    peer.onClose = (error) => {
      this.stopHandshakeTimer();
      if (this.idleTimer !== undefined) owner.timers.clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      this.abandonAll(error);
      const subscriptions = this.subscriptions;
      this.subscriptions = undefined;
      if (subscriptions !== undefined) for (const b of subscriptions) this.unsubscribe(b);
      owner.connectionEnded(this, error);
      this.hasEnded = true;
      this.markEnded?.();
    };
  }

  /** Resolves once the connection is closed and its socket released. */
  get ended(): Promise<void> {
    if (this.endedPromise === undefined) {
      this.endedPromise = this.hasEnded ? Promise.resolve() : new Promise<void>((resolve) => (this.markEnded = resolve));
    }
    return this.endedPromise;
  }

  get label(): string {
    return this.peer.label;
  }

  /** Past the handshake (and authentication): it gets source announcements. */
  get isOpen(): boolean {
    return this.admitted && this.peer.isOpen;
  }

  private stopHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) this.owner.timers.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  /** The handshake checked out: authenticate if asked to, then let the node in. */
  private admit(): void {
    const authenticate = this.owner.limits.authenticate;
    if (!authenticate) {
      this.welcome();
      return;
    }
    const refuse = (why: string): void => {
      this.stopHandshakeTimer();
      this.peer.close(new AuthError(`${this.label} was refused: ${why}`));
    };
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = authenticate(this.peer.peerCredential, { address: this.label });
    } catch (err) {
      refuse(`the authenticate check threw (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    // Nothing below throws (every send is guarded), and a catch-all keeps it so: a bug here
    // must close one connection, never reach the process as an unhandled rejection.
    Promise.resolve(verdict)
      .then(
        (ok) => {
          if (this.peer.closed) return;
          if (ok === true) this.welcome();
          else refuse('its credential was not accepted');
        },
        (err: unknown) => {
          if (!this.peer.closed) refuse(`the authenticate check failed (${err instanceof Error ? err.message : String(err)})`);
        },
      )
      .catch((err: unknown) => this.fail('admitting it failed', err));
  }

  /** True once this connection was let in (it counts against maxConnections until it ends). */
  get wasAdmitted(): boolean {
    return this.admitted;
  }

  private welcome(): void {
    this.stopHandshakeTimer();
    const max = this.owner.limits.maxConnections;
    if (this.owner.connectionCount >= max) {
      // Refused after the handshake, so the node is listening for the reason (Goodbye) rather
      // than still writing: its connectToNode rejects with LIMIT_EXCEEDED.
      this.owner.warn(`refused ${this.label}: ${max} connections are open`);
      this.peer.close(new LimitError(`the host already has ${max} connections`));
      return;
    }
    this.admitted = true;
    this.peer.awaitingAdmission = false;
    this.onAdmitted();
    // The connection is its own hot-packet handler (its `invoke`): nothing more to hold per connection.
    this.peer.hot = this;
    this.owner.connectionOpened(this);
    this.send(this.owner.sourceListPacket(this.peer.peerSourceListLimit));
    this.scheduleIdleCheck();
  }

  /**
   * Idle peers: one that holds nothing (no acquired source, no call running) and sends nothing
   * for idleTimeout is closed with TIMEOUT, so that sockets that only sit there cannot keep the
   * host at maxConnections. Checked once per idleTimeout: a peer goes between one and two
   * timeouts after its last packet.
   */
  private scheduleIdleCheck(): void {
    const timeout = this.owner.limits.idleTimeout;
    if (!(timeout > 0) || this.peer.closed) return;
    this.idleTimer = this.owner.timers.setTimeout(() => {
      this.idleTimer = undefined;
      const frames = this.peer.framesReceived;
      const holds = (this.subscriptions?.size ?? 0) > 0 || this.inFlight > 0 || (this.running?.size ?? 0) > 0;
      if (!holds && frames === this.framesAtLastIdleCheck) {
        this.owner.warn(`closing ${this.label}: idle for ${timeout} ms, holding nothing`);
        this.peer.close(new TimeoutError(`${this.label} was idle for ${timeout} ms and held nothing`));
        return;
      }
      this.framesAtLastIdleCheck = frames;
      this.scheduleIdleCheck();
    }, timeout);
  }

  /**
   * Fan-out path (changes, signals, source announcements): a packet this node cannot accept
   * (over the limit it announced) closes its connection with a Goodbye saying why. Never throws.
   */
  sendEncoded(bytes: Uint8Array): boolean {
    try {
      return this.peer.sendEncoded(bytes);
    } catch (err) {
      this.fail('a packet could not be sent to it', err);
      return false;
    }
  }

  /**
   * Fan-out of a source's frame, shared with the other connections (not copied per connection);
   * `key` >= 0 for a property change, which may coalesce under pressure. Same contract as
   * sendEncoded.
   */
  sendShared(frame: SharedFrame, key: number): boolean {
    try {
      return this.peer.sendShared(frame, key);
    } catch (err) {
      this.fail('a packet could not be sent to it', err);
      return false;
    }
  }

  /** Same contract as sendEncoded: never throws; what cannot be sent closes this connection. */
  send(packet: PacketMessage): boolean {
    let bytes: Uint8Array;
    try {
      bytes = encodePacket(packet);
    } catch (err) {
      this.fail('a packet could not be encoded for it', err);
      return false;
    }
    return this.sendEncoded(bytes);
  }

  /** Closes this connection (only) with a Goodbye saying why, and logs it. */
  private fail(why: string, err: unknown): void {
    if (this.peer.closed) return;
    const error =
      err instanceof TsroError ? err : new ProtocolError('PROTOCOL_ERROR', `${why}: ${err instanceof Error ? err.message : String(err)}`, err);
    this.owner.warn(`closing ${this.label}: ${why}`, error);
    this.peer.close(error);
  }

  close(error?: TsroError): void {
    this.peer.close(error);
  }

  /** The binding went away (disabled): forget it without telling it. */
  forget(binding: SourceBinding): void {
    this.subscriptions?.delete(binding);
    this.streams?.get(binding)?.release();
    this.streams?.delete(binding);
  }

  /** Stops this connection's subscription to `binding`, direct or through a shared stream. */
  private unsubscribe(binding: SourceBinding): void {
    binding.removeListener(this);
    const stream = this.streams?.get(binding);
    if (stream === undefined) return;
    this.streams!.delete(binding);
    if (stream.release()) binding.removeListener(stream);
  }

  private receive(p: DecodedPacket): void {
    if (!this.admitted) throw new ProtocolError('PROTOCOL_ERROR', `${this.label} sent ${p.kind} before it was admitted`);
    switch (p.kind) {
      case 'invoke': {
        const m = p.invoke!;
        this.invoke(m.source ?? 0, m.index ?? 0, m.serial ?? 0, decodeValues(m.args));
        return;
      }
      case 'setProperty': {
        const m = p.setProperty!;
        const serial = m.serial ?? 0;
        const binding = this.owner.bindingById(m.source ?? 0);
        try {
          if (!binding) throw new NotValidError(`no source #${m.source} on this host`, 'UNKNOWN_SOURCE');
          binding.setProperty(m.index ?? 0, m.value);
          this.reply(serial, { value: undefined, what: 'property set' });
        } catch (err) {
          this.reply(serial, { error: errorInfo(err) });
        }
        return;
      }
      case 'sourceQuery': {
        const m = p.sourceQuery!;
        const names = m.names?.length ?? 0;
        if (names > MAX_QUERY_NAMES) {
          throw new ProtocolError('PROTOCOL_ERROR', `${this.label} asked for ${names} sources in one query; at most ${MAX_QUERY_NAMES} may be asked for`);
        }
        // A page stays well under the node's frame limit (a source's info is about 100 bytes).
        const maxBytes = Math.max(1024, Math.min(PAGE_BYTES, this.peer.peerFrameLimit - 1024));
        this.send({ sourcePage: this.owner.sourcePage(m, maxBytes) });
        return;
      }
      case 'acquire': {
        const m = p.acquire!;
        const binding = this.owner.bindingById(m.source ?? 0);
        if (!binding) {
          // Disabled between its announcement and this request: say so, the node will wait.
          this.send({ sourceRemoved: { source: m.source ?? 0 } });
          return;
        }
        // A node that reads the source's shared stream gets the stream's number with the
        // snapshot; the stream is opened first so that nothing published after the snapshot
        // can be missed.
        // A model's deltas depend on what each node holds: never a shared stream.
        const wantStream = m.sharedStream === true && this.publisher !== undefined && !(binding instanceof ModelBinding);
        let stream = this.streams?.get(binding);
        const opened = wantStream && stream === undefined;
        if (opened) stream = this.publisher!.open(binding.id);
        const source = m.source ?? 0;
        let refusal: unknown;
        try {
          const init = binding.initPacket(m.wantDefinition === true, wantStream ? stream!.seq : undefined);
          if (!this.peer.sendEncoded(init)) {
            if (opened) stream!.release();
            return;
          }
        } catch (err) {
          refusal = err;
        }
        if (refusal !== undefined) {
          if (opened) stream!.release();
          // Never silence: the node hears why (and can show it); if even that cannot reach it,
          // the connection closes with a Goodbye.
          this.owner.warn(`cannot initialize a replica of "${binding.name}" for ${this.label}`, refusal);
          this.send({ acquireRefused: { source, error: errorInfo(refusal) } });
          return;
        }
        (this.subscriptions ??= new Set()).add(binding);
        if (wantStream) {
          (this.streams ??= new Map()).set(binding, stream!);
          binding.removeListener(this);
          binding.addListener(stream!);
        } else {
          binding.addListener(this);
        }
        return;
      }
      case 'release': {
        const binding = this.owner.bindingById(p.release!.source ?? 0);
        if (binding && this.subscriptions?.delete(binding)) this.unsubscribe(binding);
        return;
      }
      case 'cancel': {
        const m = p.cancel!;
        const serial = m.serial ?? 0;
        const reason =
          m.code === 'TIMEOUT'
            ? new TimeoutError(`the caller's timeout passed (call #${serial} of ${this.label})`)
            : new CancelledError(`the caller cancelled call #${serial} (${this.label})`);
        this.cancel(serial, reason);
        return;
      }
      case 'streamCredit': {
        const m = p.streamCredit!;
        this.running?.get(m.serial ?? 0)?.pump?.credit(m.items ?? 0);
        return;
      }
      case 'pong':
        return;
      case 'rowsRequest':
      case 'rowSet':
        handleModelRequest(this.owner.bindingById((p.rowsRequest ?? p.rowSet)?.source ?? 0), this, p);
        return;
      default:
        throw new ProtocolError('PROTOCOL_ERROR', `${this.label} sent ${p.kind}, which only hosts send`);
    }
  }

  /** Runs a slot call (HotPacketHandler: Invoke packets come here decoded straight to values). */
  invoke(source: number, index: number, serial: number, args: unknown[]): void {
    const binding = this.owner.bindingById(source);
    if (!binding) {
      this.reply(serial, { error: errorInfo(new NotValidError(`no source #${source} on this host`, 'UNKNOWN_SOURCE')) });
      return;
    }
    const max = this.owner.limits.maxInFlightCalls;
    if (this.inFlight >= max) {
      this.reply(serial, { error: errorInfo(new LimitError(`${max} calls of ${this.label} are already running on this host`)) });
      return;
    }
    const abandoned = this.owner.abandoned;
    if (abandoned.full) {
      this.reply(serial, {
        error: errorInfo(new LimitError(`${abandoned.count} slots whose callers gave up are still running on this host`)),
      });
      return;
    }
    if (serial !== 0 && this.running?.has(serial)) {
      throw new ProtocolError('PROTOCOL_ERROR', `${this.label} reused serial #${serial} of a call still running`);
    }
    const served = new ServedCall(binding.name, binding.api.slots[index]?.name ?? `#${index}`, this.label);
    const call: RunningCall = { served, abandoned: false, pump: undefined };
    if (serial !== 0) (this.running ??= new Map()).set(serial, call);
    this.inFlight++;
    binding.invoke(
      index,
      args,
      (outcome) => {
        if ('stream' in outcome) {
          if (call.abandoned || serial === 0) {
            // Nobody will read it: end the generator (its finally runs) before letting go.
            const pump = new StreamPump(serial, outcome, this, () => {}, (step) => runServing(served, step));
            if (!call.abandoned) {
              call.abandoned = true;
              this.inFlight--;
              abandoned.add();
            }
            pump.stop().finally(() => abandoned.remove());
            pump.start();
            return;
          }
          const pump = new StreamPump(
            serial,
            outcome,
            this,
            (end) => {
              if (this.running?.get(serial) === call) this.running.delete(serial);
              this.inFlight--;
              this.reply(serial, end);
            },
            (step) => runServing(served, step),
          );
          call.pump = pump;
          pump.start();
          return;
        }
        if (call.abandoned) {
          // Answered when its caller gave up; it no longer counts against this connection.
          abandoned.remove();
          return;
        }
        if (serial !== 0) this.running?.delete(serial);
        this.inFlight--;
        this.reply(serial, outcome);
      },
      this,
      served,
    );
  }

  /**
   * The caller gave up on call `serial`: answer it now (so the caller's bookkeeping ends), stop
   * counting it against this connection, count it as abandoned while the slot still runs, and
   * tell the slot through its signal.
   */
  private cancel(serial: number, reason: TsroError): void {
    const call = this.running?.get(serial);
    if (!call) return; // answered already, or never seen: nothing to do
    this.running!.delete(serial);
    call.abandoned = true;
    this.inFlight--;
    this.owner.abandoned.add();
    this.reply(serial, { error: errorInfo(reason) });
    call.served.cancel(reason);
    this.stopPump(call);
  }

  /** A stream whose caller is gone: its generator is ended, and is abandoned until it has. */
  private stopPump(call: RunningCall): void {
    const pump = call.pump;
    if (pump === undefined) return;
    call.pump = undefined;
    pump.stop().finally(() => this.owner.abandoned.remove());
  }

  /** The connection ended: every call still running is abandoned. */
  private abandonAll(error: TsroError | undefined): void {
    if (this.running === undefined || this.running.size === 0) return;
    const reason = new DisconnectedError(`the caller's connection closed${error ? `: ${error.message}` : ''}`);
    const calls = [...this.running.values()];
    this.running.clear();
    for (const call of calls) {
      call.abandoned = true;
      this.inFlight--;
      this.owner.abandoned.add();
      call.served.cancel(reason);
      this.stopPump(call);
    }
  }

  /**
   * Answers a call or set. Runs from promise callbacks (async slots), so it never throws: a
   * value that cannot be carried or is over the node's frame limit becomes an error reply; an
   * error reply over the limit becomes a short one; if even that does not fit, the connection
   * closes with a Goodbye saying why.
   */
  private reply(serial: number, outcome: CallOutcome): void {
    if (serial === 0 || this.peer.closed) return;
    let error: ErrorInfoMessage;
    if ('error' in outcome) {
      error = outcome.error;
    } else {
      try {
        this.peer.sendEncoded(encodeReplyValue(serial, outcome.value, outcome.what));
        return;
      } catch (err) {
        error = errorInfo(err);
      }
    }
    let bytes: Uint8Array | undefined;
    try {
      bytes = encodePacket({ reply: { serial, error } });
      if (this.peer.sendEncoded(bytes) || this.peer.closed) return;
    } catch {
      // over the node's limit (or not encodable): the short form below
    }
    const size = bytes ? `${bytes.length}-byte ` : '';
    this.send({
      reply: { serial, error: { code: 'FRAME_TOO_LARGE', name: 'ProtocolError', message: `the ${size}reply is over this node's frame limit` } },
    });
  }
}
