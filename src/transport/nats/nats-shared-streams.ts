// Shared streams over NATS: a host publishes each change or signal of a source once, on the
// subject tsro.h.<host>.s.<source id>, and NATS fans it out to every node subscribed there,
// whatever their number. Packets published in the same turn of the event loop travel as one NATS
// message (what a socket's write batching does for frames): the number of the first, then each
// packet as a varint length and its bytes, numbered consecutively. A message that is only a number
// is a mark, "the last number is this", sent within a second after a stream was active, so that
// a node that lost the last message notices. Batching matters: the NATS client costs a few
// microseconds per message, more than tsro spends on a change.

import type { NatsLease } from './nats-pool';
import { readVarint53, varint53Size, varintEnd, writeVarint53 } from '../varint';
import type { SharedStream, SharedStreamPublisher, SharedStreamSubscriber } from '../shared-streams';

export function sourceStreamSubject(host: string, sourceId: number): string {
  return `tsro.h.${host}.s.${sourceId}`;
}


class NatsSourceStream implements SharedStream {
  seq: number;
  shares = 0;
  /** Published since the last mark. */
  dirty = false;
  readonly #subject: string;
  readonly #lease: NatsLease;
  readonly #onIdle: (stream: NatsSourceStream) => void;
  /** Packets of this turn, not yet published: their bytes and the number of the first. */
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #batchFirst = 0;
  readonly #flush = (): void => this.#publishBatch();

  constructor(lease: NatsLease, subject: string, seq: number, onIdle: (stream: NatsSourceStream) => void) {
    this.#lease = lease;
    this.#subject = subject;
    this.seq = seq;
    this.#onIdle = onIdle;
  }

  sendEncoded(bytes: Uint8Array): boolean {
    if (this.#batch.length === 0) {
      this.#batchFirst = this.seq + 1;
      // Before the connections' own writes of this turn (setImmediate): a set's change still
      // reaches the setter before the set's reply.
      queueMicrotask(this.#flush);
    }
    this.seq++;
    this.#batch.push(bytes);
    this.#batchBytes += varint53Size(bytes.length) + bytes.length;
    this.dirty = true;
    return true;
  }

  #publishBatch(): void {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    const msg = new Uint8Array(varint53Size(this.#batchFirst) + this.#batchBytes);
    this.#batchBytes = 0;
    let pos = writeVarint53(msg, 0, this.#batchFirst);
    for (const bytes of batch) {
      pos = writeVarint53(msg, pos, bytes.length);
      msg.set(bytes, pos);
      pos += bytes.length;
    }
    this.#publish(msg);
  }

  mark(): void {
    if (!this.dirty || this.#batch.length > 0) return;
    this.dirty = false;
    const mark = new Uint8Array(varint53Size(this.seq));
    writeVarint53(mark, 0, this.seq);
    this.#publish(mark);
  }

  #publish(msg: Uint8Array): void {
    try {
      this.#lease.nc.publish(this.#subject, msg);
    } catch {
      // Closed or draining: the nodes' tunnels break with the connection, and they re-initialize.
    }
  }

  release(): boolean {
    if (--this.shares > 0) return false;
    this.#publishBatch();
    this.#onIdle(this);
    return true;
  }
}

/** The host side: one stream per source that some node reads through NATS. */
export class NatsStreamPublisher implements SharedStreamPublisher {
  readonly #lease: NatsLease;
  readonly #host: string;
  readonly #open = new Map<number, NatsSourceStream>();
  /** Last number used per source, kept after a stream stops so that numbers never repeat. */
  readonly #lastSeq = new Map<number, number>();

  constructor(lease: NatsLease, host: string) {
    this.#lease = lease;
    this.#host = host;
  }

  open(sourceId: number): SharedStream {
    let stream = this.#open.get(sourceId);
    if (stream === undefined) {
      stream = new NatsSourceStream(this.#lease, sourceStreamSubject(this.#host, sourceId), this.#lastSeq.get(sourceId) ?? 0, (s) => {
        this.#lastSeq.set(sourceId, s.seq);
        if (this.#open.get(sourceId) === s) this.#open.delete(sourceId);
      });
      this.#open.set(sourceId, stream);
    }
    stream.shares++;
    return stream;
  }

  /** Marks every stream that published since the last call (the host's beacon calls it). */
  mark(): void {
    for (const s of this.#open.values()) s.mark();
  }
}

/** The node side: subscribes to the streams of the host at the other end of one tunnel. */
export class NatsStreamSubscriber implements SharedStreamSubscriber {
  readonly #lease: NatsLease;
  readonly #host: string;
  readonly #heard: () => void;

  /** @param heard called for every message: the host is alive (the tunnel's keepalive logic) */
  constructor(lease: NatsLease, host: string, heard: () => void) {
    this.#lease = lease;
    this.#host = host;
    this.#heard = heard;
  }

  subscribe(sourceId: number, onMessage: (seq: number, packet: Uint8Array | undefined) => void): () => void {
    const sub = this.#lease.nc.subscribe(sourceStreamSubject(this.#host, sourceId), {
      callback: (err, msg) => {
        if (err) return;
        this.#heard();
        const data = msg.data;
        let seq = readVarint53(data, 0, data.length);
        if (seq < 0) return; // not ours: ignored
        let pos = varintEnd;
        if (pos === data.length) {
          onMessage(seq, undefined);
          return;
        }
        while (pos < data.length) {
          const length = readVarint53(data, pos, data.length);
          if (length < 0 || varintEnd + length > data.length) return;
          pos = varintEnd;
          onMessage(seq++, data.subarray(pos, pos + length));
          pos += length;
        }
      },
    });
    return () => {
      try {
        sub.unsubscribe();
      } catch {
        // closed with its connection
      }
    };
  }
}
