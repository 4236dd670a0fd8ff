// The printer's remote API: QtRO's second documentation scenario (a service with state, a slot
// that does work and answers, a signal for trouble).
//
// Declaration only, side-effect free: a node constructs this class once, with no arguments, to
// read the defaults a typed replica shows before it is initialized. The implementation is the
// subclass PrinterService (printer-service.ts), which the host remotes; it has the same API
// signature because members a subclass adds are not remoted.

import { Property, RemoteObjectType, Signal, Slot } from 'tsro';

@RemoteObjectType('Printer')
export class PrinterApi {
  /** Percent of ink left. Replicas may set it (a refill); the set is forwarded to the source. */
  @Property({ type: 'int32' }) inkLevel = 100;
  /** True while a job prints. Only the printer changes it. */
  @Property({ readonly: true }) busy: boolean = false;

  /** A page got stuck; the printer clears it and goes on. */
  @Signal({ params: ['int32', 'string'] }) jammed(page: number, reason: string): Signal {}

  /**
   * Prints `doc`; resolves with the number of pages printed. `returns` is needed: metadata only
   * sees `Promise`, not what it resolves with.
   */
  @Slot({ returns: 'int32' }) async print(doc: string): Promise<number> {
    throw new Error(`PrinterApi declares print("${doc}"); PrinterService implements it`);
  }
}
