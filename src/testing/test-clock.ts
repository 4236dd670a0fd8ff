// TestClock: a controllable clock implementing tsro's Timers, for Node/Host's `timers` option
// (heartbeats, reconnect backoff, waitForSource, connect timeouts). Time stands still until the
// test moves it; no test runner's fake timers (and no sinon) needed, and the process's own
// timers are left alone, so the kit's deadlines and the runner keep real time.

import type { Timers } from '../util/timers';
import { nextTurn } from './real-time';
import { LimitError, UsageError } from '../errors';

interface Scheduled {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A hand-driven clock to give a network or node as `timers`: nothing it schedules runs until the
 * test advances it, so heartbeats, reconnect backoff and call timeouts run in no real time.
 */
export class TestClock implements Timers {
  #now: number;
  #nextId = 1;
  readonly #scheduled = new Map<number, Scheduled>();

  /** Starts at `start` ms (default 0). */
  constructor(start = 0) {
    this.#now = start;
  }

  /** The clock's time in ms. */
  now(): number {
    return this.#now;
  }

  /** Schedules `fn` at now + `ms` (clock time); returns its handle. */
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#scheduled.set(id, { id, at: this.#now + Math.max(0, Number.isFinite(ms) ? ms : 0), fn });
    return id;
  }

  /** Cancels what setTimeout scheduled. */
  clearTimeout(handle: unknown): void {
    this.#scheduled.delete(handle as number);
  }

  /** How many timers are waiting. */
  get pendingTimers(): number {
    return this.#scheduled.size;
  }

  /** Ms until the next timer is due (undefined if none is waiting). */
  get nextTimerIn(): number | undefined {
    const next = this.#next();
    return next && next.at - this.#now;
  }

  /**
   * Moves time forward by `ms`, synchronously running every timer that falls due, in order
   * (also those the callbacks set within the window). Returns how many ran.
   */
  tick(ms: number): number {
    const end = this.#end(ms);
    let ran = 0;
    for (let t = this.#dueBy(end); t; t = this.#dueBy(end)) {
      this.#run(t);
      ran++;
    }
    this.#now = end;
    return ran;
  }

  /**
   * Moves time forward by `ms` like tick, but lets pending I/O and promise callbacks run before
   * and after each timer: what a timer starts (a reconnect, a handshake over an in-memory
   * connection) gets as far as it can without time moving, as it would in real time.
   */
  async advance(ms: number): Promise<number> {
    const end = this.#end(ms);
    let ran = 0;
    await nextTurn();
    for (let t = this.#dueBy(end); t; t = this.#dueBy(end)) {
      this.#run(t);
      ran++;
      await nextTurn();
    }
    this.#now = end;
    await nextTurn();
    return ran;
  }

  /** Advances to each next timer until none is left (at most `limit` of them), like advance. */
  async runAll(limit = 1000): Promise<number> {
    let ran = 0;
    for (let next = this.#next(); next; next = this.#next()) {
      if (ran >= limit) throw new LimitError(`TestClock.runAll: still timers pending after ${limit} (a timer that always re-arms itself?)`);
      ran += await this.advance(next.at - this.#now);
    }
    return ran;
  }

  #end(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new UsageError('TYPE_MISMATCH', `TestClock: cannot move time by ${String(ms)} ms`);
    return this.#now + ms;
  }

  #next(): Scheduled | undefined {
    let first: Scheduled | undefined;
    for (const s of this.#scheduled.values()) if (!first || s.at < first.at || (s.at === first.at && s.id < first.id)) first = s;
    return first;
  }

  #dueBy(end: number): Scheduled | undefined {
    const next = this.#next();
    return next && next.at <= end ? next : undefined;
  }

  #run(t: Scheduled): void {
    this.#scheduled.delete(t.id);
    this.#now = Math.max(this.#now, t.at);
    t.fn();
  }
}
