// One Node.js byte stream (socket, pipe, any Duplex) as a FrameLink (src/transport/frame-link.ts):
// a two-way stream of length-prefixed frames. It owns the socket: received chunks go through a
// FrameDecoder, sent frames through a SendQueue, and every way the connection can end (close,
// destroy, peer hang-up, socket error, malformed stream) funnels into a single onClose call.

import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { DisconnectedError, LimitError, ProtocolError, TsroError } from '../../errors';
import { FrameDecoder } from '../frame-decoder';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_FRAME_SIZE, type FrameLink } from '../frame-link';
import { SendQueue, type ChunkSink, type SendQueueEvents } from '../send-queue';
import type { SharedFrame } from '../shared-frame';
import { describeOsError } from './os-error';
import { hostPortUrl } from '../url';
import { SHARED_STREAMS } from '../shared-streams';

export { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_FRAME_SIZE };
import { BufferedBytesPool, type PoolMember } from '../buffered-bytes-pool';


// The most bytes sendShared's fast path takes between two full checks: what the host-wide count
// of unsent bytes (the pool) may lag behind per connection.
const FAST_BUDGET = 64 * 1024;

/** How long `close()` waits, by default, for the peer to finish closing before destroying. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5000;

/** Options of a FrameChannel. */
export interface FrameChannelOptions {
  /** Who is at the other end, usually the URL; every error message names it. */
  label: string;
  /**
   * The largest frame, in bytes, accepted from the peer (a larger one closes the channel with
   * `FRAME_TOO_LARGE`) and allowed in `send()`. Default: DEFAULT_MAX_FRAME_SIZE.
   */
  maxFrameSize?: number;
  /** How long `close()` waits for a graceful shutdown before destroying the socket, in ms. */
  closeTimeoutMs?: number;
  /**
   * The most bytes that may wait unsent (queued here and in the socket) before a peer counts as
   * too slow: the next send destroys the channel with LIMIT_EXCEEDED instead of growing memory
   * without bound. A single frame larger than this still goes out on an empty queue.
   * Default: DEFAULT_MAX_BUFFERED_BYTES.
   */
  maxBufferedBytes?: number;
  /**
   * A bound on unsent bytes shared with other channels (a host's maxTotalBufferedBytes), and the
   * host's pressure threshold: past it, this channel holds frames and coalesces keyed ones
   * (see SendQueue) and tells the pool.
   */
  pool?: BufferedBytesPool;
}


// open: frames flow both ways. closing: close() was called, pending frames are flushed and the
// socket is ending. closed: the connection is gone or being torn down; onClose is due.
type State = 'open' | 'closing' | 'closed';

/**
 * A connected socket (or any Duplex byte stream: a pipe, an in-memory pair, a custom transport)
 * carrying length-prefixed frames.
 *
 * The owner assigns `onFrame` and `onClose` right after construction (before yielding to the
 * event loop). `onFrame` receives each frame in order; the frame may share memory with the
 * received chunk, so copy what you keep. `onClose` is called exactly once, asynchronously, when
 * the socket has closed; nothing is delivered after it, and no frame is delivered after
 * `close()` or `destroy()` was called. Its argument says why:
 *
 * - `undefined`: the owner called `close()`, or `destroy()` without an error;
 * - the error given to `destroy(error)`;
 * - a `ProtocolError` when the peer sent a malformed or oversized frame (the socket is destroyed);
 *   also when `onFrame` threw (a TsroError it throws is passed on as is, anything else is wrapped
 *   in a `PROTOCOL_ERROR` whose cause is what was thrown);
 * - a `DisconnectedError('DISCONNECTED')` when the peer hung up or the socket failed (ECONNRESET...);
 * - a `DisconnectedError('CLOSED')` when the socket was destroyed locally, bypassing the channel
 *   (as `SocketServer.close()` does to the sockets it accepted).
 *
 * When several of those happen, the first one wins.
 */
