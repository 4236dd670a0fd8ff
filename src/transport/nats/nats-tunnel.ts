// A byte stream between one node and one host, carried over two NATS subjects: what a socket is
// for tcp://. tsro's frames, handshake, admission, calls and replies run over it unchanged.
//
// Each NATS message is one kind byte and a body:
//   0x01 DATA       varint sequence number (from 1, per direction), then stream bytes
//   0x02 CLOSE      the sender ended the stream
//   0x03 KEEPALIVE  nothing; sent when the sender has been silent for a keepalive interval
// NATS core delivers at most once, in order per publisher. A sequence gap (a message lost while a
// cluster route or the client reconnected) breaks the stream at once with DISCONNECTED instead
// of delivering a corrupted byte stream; so does silence past a limit (the other end was killed:
// 3 s for a node watching its host, 10 s for a host watching a node), and so does the NATS
// client losing its server.

import { Duplex } from 'node:stream';
import type { Subscription } from '@nats-io/transport-node';
import { DisconnectedError } from '../../errors';
import { readVarint53, varint53Size, varintEnd, writeVarint53 } from '../varint';
import type { NatsLease } from './nats-pool';

const DATA = 0x01;
const CLOSE = 0x02;
const KEEPALIVE = 0x03;
const CLOSE_MESSAGE = new Uint8Array([CLOSE]);
const KEEPALIVE_MESSAGE = new Uint8Array([KEEPALIVE]);

/** Keepalive interval: each end sends one after this long without sending anything else. */
export const NATS_KEEPALIVE_MS = 1000;
/**
 * How long a node waits before it takes a silent host for dead: 3 keepalive intervals, so that
 * replicas of a host killed without a word go suspect within about 3 s.
 */
export const NATS_HOST_SILENCE_MS = 3 * NATS_KEEPALIVE_MS;
/**
 * How long a host waits before it takes a silent node for dead. Longer: a node flooded with
 * changes (or starved of CPU) may be late with its keepalives, and all a host gains by noticing
 * early is the memory of one subscription.
 */
export const NATS_NODE_SILENCE_MS = 10 * NATS_KEEPALIVE_MS;

export class NatsTunnel extends Duplex {
  #lease: NatsLease;
  #sendSubject: string | undefined;
  #subscription: Subscription;
  #sendSeq = 0;
  #expectSeq = 1;
  #lastSent = Date.now();
  #lastHeard = Date.now();
  #timer: ReturnType<typeof setInterval>;
  #unlisten: () => void;
  #peerClosed = false;
  /** Writes made before the other end's subject was known. */
  #early: Uint8Array[] = [];
  readonly #label: string;

  /**
   * @param receiveSubject subject this end reads; subscribed at once, so nothing sent to it
   *   from now on is missed
   * @param sendSubject the other end's subject, or undefined until `connectTo()`
   */
  readonly #silenceLimit: number;

