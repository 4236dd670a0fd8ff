// Slots still running after their caller gave up (timeout, abort, a stream it stopped reading,
// its connection closing). A cancelled call stops counting against its connection's in-flight
// limit at once, so a slot that ignores its signal cannot lock the connection out of calls;
// these are counted here instead, host-wide, so such slots cannot grow the host without bound
// either: at the limit, the host refuses new calls (LIMIT_EXCEEDED, logged) until some end.

export class AbandonedCalls {
  private running = 0;
  private warned = false;

  constructor(
    /** Most abandoned slots running at once, host-wide. */
    readonly limit: number,
    private readonly warn: (message: string) => void,
  ) {}

  /** Slots that outlive their callers right now. */
  get count(): number {
    return this.running;
  }

  /** True while new calls must be refused. */
  get full(): boolean {
    return this.running >= this.limit;
  }

  /** A running slot's caller gave up. */
  add(): void {
    this.running++;
    if (this.running >= this.limit && !this.warned) {
      this.warned = true;
      this.warn(
        `${this.running} slots are still running after their callers gave up (maxAbandonedCalls ${this.limit}); ` +
          'new calls are refused until some end: do these slots honour currentCall().signal?',
      );
    }
  }

  /** An abandoned slot settled at last. */
  remove(): void {
    this.running--;
    if (this.running < this.limit / 2) this.warned = false;
  }
}
