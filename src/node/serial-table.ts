// The calls of one connection waiting for a reply, by serial. Serials are handed out in sequence,
// so the calls in flight are mostly a window of consecutive numbers: an array indexed by the
// serial's low bits holds them without hashing, and neighbours share cache lines. A Map did the
// same at several times the cost per call with 100 k calls in flight (rehashing as it grew, a
// scattered table the garbage collector keeps moving).
//
// A call whose slot is taken by another (a long-lived stream call from long ago, or serials
// after the counter wrapped) goes to a small overflow Map, so the array's size follows the
// number of calls in flight, never the spread of their serials: it doubles when half full and
// shrinks (to about four times what it holds) when less than 1/32 is used.

/** What the table holds: anything that knows its serial. */
export interface Serialed {
  readonly serial: number;
}

const MIN_CAPACITY = 64;

export class SerialTable<T extends Serialed> {
  private slots: (T | undefined)[] = [];
  private overflow = new Map<number, T>();
  private count = 0;

  constructor() {
    this.resize(MIN_CAPACITY);
  }

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  get(serial: number): T | undefined {
    const entry = this.slots[serial & (this.slots.length - 1)];
    return entry !== undefined && entry.serial === serial ? entry : this.overflow.size === 0 ? undefined : this.overflow.get(serial);
  }

  /** Adds `entry`; its serial must not be in the table already. */
  add(entry: T): void {
    if (++this.count > this.slots.length >>> 1) this.resize(this.slots.length * 2, entry);
    else this.place(entry);
  }

  /** Removes the entry of `serial`; true if there was one. */
  delete(serial: number): boolean {
    const slots = this.slots;
    const i = serial & (slots.length - 1);
    if (slots[i]?.serial === serial) slots[i] = undefined;
    else if (!this.overflow.delete(serial)) return false;
    // Shrunk in one step once a burst has drained (not by halves, each a copy of the table).
    if (--this.count < slots.length >>> 5 && slots.length > MIN_CAPACITY) {
      let capacity = MIN_CAPACITY;
      while (capacity < this.count * 4) capacity *= 2;
      if (capacity < slots.length) this.resize(capacity);
    }
    return true;
  }

  /** Every entry, in no particular order (a copy: the table may change meanwhile). */
  values(): T[] {
    const out: T[] = [];
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== undefined) out.push(slots[i]!);
    for (const entry of this.overflow.values()) out.push(entry);
    return out;
  }

  private place(entry: T): void {
    const i = entry.serial & (this.slots.length - 1);
    if (this.slots[i] === undefined) this.slots[i] = entry;
    else this.overflow.set(entry.serial, entry);
  }

  /** Re-lays every entry (and the one being added, already counted) in `capacity` slots. */
  private resize(capacity: number, adding?: T): void {
    const entries = this.values();
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
    this.overflow = new Map();
    for (const entry of entries) this.place(entry);
    if (adding !== undefined) this.place(adding);
  }
}