  constructor(lease: NatsLease, receiveSubject: string, sendSubject: string | undefined, label: string, silenceLimitMs: number) {
    super({ allowHalfOpen: false });
    this.#lease = lease;
    this.#label = label;
    this.#sendSubject = sendSubject;
    this.#silenceLimit = silenceLimitMs;
    this.#subscription = lease.nc.subscribe(receiveSubject, {
      callback: (err, msg) => {
        if (err) this.destroy(new DisconnectedError(`the NATS tunnel to ${label} failed: ${err.message}`));
        else this.#receive(msg.data);
      },
    });
    this.#unlisten = lease.listen({
      disconnected: () => this.destroy(new DisconnectedError(`lost the NATS server ${lease.serversUrl} (tunnel to ${label})`)),
    });
    this.#timer = setInterval(() => this.#tick(), NATS_KEEPALIVE_MS);
    // A tunnel can break before anyone reads it (a node still waiting for the host's answer) or
    // after its reader let go; the reason reaches the reader through 'close' and the stream's
    // own listeners, never as an uncaught 'error'.
    this.on('error', () => {});
  }

  /** Sets the other end's subject (the node learns it from the host's answer) and sends what waited. */
  connectTo(sendSubject: string): void {
    this.#sendSubject = sendSubject;
    this.#lastHeard = Date.now();
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) this._write(chunk, 'binary', () => {});
  }

  #publishData(chunk: Uint8Array): void {
    const seq = ++this.#sendSeq;
    const head = 1 + varint53Size(seq);
    const msg = new Uint8Array(head + chunk.length);
    msg[0] = DATA;
    writeVarint53(msg, 1, seq);
    msg.set(chunk, head);
    this.#publish(msg);
  }

  #publish(msg: Uint8Array): void {
    this.#lastSent = Date.now();
    try {
      this.#lease.nc.publish(this.#sendSubject!, msg);
    } catch (err) {
      this.destroy(new DisconnectedError(`cannot publish to the NATS tunnel to ${this.#label}: ${(err as Error).message}`));
    }
  }

  /**
   * Something else from the other end arrived (a shared-stream message of the same host): as
   * good a sign of life as a keepalive. Under a flood, the keepalive may sit behind thousands of
   * stream messages in the socket.
   */
  noteAlive(): void {
    this.#lastHeard = Date.now();
  }

  #receive(data: Uint8Array): void {
    if (this.destroyed) return;
    this.#lastHeard = Date.now();
    switch (data[0]) {
      case DATA: {
        const seq = readVarint53(data, 1, data.length);
        if (seq < 0) return void this.destroy(new DisconnectedError(`malformed NATS tunnel message from ${this.#label}`));
        const pos = varintEnd;
        if (seq !== this.#expectSeq) {
          this.destroy(new DisconnectedError(`the NATS tunnel to ${this.#label} lost messages (expected #${this.#expectSeq}, got #${seq})`));
          return;
        }
        this.#expectSeq++;
        this.push(data.subarray(pos));
        return;
      }
      case CLOSE:
        this.#peerClosed = true;
        this.push(null);
        this.destroy();
        return;
      case KEEPALIVE:
        return;
      default:
        this.destroy(new DisconnectedError(`unknown NATS tunnel message from ${this.#label}`));
    }
  }

  #tick(): void {
    // Until the other end answered (a node waiting for the host's open reply), the open
    // request's own timeout is in charge.
    if (this.#sendSubject === undefined) return;
    const now = Date.now();
    if (now - this.#lastHeard > this.#silenceLimit) {
      this.destroy(new DisconnectedError(`${this.#label} gave no sign of life over NATS for ${now - this.#lastHeard} ms`));
      return;
    }
    if (this.#sendSubject !== undefined && now - this.#lastSent >= NATS_KEEPALIVE_MS) this.#publish(KEEPALIVE_MESSAGE);
  }

  override _read(): void {
    // Flow control is NATS's (a slow subscriber is cut off by the server); nothing to resume.
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#sendSubject === undefined) {
      this.#early.push(chunk);
    } else {
      // A NATS message may carry at most the server's max_payload (1 MiB by default); a bigger
      // write travels as several DATA messages, which the stream puts back together.
      const max = Math.max(1024, (this.#lease.nc.info?.max_payload ?? 1024 * 1024) - 16);
      for (let at = 0; at < chunk.length; at += max) this.#publishData(chunk.subarray(at, at + max));
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#sendSubject !== undefined && !this.#peerClosed) this.#publish(CLOSE_MESSAGE);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.#timer);
    this.#unlisten();
    if (!this.#peerClosed && this.#sendSubject !== undefined && !this.#lease.nc.isClosed()) {
      try {
        this.#lease.nc.publish(this.#sendSubject, CLOSE_MESSAGE);
      } catch {
        // the connection is going anyway
      }
    }
    try {
      this.#subscription.unsubscribe();
    } catch {
      // already closed with its connection
    }
    void this.#lease.release();
    callback(error);
  }
}
