// Timeouts of the calls of one connection, on one timer. A setTimeout per call (and its
// clearTimeout when the reply comes) would cost more than the rest of a call's bookkeeping;
// calls with the same timeout expire in the order they were made, so each timeout value keeps
// a FIFO of its calls, and one timer is armed for the earliest deadline of all. Adding a call
// touches the timer only when its deadline is the earliest; a call that settles is skipped
// (and dropped from the head of its FIFO at once, so a FIFO holds about what is in flight).

import { setLongTimeout, type LongTimeout, type Timers } from '../util/timers';

/** What a FIFO holds: anything that knows when it expires and whether it still can. */
export interface Deadlined {
  settled: boolean;
  deadline: number;
  queue: DeadlineQueue | undefined;
}

/** The calls of one timeout value, in the order they were made. */
export interface DeadlineQueue {
  readonly timeout: number;
  items: (Deadlined | undefined)[];
  head: number;
}

export class CallDeadlines<T extends Deadlined> {
  private readonly queues = new Map<number, DeadlineQueue>();
  private timer: LongTimeout | undefined;
  private armedAt = Infinity;

  constructor(
    private readonly timers: Timers,
    /** Called with each call whose deadline passed before it settled. */
    private readonly expire: (entry: T) => void,
  ) {}

  /** Starts timing `entry`, which expires `timeout` ms from now (finite, > 0). */
  add(entry: T, timeout: number): void {
    const deadline = this.timers.now() + timeout;
    let q = this.queues.get(timeout);
    if (q === undefined) {
      q = { timeout, items: [], head: 0 };
      this.queues.set(timeout, q);
    }
    entry.deadline = deadline;
    entry.queue = q;
    q.items.push(entry);
    if (deadline < this.armedAt) this.arm(deadline);
  }

  /** `entry` settled: drop it (and any settled calls behind it) from the head of its FIFO. */
  settled(entry: T): void {
    const q = entry.queue;
    if (q !== undefined && q.items[q.head] === entry) this.advance(q);
  }

  /** Forgets every call and stops the timer (the connection ended). */
  clear(): void {
    this.queues.clear();
    this.timer?.clear();
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private advance(q: DeadlineQueue): void {
    const items = q.items;
    let head = q.head;
    while (head < items.length && items[head]!.settled) items[head++] = undefined;
    if (head === items.length) {
      items.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > items.length) {
      items.splice(0, head);
      head = 0;
    }
    q.head = head;
  }

  private arm(deadline: number): void {
    this.timer?.clear();
    this.armedAt = deadline;
    this.timer = setLongTimeout(this.timers, () => this.fire(), Math.max(0, deadline - this.timers.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.timers.now();
    const expired: T[] = [];
    let next = Infinity;
    for (const [timeout, q] of this.queues) {
      const items = q.items;
      for (;;) {
        this.advance(q);
        const e = items[q.head];
        if (e === undefined || e.deadline > now) break;
        items[q.head++] = undefined;
        expired.push(e as T);
      }
      const first = items[q.head];
      if (first === undefined) this.queues.delete(timeout);
      else next = Math.min(next, first.deadline);
    }
    if (next < Infinity) this.arm(next);
    for (const e of expired) if (!e.settled) this.expire(e);
  }
}
