// A host-wide bound on bytes waiting to be sent, across every connection of the host. Each
// connection's own limit (maxBufferedBytes) stops one slow reader; this stops many of them at
// once (1024 connections x 32 MiB would be 32 GiB). Past the bound, the connections holding
// the most unsent bytes are disconnected first, until the total is back under it.
//
// Cheap on the hot path: a send adds what it queued to a running total, which can only
// overestimate (bytes the OS took since are not subtracted until the next send on that
// connection). Only when the estimate is over the bound is the real total measured, and only if
// that is over too is anyone disconnected.

/** One connection, as the pool sees it. */
export interface PoolMember {
  /** Bytes this member counted in the total at its last update. */
  accounted: number;
  /** Bytes it holds unsent right now. */
  measure(): number;
  /** Disconnects it for holding `bytes` while the host held `total` (over `limit`). */
  evict(bytes: number, total: number, limit: number): void;
}

export class BufferedBytesPool {
  private total = 0;
  private readonly members = new Set<PoolMember>();
  private rebalancing = false;

  constructor(readonly limit: number) {}

  join(member: PoolMember): void {
    member.accounted = 0;
    this.members.add(member);
  }

  leave(member: PoolMember): void {
    if (!this.members.delete(member)) return;
    this.total -= member.accounted;
    member.accounted = 0;
  }

  /** The member now holds `bytes` unsent. */
  update(member: PoolMember, bytes: number): void {
    if (!this.members.has(member)) return;
    this.total += bytes - member.accounted;
    member.accounted = bytes;
    if (this.total > this.limit && !this.rebalancing) this.rebalance();
  }

  /** Bytes held unsent by all members, as last counted (an upper bound). */
  get estimate(): number {
    return this.total;
  }

  private rebalance(): void {
    this.rebalancing = true;
    try {
      let total = 0;
      for (const m of this.members) {
        m.accounted = m.measure();
        total += m.accounted;
      }
      this.total = total;
      if (total <= this.limit) return;
      const heaviest = [...this.members].sort((a, b) => b.accounted - a.accounted);
      for (const m of heaviest) {
        if (this.total <= this.limit) break;
        const bytes = m.accounted;
        m.evict(bytes, this.total, this.limit);
        this.leave(m);
      }
    } finally {
      this.rebalancing = false;
    }
  }
}
