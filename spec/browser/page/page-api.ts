// The remote APIs of the browser tests, shared by the page (typed replicas) and the test process
// (which remotes these very classes, so both sides have one signature). Imports only
// tsro/browser, so the page bundle holds nothing of Node.js.

import { Property, RemoteObjectType, Signal, Slot } from 'tsro/browser';

@RemoteObjectType('Printer')
export class PagePrinter {
  @Property({ type: 'int32' }) inkLevel = 100;
  @Property({ readonly: true }) busy: boolean = false;
  @Property({ type: { array: 'string' } }) queue: string[] = [];
  @Signal({ params: ['int32', 'string'] }) jammed(_page: number, _reason: string): void {}
  @Slot({ returns: 'int32' }) async print(doc: string): Promise<number> {
    this.queue = [...this.queue, doc];
    return doc.length;
  }
  @Slot({ params: ['double', 'double'], returns: 'double' }) add(a: number, b: number): number {
    return a + b;
  }
  @Slot({ params: ['string'] }) fail(message: string): void {
    throw new RangeError(message);
  }
}

/** A counter, for the ordering and rate test. */
@RemoteObjectType('Counter')
export class PageCounter {
  @Property({ type: 'int32' }) value = 0;
}