export class FrameChannel implements FrameLink {
  /** Receives every frame the peer sends, in order. */
  onFrame: (frame: Uint8Array) => void = () => {};
  /** Set by an owner that reads frames in place: called instead of `onFrame` (see FrameLink). */
  onFrameAt: ((buf: Uint8Array, start: number, end: number) => void) | undefined = undefined;
  /** Called once when the connection is gone; see the class comment. */
  onClose: (error: TsroError | undefined) => void = () => {};
  /**
   * The frame that tells the peer why the stream is being closed on it (a malformed length
   * prefix, a frame over the limit): sent before the socket ends. None if unset.
   */
  farewell: ((error: TsroError) => Uint8Array | undefined) | undefined = undefined;

  /** The label given at construction (usually the URL). */
  readonly label: string;
  /**
   * The peer's address, `tcp://addr:port` (`tls://addr:port` over a tls.TLSSocket), when the
   * socket knows it; otherwise `label`.
   */
  readonly remoteLabel: string;
  /** The frame size limit in force, both ways. */
  readonly maxFrameSize: number;

  private readonly socket: Duplex;
  private readonly decoder: FrameDecoder;
  private readonly queue: SendQueue;
  private readonly closeTimeoutMs: number;
  private readonly maxBufferedBytes: number;
  private state: State = 'open';
  /** Bytes sendShared may take on its fast path before the next full check (0: none). */
  private fastBudget = 0;
  private reason: TsroError | undefined = undefined;
  private reported = false;
  private closeTimer: NodeJS.Timeout | undefined = undefined;
  private readonly pool: BufferedBytesPool | undefined;
  private readonly poolMember: PoolSeat | undefined;

