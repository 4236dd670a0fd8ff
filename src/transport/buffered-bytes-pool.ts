// A host-wide view of bytes waiting to be sent, across every connection of the host: their bound,
// and which connections are under pressure (over the host's pressureThreshold, coalescing
// property changes; see send-queue.ts). Each
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
  /** Names the connection (its peer) in pressure events. */
  readonly label: string;
  /** Counted as under pressure: set by the pool only. */
  pressured: boolean;
}

/** A connection went under pressure or came back from it. */
export interface PressureChange {
  /** The connection's peer, as the host names it in its logs. */
  readonly peer: string;
  /** True: its unsent bytes passed the threshold, its property changes now coalesce. False: it is back under it, or gone. */
  readonly pressured: boolean;
  /** Bytes waiting to be sent to it at that moment. */
  readonly unsentBytes: number;
  /** Connections of the host under pressure now, this one included if it is. */
  readonly connections: number;
}

export class BufferedBytesPool {
  private total = 0;
  private readonly members = new Set<PoolMember>();
  private rebalancing = false;
  private pressuredCount = 0;
  /** Property changes replaced by later ones before they were sent, over every connection so far. */
  coalesced = 0;

  /**
   * @param limit the host-wide bound on unsent bytes (maxTotalBufferedBytes)
   * @param pressureThreshold unsent bytes of one connection past which it is under pressure
   * @param onPressure told of every change (called synchronously, from the send path)
   */
  constructor(
    readonly limit: number,
    readonly pressureThreshold: number = Infinity,
    private readonly onPressure?: (change: PressureChange) => void,
  ) {}

  join(member: PoolMember): void {
    member.accounted = 0;
    member.pressured = false;
    this.members.add(member);
  }

  leave(member: PoolMember): void {
    if (!this.members.delete(member)) return;
    this.total -= member.accounted;
    member.accounted = 0;
    // A connection that ends under pressure no longer holds anyone back.
    if (member.pressured) this.pressureChanged(member, false, 0);
  }

  /** Connections under pressure now. */
  get pressured(): number {
    return this.pressuredCount;
  }

  /** A member went under pressure or came back (its send queue says so). */
  pressureChanged(member: PoolMember, pressured: boolean, unsentBytes: number): void {
    if (member.pressured === pressured) return;
    member.pressured = pressured;
    this.pressuredCount += pressured ? 1 : -1;
    this.onPressure?.({ peer: member.label, pressured, unsentBytes, connections: this.pressuredCount });
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
