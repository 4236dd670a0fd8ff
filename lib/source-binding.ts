// The host side of one remoted object: its id and name on this host, its API, and the
// connections that hold a replica of it. A property change or signal is encoded once and the
// same bytes go to every listening connection. Incoming slot calls and property sets are checked
// against the declared API before anything on the object is touched.

import type { ApiDescription, MethodDescription } from '../decorators/api-description';
import { checkArgumentCount, conformValue } from '../decorators/conform';
import { addSourceObserver, readSourceValue, removeSourceObserver, type SourceObserver } from '../decorators/source-state';
import { TsroError, UsageError } from '../errors';
import { apiToMessage } from './protocol/api-codec';
import type { ErrorInfoMessage, PacketMessage, SourceInfoMessage } from './protocol/messages';
import { encodePacket } from './protocol/packet-codec';
import { decodeValue, encodeValue, encodeValues, type ValueMessage } from './protocol/value-codec';

/** Somewhere a binding can send encoded packets: a host-side connection. */
export interface SourceListener {
  sendEncoded(bytes: Uint8Array): boolean;
}

/** Outcome of a call, as it goes into an InvokeReply. */
export type CallOutcome = { value: ValueMessage } | { error: ErrorInfoMessage };

export function errorInfo(err: unknown): ErrorInfoMessage {
  if (err instanceof TsroError) return { code: err.code, name: err.name, message: err.message };
  if (err instanceof Error) return { code: 'REMOTE', name: err.name, message: err.message };
  return { code: 'REMOTE', name: 'Error', message: String(err) };
}

export class SourceBinding implements SourceObserver {
  private readonly listeners: SourceListener[] = [];

  constructor(
    readonly id: number,
    readonly name: string,
    readonly api: ApiDescription,
    readonly object: object,
  ) {
    addSourceObserver(object, this);
  }

  get info(): SourceInfoMessage {
    return { id: this.id, name: this.name, typeName: this.api.typeName, signature: this.api.signature };
  }

  /** Stops observing the object. */
  dispose(): void {
    removeSourceObserver(this.object, this);
    this.listeners.length = 0;
  }

  addListener(l: SourceListener): void {
    if (!this.listeners.includes(l)) this.listeners.push(l);
  }

  removeListener(l: SourceListener): void {
    const i = this.listeners.indexOf(l);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  /** The Init packet for a new (or re-acquiring) listener. */
  initPacket(wantDefinition: boolean): Uint8Array {
    const values = this.api.properties.map((p) =>
      encodeValue(readSourceValue(this.object, p.name), `property "${p.name}" of source "${this.name}"`),
    );
    return encodePacket({
      init: { source: this.id, values, definition: wantDefinition ? apiToMessage(this.api) : null },
    });
  }

  // SourceObserver: called by the @Property accessor before it stores the value. Encoding here
  // means an uncarriable value throws to the code that set it and nothing is stored or sent.
  propertyChanged(name: string, value: unknown): void {
    const prop = this.api.propertyByName.get(name);
    if (!prop) return; // declared on a subclass of the API class: not remoted
    const encoded = encodeValue(value, `property "${name}" of source "${this.name}"`);
    if (this.listeners.length === 0) return;
    this.broadcast(encodePacket({ propertyChange: { source: this.id, index: prop.index, value: encoded } }));
  }

  signalEmitted(name: string, args: readonly unknown[]): void {
    const signal = this.api.signalByName.get(name);
    if (!signal) return;
    const what = (i: number): string => `argument ${i + 1} of signal "${name}" of source "${this.name}"`;
    checkArgumentCount(signal.params.length, args.length, `signal "${name}"`);
    const conformed = signal.params.map((p, i) => conformValue(p.type, args[i], what(i)));
    const encoded = encodeValues(conformed, what);
    if (this.listeners.length === 0) return;
    this.broadcast(encodePacket({ signal: { source: this.id, index: signal.index, args: encoded } }));
  }

  private broadcast(bytes: Uint8Array): void {
    for (const l of this.listeners) l.sendEncoded(bytes);
  }

  /**
   * Runs a slot for a replica. Refusals (unknown slot, argument count or type) and what the slot
   * throws come back as errors; `done` is called exactly once, synchronously for a slot that
   * returns a plain value, after settling for one that returns a promise.
   */
  invoke(index: number, args: readonly ValueMessage[], done: (outcome: CallOutcome) => void): void {
    const slot = this.api.slots[index];
    if (!slot) {
      done({ error: errorInfo(new UsageError('UNKNOWN_MEMBER', `source "${this.name}" has no slot #${index}`)) });
      return;
    }
    let result: unknown;
    try {
      const values = this.conformArguments(slot, args);
      const fn = (this.object as Record<string, unknown>)[slot.name] as (...a: unknown[]) => unknown;
      result = fn.apply(this.object, values);
    } catch (err) {
      done({ error: errorInfo(err) });
      return;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => done(this.replyValue(slot, value)),
        (err: unknown) => done({ error: errorInfo(err) }),
      );
    } else {
      done(this.replyValue(slot, result));
    }
  }

  /** Applies a replica's property set. Throws a UsageError if it is refused. */
  setProperty(index: number, value: ValueMessage | null | undefined): void {
    const prop = this.api.properties[index];
    if (!prop) throw new UsageError('UNKNOWN_MEMBER', `source "${this.name}" has no property #${index}`);
    if (prop.readonly) throw new UsageError('READONLY', `property "${prop.name}" of source "${this.name}" is readonly`);
    const decoded = conformValue(prop.type, decodeValue(value ?? {}), `property "${prop.name}"`);
    (this.object as Record<string, unknown>)[prop.name] = decoded;
  }

  private conformArguments(slot: MethodDescription, args: readonly ValueMessage[]): unknown[] {
    const what = `slot "${slot.name}" of source "${this.name}"`;
    if (args.length < slot.required || args.length > slot.params.length) {
      checkArgumentCount(args.length < slot.required ? slot.required : slot.params.length, args.length, what);
    }
    return args.map((a, i) => conformValue(slot.params[i]!.type, decodeValue(a), `argument ${i + 1} of ${what}`));
  }

  private replyValue(slot: MethodDescription, value: unknown): CallOutcome {
    try {
      const what = `return value of slot "${slot.name}" of source "${this.name}"`;
      return { value: encodeValue(conformValue(slot.returns, value, what), what) };
    } catch (err) {
      return { error: errorInfo(err) };
    }
  }
}

/** Packet announcing a new source to every connection. */
export function sourceAddedPacket(binding: SourceBinding): PacketMessage {
  return { sourceAdded: { source: binding.info } };
}