  /**
   * Takes ownership of a connected `socket`: from now on only the channel reads, writes, ends or
   * destroys it, and it must not have a data encoding set.
   */
  constructor(socket: Duplex, options: FrameChannelOptions) {
    const maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.label = options.label;
    this.maxFrameSize = maxFrameSize;
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.socket = socket;
    // A transport that fans out by itself puts its shared-stream capability on the streams it
    // hands out; the protocol finds it on the link.
    const shared = (socket as { [SHARED_STREAMS]?: unknown })[SHARED_STREAMS];
    if (shared !== undefined) (this as { [SHARED_STREAMS]?: unknown })[SHARED_STREAMS] = shared;
    this.pool = options.pool;
    if (this.pool) {
      this.poolMember = new PoolSeat(this, this.pool);
      this.pool.join(this.poolMember);
    }
    this.remoteLabel =
      socket instanceof net.Socket && socket.remoteAddress !== undefined && socket.remotePort !== undefined
        ? hostPortUrl((socket as { encrypted?: boolean }).encrypted === true ? 'tls' : 'tcp', socket.remoteAddress, socket.remotePort)
        : options.label;

    this.decoder = new FrameDecoder(
      maxFrameSize,
      {
        range: (buf, start, end) => {
          // The owner may close from inside onFrame; the rest of the chunk is then dropped.
          if (this.state !== 'open') return;
          const at = this.onFrameAt;
          if (at !== undefined) at(buf, start, end);
          else this.onFrame(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
        },
      },
      this.label,
    );
    this.queue = new SendQueue(new SocketSink(socket), this.pool?.pressureThreshold ?? Infinity, this.poolMember);

    if (socket.destroyed) {
      // Its 'close' may already have been emitted; report without waiting for it.
      this.state = 'closed';
      this.reason = new DisconnectedError(`connection to ${this.label} was closed before it could be used`);
      process.nextTick(() => this.report());
      return;
    }

    if (socket instanceof net.Socket) socket.setNoDelay(true); // a no-op on Unix sockets and named pipes
    socket.on('data', (chunk: Buffer) => this.handleData(chunk));
    socket.on('end', () => this.handleEnd());
    socket.on('error', (err: Error) => this.handleError(err));
    socket.on('close', () => this.handleClose());
  }

  /**
   * Lowers or raises the largest frame accepted from the peer from now on (sending is still
   * bounded by `maxFrameSize`). A host keeps it small until a peer is admitted.
   */
  setReceiveLimit(bytes: number): void {
    this.decoder.setMaxFrameSize(Math.min(bytes, this.maxFrameSize));
  }

  expectFirstBytes(check: (head: Uint8Array) => TsroError | undefined): void {
    this.decoder.checkFirstBytes(check);
  }

  /** Bytes waiting to be sent: queued here (held ones included) and in the socket. */
  get unsentBytes(): number {
    return this.state === 'closed' ? 0 : this.queue.pendingBytes + this.socket.writableLength;
  }

  /** True once the channel no longer sends: after `close()`, `destroy()`, or when the connection failed. */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /**
   * Queues `frame` for sending; it goes out with the other frames of this event-loop turn. A
   * frame under LARGE_FRAME is copied, so the caller may reuse it at once; a larger one is
   * referred to until written, so the caller must not change it.
   *
   * @returns false, and sends nothing, if the channel is closed or closing.
   * @throws ProtocolError('FRAME_TOO_LARGE') if `frame` is longer than `maxFrameSize` (the peer
   *   would reject it); the channel stays open.
   */
  send(frame: Uint8Array): boolean {
    const buffered = this.admit(frame.length, 0);
    if (buffered < 0) return false;
    this.queue.write(frame);
    return this.sent(buffered + frame.length);
  }

  /**
   * Queues a frame that other channels send too, without copying it (see SharedFrame). `key` >= 0
   * lets it replace a frame of the same key still held under pressure (a newer value of the same
   * property); see SendQueue for the exact ordering guarantee. Same contract as `send()`.
   */
  sendShared(frame: SharedFrame, key: number): boolean {
    // Most fan-out frames continue the run this connection took from the same source this turn:
    // extending it is all there is to do, as long as the checks of the last ordinary send leave
    // room for it (fastBudget never lets the queue past the pressure threshold or the hard limit).
    const size = frame.end - frame.start;
    if (size <= this.fastBudget && this.queue.extend(frame)) {
      this.fastBudget -= size;
      return true;
    }
    const length = frame.bytes.length;
    const buffered = this.admit(length, this.queue.replaceable(key));
    if (buffered < 0) return false;
    this.queue.writeShared(frame, key);
    return this.sent(buffered + length);
  }

  // Checks that a frame of `length` may be queued (replacing `replaced` held bytes): the bytes
  // waiting now, or -1 if the channel is closed (or just closed, for being too slow).
  private admit(length: number, replaced: number): number {
    this.fastBudget = 0;
    if (this.state !== 'open') return -1;
    if (length > this.maxFrameSize) {
      throw new ProtocolError('FRAME_TOO_LARGE', `cannot send a frame of ${length} bytes to ${this.label}; the limit is ${this.maxFrameSize}`);
    }
    const buffered = this.queue.pendingBytes + this.socket.writableLength - replaced;
    if (buffered > 0 && buffered + length > this.maxBufferedBytes) {
      // Dropping the frame silently would leave the peer wrong without knowing it; closing tells
      // it (a replica turns suspect, reconnects and re-initializes with current values).
      this.destroy(
        new LimitError(`${this.label} reads too slowly: ${buffered} bytes are waiting to be sent (limit ${this.maxBufferedBytes})`),
      );
      return -1;
    }
    return buffered;
  }

  private sent(buffered: number): boolean {
    this.fastBudget = Math.max(0, Math.min(FAST_BUDGET, this.maxBufferedBytes - buffered, this.queue.roomBeforePressure));
    if (this.pool !== undefined) {
      this.pool.update(this.poolMember!, buffered);
      return this.state === 'open';
    }
    return true;
  }

  /**
   * Closes gracefully: sends the frames already queued, ends the socket, and releases it as soon
   * as everything queued has been handed to the operating system (which still delivers it, then
   * the FIN); a peer that never reads or never closes its side cannot hold the socket open.
   * `onClose(undefined)` follows. If the queued data cannot be written within `closeTimeoutMs`
   * (a peer that stopped reading), the socket is destroyed then. Does nothing if the channel is
   * already closed or closing.
   */
  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.fastBudget = 0;
    this.queue.flushAll();
    this.socket.end(() => this.socket.destroy());
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
    this.closeTimer.unref();
  }

