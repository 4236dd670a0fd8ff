// The calls of one connection waiting for a reply, by serial. Serials are handed out in sequence,
// so the calls in flight are mostly a window of consecutive numbers: an array indexed by the
// serial's low bits holds them without hashing, and neighbours share cache lines. A Map did the
// same at several times the cost per call with 100 k calls in flight (rehashing as it grew, a
// scattered table the garbage collector keeps moving).
//
// A call whose slot is taken by another (a long-lived stream call from long ago, or serials
// after the counter wrapped) goes to a small overflow Map, so the array's size follows the
// number of calls in flight, never the spread of their serials: it doubles when half full and
// halves when less than an eighth is used.

/** What the table holds: anything that knows its serial. */
export interface Serialed {
  readonly serial: number;
}

const MIN_CAPACITY = 64;

function emptySlots<T>(capacity: number): (T | undefined)[] {
  return new Array<T | undefined>(capacity).fill(undefined);
}

export class SerialTable<T extends Serialed> {
  private slots: (T | undefined)[] = emptySlots(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private readonly overflow = new Map<number, T>();
  private count = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  get(serial: number): T | undefined {
    const entry = this.slots[serial & this.mask];
    if (entry !== undefined && entry.serial === serial) return entry;
    return this.overflow.size === 0 ? undefined : this.overflow.get(serial);
  }

  has(serial: number): boolean {
    return this.get(serial) !== undefined;
  }

  /** Adds `entry`; its serial must not be in the table already. */
  add(entry: T): void {
    if (this.count >= this.slots.length >>> 1) this.resize(this.slots.length * 2);
    this.count++;
    this.place(entry);
  }

  /** Removes the entry of `serial`; true if there was one. */
  delete(serial: number): boolean {
    const i = serial & this.mask;
    const held = this.slots[i];
    if (held !== undefined && held.serial === serial) {
      this.slots[i] = undefined;
    } else if (this.overflow.size === 0 || !this.overflow.delete(serial)) {
      return false;
    }
    this.count--;
    if (this.slots.length > MIN_CAPACITY && this.count < this.slots.length >>> 3) this.resize(this.slots.length >>> 1);
    return true;
  }

  /** Every entry, in no particular order (a copy: the table may change meanwhile). */
  values(): T[] {
    const out: T[] = [];
    for (const entry of this.slots) if (entry !== undefined) out.push(entry);
    for (const entry of this.overflow.values()) out.push(entry);
    return out;
  }

  clear(): void {
    this.slots = emptySlots(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.overflow.clear();
    this.count = 0;
  }

  private place(entry: T): void {
    const i = entry.serial & this.mask;
    if (this.slots[i] === undefined) this.slots[i] = entry;
    else this.overflow.set(entry.serial, entry);
  }

  private resize(capacity: number): void {
    const entries = this.values();
    this.slots = emptySlots(capacity);
    this.mask = capacity - 1;
    this.overflow.clear();
    for (const entry of entries) this.place(entry);
  }
}
