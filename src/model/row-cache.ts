// The rows a model replica holds, by index, with least-recently-arrived eviction. The same
// class, fed the same events in the same order, runs on both ends of a connection: in the node
// it holds the rows; in the host it holds nothing but mirrors which rows the node holds, so the
// host sends a changed row only to the nodes that hold it without being told what they evicted
// (see "models" in src/protocol/tsro.proto). Everything here must therefore be deterministic:
// recency is the order rows were put (arrived), never the order they were read.
//
// Structural changes shift the held indices like the model's: an insert moves rows at or after
// the insertion point up, a removal drops the removed rows and moves later ones down, a move
// renumbers the moved block and the rows it jumps over. Each costs O(held) (at most the cache
// size), and nothing when no held row is at or after the first index it touches.

export class RowCache<V> {
  /** index -> value; Map order is recency (first = least recently arrived). */
  private rows = new Map<number, V>();
  private highest = -1;

  constructor(private capacity: number) {}

  get size(): number {
    return this.rows.size;
  }

  get cacheSize(): number {
    return this.capacity;
  }

  /** A new capacity; evicts the least recently arrived rows beyond it. */
  resize(capacity: number): void {
    this.capacity = capacity;
    this.evict();
  }

  has(index: number): boolean {
    return this.rows.has(index);
  }

  get(index: number): V | undefined {
    return this.rows.get(index);
  }

  /** Stores a row that arrived: it becomes the most recent; the oldest go past the capacity. */
  put(index: number, value: V): void {
    this.rows.delete(index);
    this.rows.set(index, value);
    if (index > this.highest) this.highest = index;
    this.evict();
  }

  /** Replaces a held row's value in place (recency unchanged); false if it is not held. */
  update(index: number, value: V): boolean {
    if (!this.rows.has(index)) return false;
    this.rows.set(index, value);
    return true;
  }

  clear(): void {
    this.rows.clear();
    this.highest = -1;
  }

  /** Held indices, in recency order. */
  indices(): number[] {
    return [...this.rows.keys()];
  }

  /** Held indices as sorted [start, count] ranges. */
  ranges(): [number, number][] {
    const sorted = this.indices().sort((a, b) => a - b);
    const out: [number, number][] = [];
    for (const i of sorted) {
      const last = out[out.length - 1];
      if (last && last[0] + last[1] === i) last[1]++;
      else out.push([i, 1]);
    }
    return out;
  }

  rowsInserted(start: number, count: number): void {
    if (this.highest < start) return;
    this.remap((i) => (i >= start ? i + count : i));
  }

  rowsRemoved(start: number, count: number): void {
    if (this.highest < start) return;
    const end = start + count;
    this.remap((i) => (i < start ? i : i >= end ? i - count : -1));
  }

  rowsMoved(start: number, count: number, destination: number): void {
    const end = start + count;
    if (this.highest < Math.min(start, destination)) return;
    if (destination > end) {
      // The block goes down to [destination - count, destination); rows it jumps over go up.
      this.remap((i) => (i < start || i >= destination ? i : i < end ? i + destination - end : i - count));
    } else {
      // The block goes up to [destination, destination + count); rows it jumps over go down.
      this.remap((i) => (i < destination || i >= end ? i : i >= start ? i - (start - destination) : i + count));
    }
  }

  private remap(f: (i: number) => number): void {
    const next = new Map<number, V>();
    let highest = -1;
    for (const [i, v] of this.rows) {
      const j = f(i);
      if (j < 0) continue;
      next.set(j, v);
      if (j > highest) highest = j;
    }
    this.rows = next;
    this.highest = highest;
  }

  private evict(): void {
    if (this.rows.size <= this.capacity) return;
    const it = this.rows.keys();
    while (this.rows.size > this.capacity) this.rows.delete(it.next().value as number);
    if (!this.rows.has(this.highest)) {
      let h = -1;
      for (const i of this.rows.keys()) if (i > h) h = i;
      this.highest = h;
    }
  }
}
