// The source of the soak test (spec/hardening/soak.spec.ts), shared with its child processes
// (spec/support/soak-child.ts, soak-leak.ts): properties the source changes in a tight loop, a
// signal carrying a sequence number, and a slot that answers with its argument + 1 and counts
// how often it ran for each argument.

import { Property, RemoteObjectType, Signal, Slot } from '../../src/index';

@RemoteObjectType('Soak')
export class SoakApi {
  @Property({ type: 'int32' }) counter = 0;
  @Property({ type: 'string' }) text = '';
  @Property({ type: 'double' }) ratio = 0;
  @Property({ type: { array: 'int32' } }) pair: number[] = [0, 0];
  @Signal({ params: ['int32', 'string'] }) tick(_seq: number, _tag: string): void {}
  @Slot({ params: ['int32'], returns: 'int32' }) inc(n: number): number {
    throw new Error(`not implemented (${n})`);
  }
}

/** The host's side: counts every call it runs, by argument. */
export class SoakSource extends SoakApi {
  /** How many times `inc` ran with each argument (not remoted). */
  readonly runs = new Map<number, number>();
  override inc(n: number): number {
    this.runs.set(n, (this.runs.get(n) ?? 0) + 1);
    return n + 1;
  }
}

/** What a child reports about one replica at the end. */
export interface ReplicaReport {
  readonly node: number;
  readonly signals: number;
  readonly signalViolations: number;
  readonly firstViolation?: string;
  readonly counterViolations: number;
  readonly finals: { counter: number; text: string; ratio: number; pair: number[] };
  readonly calls: { sent: number; ok: number; wrong: number; failed: number; firstError?: string };
  readonly state: string;
}
