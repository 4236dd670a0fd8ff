// A source whose slots answer with what a peer asks for: a reply or a rejection of any length,
// now or later, or never. For tests of what a host does with answers a peer cannot take.

import { EventEmitter } from 'node:events';
import { Property, RemoteObjectType, Slot } from '../../src/index';

@RemoteObjectType('Hostile')
export class Hostile extends EventEmitter {
  @Property({ type: 'string' }) text = '';
  @Slot({ params: ['int32'], returns: 'string' }) sized(n: number): string {
    return 'x'.repeat(n);
  }
  @Slot({ params: ['int32'], returns: 'string' }) async sizedLater(n: number): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    return 'x'.repeat(n);
  }
  @Slot({ params: ['int32'] }) async failLong(n: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new RangeError('y'.repeat(n));
  }
  @Slot({ params: ['int32'] }) throwLong(n: number): void {
    throw new RangeError('w'.repeat(n));
  }
  /** Never settles. */
  @Slot() stuck(): Promise<void> {
    return new Promise(() => {});
  }
}
