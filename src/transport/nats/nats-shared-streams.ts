// Shared streams over NATS: a host publishes each change or signal of a source once, on the
// subject tsro.h.<host>.s.<source id>, and NATS fans it out to every node subscribed there,
// whatever their number. Each message is a varint sequence number followed by the encoded packet
// (nothing after the number: a mark, "the last number is this", sent once a stream goes quiet so
// that a node that lost the last packet notices).

import type { NatsLease } from './nats-pool';
import type { SharedStream, SharedStreamPublisher, SharedStreamSubscriber } from '../shared-streams';

export function sourceStreamSubject(host: string, sourceId: number): string {
  return `tsro.h.${host}.s.${sourceId}`;
}

function writeVarint(out: Uint8Array, n: number): number {
  let pos = 0;
  while (n >= 0x80) {
    out[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[pos++] = n;
  return pos;
}

class NatsSourceStream implements SharedStream {
  seq: number;
  shares = 0;
  /** Published since the last mark. */
  dirty = false;
  readonly #subject: string;
  readonly #lease: NatsLease;
  readonly #onIdle: (stream: NatsSourceStream) => void;
  readonly #head = new Uint8Array(10);

  constructor(lease: NatsLease, subject: string, seq: number, onIdle: (stream: NatsSourceStream) => void) {
    this.#lease = lease;
    this.#subject = subject;
    this.seq = seq;
    this.#onIdle = onIdle;
  }

  sendEncoded(bytes: Uint8Array): boolean {
    const n = writeVarint(this.#head, ++this.seq);
    const msg = new Uint8Array(n + bytes.length);
    msg.set(this.#head.subarray(0, n), 0);
    msg.set(bytes, n);
    this.dirty = true;
    return this.#publish(msg);
  }

  mark(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const n = writeVarint(this.#head, this.seq);
    this.#publish(this.#head.slice(0, n));
  }

  #publish(msg: Uint8Array): boolean {
    try {
      this.#lease.nc.publish(this.#subject, msg);
      return true;
    } catch {
      // Closed or draining: the nodes' tunnels break with the connection, and they re-initialize.
      return false;
    }
  }

  release(): boolean {
    if (--this.shares > 0) return false;
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

  constructor(lease: NatsLease, host: string) {
    this.#lease = lease;
    this.#host = host;
  }

  subscribe(sourceId: number, onMessage: (seq: number, packet: Uint8Array | undefined) => void): () => void {
    const sub = this.#lease.nc.subscribe(sourceStreamSubject(this.#host, sourceId), {
      callback: (err, msg) => {
        if (err) return;
        const data = msg.data;
        let seq = 0;
        let scale = 1;
        let pos = 0;
        for (;;) {
          const b = data[pos++];
          if (b === undefined || pos > 8) return; // not ours: ignore
          seq += (b & 0x7f) * scale;
          scale *= 0x80;
          if (b < 0x80) break;
        }
        onMessage(seq, pos < data.length ? data.subarray(pos) : undefined);
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
