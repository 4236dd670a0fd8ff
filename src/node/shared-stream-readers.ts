// Where a node's connection stands in reading the shared streams (NATS) of the sources it holds:
// a source's changes arrive numbered, beside the connection. What arrives before the source's
// Init waits for it; the Init says where the snapshot stands; a gap asks for a fresh snapshot.

import type { SharedStreamSubscriber } from '../transport/shared-streams';

/** Where a node stands in reading one source's shared stream. */
interface StreamReader {
  /** The number expected next; 0 while waiting for an Init to say where the stream stands. */
  next: number;
  /** What arrived before that Init. */
  waiting: { seq: number; packet: Uint8Array | undefined }[];
  stop: () => void;
}

/** What the readers need of their connection. */
export interface SharedStreamOwner {
  /** A sign of life from the host (for the heartbeat). */
  touch(): void;
  /** Applies a packet read from a stream, in order, as if it had come over the connection. */
  receive(packet: Uint8Array): void;
  /** Asks the host for a fresh snapshot of the source (an Acquire on the shared stream). */
  resync(sourceId: number): void;
}

export class SharedStreamReaders {
  readonly #readers = new Map<number, StreamReader>();

  constructor(
    private readonly subscriber: SharedStreamSubscriber,
    private readonly owner: SharedStreamOwner,
  ) {}

  get size(): number {
    return this.#readers.size;
  }

  /** Subscribes to a source's stream, if not yet: before its Acquire goes out, so nothing is missed. */
  start(sourceId: number): void {
    if (this.#readers.has(sourceId)) return;
    const reader: StreamReader = { next: 0, waiting: [], stop: () => {} };
    this.#readers.set(sourceId, reader);
    reader.stop = this.subscriber.subscribe(sourceId, (seq, packet) => this.#streamed(sourceId, reader, seq, packet));
  }

  stop(sourceId: number): void {
    const reader = this.#readers.get(sourceId);
    if (reader === undefined) return;
    this.#readers.delete(sourceId);
    reader.stop();
  }

  stopAll(): void {
    for (const id of [...this.#readers.keys()]) this.stop(id);
  }

  /** The Init of a source read from a shared stream: line the stream up with the snapshot. */
  initialized(sourceId: number, streamSeq: number | { toNumber(): number } | null | undefined): void {
    const reader = this.#readers.get(sourceId);
    if (reader === undefined) return;
    if (streamSeq === undefined || streamSeq === null) {
      // The host has no shared stream for it: changes come over the connection.
      this.stop(sourceId);
      return;
    }
    reader.next = (typeof streamSeq === 'number' ? streamSeq : streamSeq.toNumber()) + 1;
    const waiting = reader.waiting;
    reader.waiting = [];
    for (const m of waiting) {
      if (this.#readers.get(sourceId) !== reader || reader.next === 0) return;
      this.#apply(sourceId, reader, m.seq, m.packet);
    }
  }

  #streamed(sourceId: number, reader: StreamReader, seq: number, packet: Uint8Array | undefined): void {
    if (this.#readers.get(sourceId) !== reader) return;
    this.owner.touch();
    if (reader.next === 0) {
      // No Init yet: keep it for when the snapshot says where the stream stands.
      reader.waiting.push({ seq, packet });
      return;
    }
    this.#apply(sourceId, reader, seq, packet);
  }

  #apply(sourceId: number, reader: StreamReader, seq: number, packet: Uint8Array | undefined): void {
    // Already in the snapshot, or a mark of what was applied.
    if (seq < reader.next) return;
    if (packet === undefined || seq > reader.next) {
      // A mark beyond what arrived, or a gap: something was lost. Ask for a fresh snapshot; what
      // comes meanwhile waits for it.
      reader.next = 0;
      reader.waiting = [];
      this.owner.resync(sourceId);
      return;
    }
    reader.next++;
    this.owner.receive(packet);
  }
}
