// A source for the "only the declared API" tests (spec/hardening/api-surface.spec.ts): typed
// properties (one readonly), a signal, slots with declared parameter types, and undecorated
// members a peer must never reach. Every way its state can change is recorded, so that a test
// can tell that a refused call left it untouched.

import { EventEmitter } from 'node:events';
import { Property, RemoteObjectType, Signal, Slot } from '../../src/index';

@RemoteObjectType('Vault')
export class Vault extends EventEmitter {
  @Property({ type: 'int32' }) level = 1;
  @Property({ type: 'string', readonly: true }) keeper = 'alice';
  @Property({ type: 'any' }) anything: unknown = null;
  @Property({ type: { map: 'int32' } }) counts: Record<string, number> = {};
  @Property({ type: { object: { x: 'double', y: 'double' } } }) point = { x: 0, y: 0 };

  @Signal({ params: ['string'] }) opened(_by: string): void {}

  @Slot({ params: ['int32', 'string'], returns: 'string' }) deposit(amount: number, note: string): string {
    this.journal.push(`deposit ${amount} ${note}`);
    return `${note}:${amount}`;
  }
  @Slot({ params: ['any'], returns: 'any' }) echo(value: unknown): unknown {
    this.received.push(value);
    return value;
  }
  @Slot({ params: [{ map: 'int64' }], returns: 'int32' }) tally(counts: Record<string, bigint> | Map<string, bigint>): number {
    this.received.push(counts);
    return counts instanceof Map ? counts.size : Object.keys(counts).length;
  }
  @Slot({ params: [{ object: { x: 'double', y: 'double' } }], returns: 'double' }) norm(p: { x: number; y: number }): number {
    this.journal.push(`norm ${p.x} ${p.y}`);
    return Math.hypot(p.x, p.y);
  }

  /** Not remoted: a replica must never be able to call this. */
  secret(): string {
    this.compromised = true;
    return 'the secret';
  }
  /** Not remoted either. */
  compromised = false;
  /** What the slots did (not remoted). */
  journal: string[] = [];
  /** Values the `any` and map slots received (not remoted). */
  received: unknown[] = [];
}

/** Everything about a Vault's state a refused call must leave alone, as plain data. */
export function vaultState(v: Vault): unknown {
  return {
    level: v.level,
    keeper: v.keeper,
    anything: v.anything,
    counts: { ...v.counts },
    point: { ...v.point },
    compromised: v.compromised,
    journal: [...v.journal],
    received: v.received.length,
    // An own `constructor`, `toString`... would show here.
    ownKeys: Reflect.ownKeys(v).filter((k) => typeof k === 'string').sort(),
    protoIsVault: Object.getPrototypeOf(v) === Vault.prototype,
  };
}

/** Whether anything polluted the built-in prototypes of this process. */
export function pollutionReport(): { polluted: unknown; arrayPolluted: unknown; objectProtoKeys: string[]; objectProtoIsNull: boolean } {
  return {
    polluted: ({} as Record<string, unknown>).polluted,
    arrayPolluted: ([] as unknown as Record<string, unknown>).polluted,
    objectProtoKeys: Object.getOwnPropertyNames(Object.prototype).sort(),
    objectProtoIsNull: Object.getPrototypeOf(Object.prototype) === null,
  };
}

/** How a received object looks: own keys, prototype, and whether `polluted` shows through. */
export function shapeOf(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v;
  if (v instanceof Map) return { map: [...v.keys()].map(String) };
  const proto: unknown = Object.getPrototypeOf(v);
  return {
    ownKeys: Reflect.ownKeys(v).map(String),
    proto: proto === Object.prototype ? 'Object.prototype' : proto === null ? 'null' : 'other',
    polluted: (v as Record<string, unknown>).polluted,
    nested: Object.fromEntries(
      Object.keys(v).map((k) => [k, shapeOf(Object.getOwnPropertyDescriptor(v, k)!.value)]),
    ),
  };
}
