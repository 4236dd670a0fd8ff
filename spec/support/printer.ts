// A decorated API used across tests: QtRO's printer example plus a little of everything.

import { EventEmitter } from 'node:events';
import { Property, RemoteObjectType, Signal, Slot } from '../../src/index';

@RemoteObjectType('Printer')
export class Printer extends EventEmitter {
  @Property() inkLevel = 100;
  @Property({ readonly: true }) busy = false;
  @Property({ type: 'int32' }) copies = 1;
  @Property({ type: { array: 'string' } }) queue: string[] = [];
  @Signal() jammed(_page: number, _reason: string): Signal {}
  @Slot({ returns: 'int32' }) async print(doc: string): Promise<number> {
    this.queue = [...this.queue, doc];
    return doc.length;
  }
  @Slot() add(a: number, b: number): number {
    return a + b;
  }
  @Slot() fail(message: string): void {
    throw new RangeError(message);
  }
  @Slot() async failLater(message: string): Promise<void> {
    await Promise.resolve();
    throw new TypeError(message);
  }
  @Slot() greet(name: string, greeting = 'hello'): string {
    return `${greeting} ${name}`;
  }
  /** Never answers: for calls caught by a lost connection. */
  @Slot() hang(): Promise<void> {
    return new Promise(() => {});
  }
}

/** Printer's member names, but inkLevel is a string: a typed replica of it mismatches Printer. */
@RemoteObjectType('Printer')
export class PrinterWithStringInk {
  @Property({ type: 'string' }) inkLevel = 'full';
  @Property({ readonly: true }) busy = false;
  @Property({ type: 'int32' }) copies = 1;
  @Property({ type: { array: 'string' } }) queue: string[] = [];
  @Signal() jammed(_page: number, _reason: string): void {}
  @Slot({ returns: 'int32' }) async print(doc: string): Promise<number> {
    return doc.length;
  }
  @Slot() add(a: number, b: number): number {
    return a + b;
  }
  @Slot() fail(_message: string): void {}
  @Slot() async failLater(_message: string): Promise<void> {}
  @Slot() greet(name: string, greeting = 'hello'): string {
    return `${greeting} ${name}`;
  }
  @Slot() hang(): Promise<void> {
    return new Promise(() => {});
  }
}