  /**
   * Closes at once: queued frames are dropped and the socket is destroyed. `onClose(error)`
   * follows when the socket has closed, unless another reason was already recorded (see the
   * class comment); a `destroy(error)` after `close()` replaces close's `undefined`.
   */
  destroy(error?: TsroError): void {
    if (this.reported) return;
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.reason = error;
    }
    this.fastBudget = 0;
    this.queue.discard();
    this.socket.destroy();
  }

  private handleData(chunk: Buffer): void {
    if (this.state !== 'open') return;
    try {
      this.decoder.push(chunk);
    } catch (err) {
      const error =
        err instanceof TsroError
          ? err
          : new ProtocolError(
              'PROTOCOL_ERROR',
              `failed to handle a frame from ${this.label}: ${err instanceof Error ? err.message : String(err)}`,
              err,
            );
      if (this.state !== 'open') return;
      let goodbye: Uint8Array | undefined;
      try {
        goodbye = this.farewell?.(error);
      } catch {
        goodbye = undefined;
      }
      if (goodbye === undefined) {
        this.destroy(error);
        return;
      }
      // Nothing more is read; the peer is told why, then the socket ends (a peer that does not
      // read is cut off after closeTimeoutMs, as with close()).
      this.queue.write(goodbye);
      this.close();
      this.reason = error;
    }
  }

  private handleEnd(): void {
    if (this.state === 'open') {
      const midFrame = this.decoder.bufferedBytes > 0 ? ' in the middle of a frame' : '';
      this.fail(new DisconnectedError(`${this.label} closed the connection${midFrame}`));
    }
    // A socket that allows half-open connections would not end its side by itself.
    if (this.socket.writable) this.socket.end();
  }

  private handleError(err: Error): void {
    if (this.state === 'open') {
      // A stream that already knows what went wrong in tsro's terms (a WebSocket that received a
      // message that is not frames) says so itself.
      this.fail(err instanceof TsroError ? err : new DisconnectedError(`connection to ${this.label} lost: ${describeOsError(err)}`));
    }
    // Node destroys the socket after 'error'; 'close' follows.
  }

  private handleClose(): void {
    if (this.state === 'open') {
      // Neither 'end' nor 'error': someone destroyed the socket locally behind the channel's
      // back (e.g. SocketServer.close() tearing down accepted sockets).
      this.fail(new DisconnectedError(`connection to ${this.label} was closed`, 'CLOSED'));
    }
    this.report();
  }

  private fail(reason: TsroError): void {
    this.state = 'closed';
    this.reason = reason;
    this.fastBudget = 0;
    this.queue.discard();
  }

  private report(): void {
    if (this.reported) return;
    this.reported = true;
    if (this.pool !== undefined) this.pool.leave(this.poolMember!);
    this.state = 'closed';
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.fastBudget = 0;
    this.queue.discard();
    this.onClose(this.reason);
  }
}

/** The socket as a send queue sees it (a class: no closures per connection). */
class SocketSink implements ChunkSink {
  constructor(private readonly socket: Duplex) {}
  write(chunk: Uint8Array, written?: () => void): void {
    const socket = this.socket;
    if (!socket.writable) return;
    if (written === undefined) socket.write(chunk);
    else socket.write(chunk, written);
  }
  cork(): void {
    this.socket.cork();
  }
  uncork(): void {
    this.socket.uncork();
  }
  get unsent(): number {
    return this.socket.writableLength;
  }
}

/** A channel's seat in its host's pool: its unsent bytes, its eviction, its pressure. */
class PoolSeat implements PoolMember, SendQueueEvents {
  accounted = 0;
  pressured = false;
  constructor(
    private readonly channel: FrameChannel,
    private readonly pool: BufferedBytesPool,
  ) {}
  get label(): string {
    return this.channel.label;
  }
  measure(): number {
    return this.channel.unsentBytes;
  }
  evict(bytes: number, total: number, limit: number): void {
    this.channel.destroy(
      new LimitError(
        `${this.channel.label} was disconnected: it holds ${bytes} unsent bytes, the most of any connection, while the host holds ${total} (host-wide limit ${limit})`,
      ),
    );
  }
  pressure(pressured: boolean, unsent: number): void {
    if (!this.channel.closed) this.pool.pressureChanged(this, pressured, unsent);
  }
  coalesced(): void {
    this.pool.coalesced++;
  }
}
