// The host side of one remoted object: its id and name on this host, its API, and the
// connections that hold a replica of it. A property change or signal is encoded once and the
// same bytes go to every listening connection. Incoming slot calls and property sets are checked
// against the declared API before anything on the object is touched.

import { readonlyReason, type ApiDescription, type MethodDescription, type PropertyDescription } from '../api/api-description';
import { isChildType } from '../api/wire-type';
import { conformsAsIs, conformValue, needsRevive, reviveValue } from '../api/conform';
import { checkArgumentCount, checkArgumentRange } from '../util/objects';
import { addSourceObserver, adoptProperties, propertyHooksOf, readSourceValue, removeSourceObserver, type SourceObserver } from '../api/source-state';
import { TsroError, UsageError } from '../errors';
import { apiToMessage } from '../protocol/api-codec';
import type { ErrorInfoMessage, SourceInfoMessage } from '../protocol/messages';
import { encodePacket } from '../protocol/packet-codec';
import { runServing, swapCaller, type ServedCall } from './call-context';
import { encodePropertyChange, encodeSignal } from '../protocol/hot-packets';
import { FrameArena, type SharedFrame } from '../transport/shared-frame';

function describeKind(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : typeof v;
}
import { decodeValue, encodeValue, type ValueMessage } from '../protocol/value-codec';

/** Somewhere a binding can send encoded packets: a host-side connection. */
export interface SourceListener {
  sendEncoded(bytes: Uint8Array): boolean;
  /** A frame every listener gets, made once; `key` >= 0: a property change (see SendQueue). */
  sendShared?(frame: SharedFrame, key: number): boolean;
}

// A property's coalescing key: unique per binding and property (ids and indexes stay far below
// these bounds; a property past them is simply never coalesced).
const KEY_INDEXES = 2 ** 20;
function propertyKey(id: number, index: number): number {
  return index < KEY_INDEXES && id < 2 ** 32 ? id * KEY_INDEXES + index : -1;
}

/** Outcome of a call: the (conformed) return value, or why it failed. */
export type CallOutcome = { value: unknown; what: string } | { error: ErrorInfoMessage };

/** A stream slot returned its iterable: the items still to be pulled, and how each is checked. */
export interface StreamOutcome {
  readonly stream: AsyncIterator<unknown> | Iterator<unknown>;
  /** Conforms an item to the declared type (throws TYPE_MISMATCH); what it returns is sent. */
  readonly conformItem: (value: unknown) => unknown;
  /** Names an item in errors. */
  readonly what: string;
}

/** How many causes deep an error's `cause` chain is carried. */
const MAX_CAUSE_DEPTH = 8;

/**
 * What a thrown value tells its caller: name and message, its own enumerable properties that the
 * wire can carry (`data`; a property that cannot be carried is left out, not the whole error),
 * and its `cause`, carried the same way.
 */
export function errorInfo(err: unknown, depth = 0): ErrorInfoMessage {
  let info: ErrorInfoMessage;
  if (err instanceof TsroError) info = { code: err.code, name: wellFormed(err.name), message: wellFormed(err.message) };
  else if (err instanceof Error) info = { code: 'REMOTE', name: wellFormed(String(err.name)), message: wellFormed(String(err.message)) };
  else if (err !== null && typeof err === 'object') {
    const message = (err as { message?: unknown }).message;
    info = { code: 'REMOTE', name: 'Error', message: typeof message === 'string' ? wellFormed(message) : 'a value that is not an Error was thrown (see remoteData)' };
  } else {
    info = { code: 'REMOTE', name: 'Error', message: wellFormed(safeString(err)) };
  }
  const data = errorData(err);
  if (data) info.data = data;
  if (err instanceof Error && err.cause !== undefined && depth < MAX_CAUSE_DEPTH) info.cause = errorInfo(err.cause, depth + 1);
  return info;
}

function errorData(err: unknown): ValueMessage | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const carried: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(err)) {
    // The code of a TsroError travels as ErrorInfo.code; a cause as ErrorInfo.cause.
    if ((key === 'code' && err instanceof TsroError) || (key === 'cause' && err instanceof Error)) continue;
    const v = (err as Record<string, unknown>)[key];
    try {
      encodeValue(v, key);
    } catch {
      continue; // not carriable: left out
    }
    carried[key] = v;
    any = true;
  }
  return any ? encodeValue(carried, 'error data') : undefined;
}

// Strings are made well-formed: a lone surrogate in a thrown message would make the whole
// reply undecodable on the other side (and close the connection).
function wellFormed(s: string): string {
  return (s as string & { toWellFormed?: () => string }).toWellFormed?.() ?? s;
}

/** String(value), or a description if converting it throws (a hostile toString). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return `a thrown ${typeof value}`;
  }
}

/**
 * What a binding asks of its host for child objects (properties whose type is a remote object
 * class): to remote a new child of one of its properties, replacing (disabling) the previous one.
 */
export interface ChildHost {
  /**
   * Remotes `object` as the child held by `parent`'s property `prop`, after disabling the child
   * it held before; returns the child source's name, or null for null. Throws a UsageError,
   * leaving the old child in place, if the object cannot be remoted.
   */
  attachChild(parent: SourceBinding, prop: PropertyDescription, object: unknown): string | null;
}

export class SourceBinding implements SourceObserver {
  private readonly listeners: SourceListener[] = [];
  // Names for error messages, made once: the hot paths only read them if a value fails.
  private readonly propertyWhat: readonly string[];
  private readonly signalWhat: readonly ((i: number) => string)[];
  // Value types: properties stored on the object as instances (sent as plain objects), and slots
  // whose arguments the object receives as instances. Worked out once; undefined when none.
  private readonly instanceProperties: readonly boolean[] | undefined;
  private readonly reviveSlotArgs: readonly boolean[] | undefined;
  /** Child object properties (undefined when none): their current child source names. */
  readonly #childNames: (string | null)[] | undefined;
  /** Children made so far (names them: each replacement gets a new name). */
  #childCount = 0;
  /** Where this source's fanned-out frames are laid down once for all its listeners. */
  #arena: FrameArena | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly api: ApiDescription,
    readonly object: object,
    private readonly childHost?: ChildHost,
    /** A hidden child source (the value of a parent's child property). */
    readonly isChild = false,
  ) {
    this.propertyWhat = api.properties.map((p) => `property "${p.name}" of source "${name}"`);
    this.signalWhat = api.signals.map((s) => (i: number) => `argument ${i + 1} of signal "${s.name}" of source "${name}"`);
    const props = api.properties.map((p) => needsRevive(p.type));
    this.instanceProperties = props.some(Boolean) ? props : undefined;
    const slots = api.slots.map((s) => s.params.some((p) => needsRevive(p.type)));
    this.reviveSlotArgs = slots.some(Boolean) ? slots : undefined;
    this.#childNames = api.properties.some((p) => isChildType(p.type)) ? api.properties.map(() => null) : undefined;
    adoptProperties(object, api.properties.map((p) => p.name));
    addSourceObserver(object, this);
  }

  get info(): SourceInfoMessage {
    const info: SourceInfoMessage = { id: this.id, name: this.name, typeName: this.api.typeName, signature: this.api.signature };
    if (this.isChild) info.child = true;
    return info;
  }

  /** Remotes the children the object holds already (called once the binding is registered). */
  attachInitialChildren(warn: (message: string, error: unknown) => void): void {
    if (!this.#childNames || !this.childHost) return;
    for (const p of this.api.properties) {
      if (!isChildType(p.type)) continue;
      const value = readSourceValue(this.object, p.name);
      if (value === null || value === undefined) continue;
      try {
        this.childHost.attachChild(this, p, value);
      } catch (err) {
        warn(`child "${p.name}" of source "${this.name}" is not remoted`, err);
      }
    }
  }

  /** True if the API has child object properties. */
  get hasChildren(): boolean {
    return this.#childNames !== undefined;
  }

  /** Records the child source a child property now holds (null for none); returns the one it held. */
  swapChild(index: number, name: string | null): string | null {
    const names = this.#childNames!;
    const old = names[index] ?? null;
    names[index] = name;
    return old;
  }

  /** A name for a new child of property `prop`, never given before by this binding. */
  nextChildName(prop: string): string {
    return `${this.name}/${prop}#${++this.#childCount}`;
  }

  /** The child sources this binding's properties hold, forgetting them all. */
  takeChildren(): string[] {
    const names = this.#childNames;
    if (!names) return [];
    const held = names.filter((n): n is string => n !== null);
    names.fill(null);
    return held;
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

  /**
   * The Init packet for a new (or re-acquiring) listener; `streamSeq`, for a node reading a
   * shared stream, is that stream's last number at the moment of this snapshot.
   */
  initPacket(wantDefinition: boolean, streamSeq?: number): Uint8Array {
    const values = this.api.properties.map((p) => {
      const what = `property "${p.name}" of source "${this.name}"`;
      if (this.#childNames && isChildType(p.type)) return encodeValue(this.#childNames[p.index] ?? null, what);
      let value = readSourceValue(this.object, p.name);
      if (this.instanceProperties?.[p.index]) {
        // Stored as instances of value types: sent as the plain objects they stand for. A value
        // that does not fit (a property never assigned) is left for the encoder to judge.
        try {
          value = conformValue(p.type, value, what);
        } catch {
          // as is
        }
      }
      return encodeValue(value, what);
    });
    return encodePacket({
      init: { source: this.id, values, definition: wantDefinition ? apiToMessage(this.api) : null, streamSeq: streamSeq ?? null },
    });
  }

  // SourceObserver: called by the @Property accessor before it stores the value. Encoding here
  // means an uncarriable value throws to the code that set it and nothing is stored or sent.
  propertyChanged(name: string, value: unknown): void {
    const prop = this.api.propertyByName.get(name);
    if (!prop) return; // declared on a subclass of the API class: not remoted
    // A child object travels as the name of the child source the host remotes it under.
    if (this.#childNames && isChildType(prop.type)) {
      value = this.childHost ? this.childHost.attachChild(this, prop, value) : null;
    }
    // Encoded even without listeners: that is the check that the value can be carried at all.
    const bytes = encodePropertyChange(this.id, prop.index, value, this.propertyWhat[prop.index]!);
    if (this.listeners.length > 0) this.broadcast(bytes, propertyKey(this.id, prop.index));
  }

  signalEmitted(name: string, args: readonly unknown[]): void {
    const signal = this.api.signalByName.get(name);
    if (!signal) return;
    const what = this.signalWhat[signal.index]!;
    if (args.length !== signal.params.length) checkArgumentCount(signal.params.length, args.length, `signal "${name}"`);
    // Arguments of the declared type as they are (the common case) are sent as they are: no
    // array, and no argument name built, per emission.
    const params = signal.params;
    let conformed = args;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      const type = params[i]!.type;
      if (conformsAsIs(type, arg)) continue;
      const v = conformValue(type, arg, what(i));
      if (v === arg) continue;
      if (conformed === args) conformed = args.slice();
      (conformed as unknown[])[i] = v;
    }
    const bytes = encodeSignal(this.id, signal.index, conformed, what);
    if (this.listeners.length > 0) this.broadcast(bytes, -1);
  }

  // One copy for every listener (their queues refer to it); a listener that cannot share
  // (a transport's shared stream) gets the bytes.
  private broadcast(bytes: Uint8Array, key: number): void {
    const frame = (this.#arena ??= new FrameArena()).place(bytes);
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      const l = listeners[i]!;
      if (l.sendShared !== undefined) l.sendShared(frame, key);
      else l.sendEncoded(bytes);
    }
  }

  /**
   * Runs a slot for a replica. Refusals (unknown slot, argument count or type) and what the slot
   * throws come back as errors; `done` is called exactly once, synchronously for a slot that
   * returns a plain value, after settling for one that returns a promise.
   */
  invoke(
    index: number,
    args: readonly unknown[],
    done: (outcome: CallOutcome | StreamOutcome) => void,
    caller?: object,
    served?: ServedCall,
  ): void {
    const slot = this.api.slots[index];
    if (!slot) {
      done({ error: errorInfo(new UsageError('UNKNOWN_MEMBER', `source "${this.name}" has no slot #${index}`)) });
      return;
    }
    let result: unknown;
    const previous = swapCaller(caller);
    try {
      let values = this.conformArguments(slot, args);
      if (this.reviveSlotArgs?.[index]) values = values.map((v, i) => reviveValue(slot.params[i]!.type, v));
      const fn = (this.object as Record<string, unknown>)[slot.name] as (...a: unknown[]) => unknown;
      result = served === undefined ? fn.apply(this.object, values as unknown[]) : runServing(served, () => fn.apply(this.object, values as unknown[]));
    } catch (err) {
      done({ error: errorInfo(err) });
      return;
    } finally {
      swapCaller(previous);
    }
    const settle = slot.stream === true ? (value: unknown) => done(this.streamOutcome(slot, value)) : (value: unknown) => done(this.replyValue(slot, value));
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(settle, (err: unknown) => done({ error: errorInfo(err) }));
    } else {
      settle(result);
    }
  }

  /** A stream slot's result: its iterator, or an error if it is not iterable. */
  private streamOutcome(slot: MethodDescription, value: unknown): StreamOutcome | CallOutcome {
    const v = value as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; [Symbol.iterator]?: () => Iterator<unknown> } | null;
    let stream: AsyncIterator<unknown> | Iterator<unknown> | undefined;
    try {
      if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
        if (typeof v[Symbol.asyncIterator] === 'function') stream = v[Symbol.asyncIterator]!();
        else if (typeof v[Symbol.iterator] === 'function' && typeof v !== 'string') stream = v[Symbol.iterator]!();
      }
    } catch (err) {
      return { error: errorInfo(err) };
    }
    if (!stream) {
      return {
        error: errorInfo(new UsageError('TYPE_MISMATCH', `stream slot "${slot.name}" of source "${this.name}" returned ${describeKind(value)}, not an async iterable`)),
      };
    }
    const type = slot.returns;
    const what = `an item of stream slot "${slot.name}" of source "${this.name}"`;
    return { stream, what, conformItem: (item) => (conformsAsIs(type, item) ? item : conformValue(type, item, what)) };
  }

  /** Applies a replica's property set. Throws a UsageError if it is refused. */
  setProperty(index: number, value: ValueMessage | null | undefined): void {
    const prop = this.api.properties[index];
    if (!prop) throw new UsageError('UNKNOWN_MEMBER', `source "${this.name}" has no property #${index}`);
    if (prop.readonly) throw new UsageError('READONLY', `property "${prop.name}" of source "${this.name}" ${readonlyReason(prop)}`);
    const decoded = conformValue(prop.type, decodeValue(value ?? {}), `property "${prop.name}"`);
    const validate = propertyHooksOf(this.object, prop.name)?.validate as ((this: object, v: unknown) => void) | undefined;
    if (validate) validate.call(this.object, this.instanceProperties?.[index] ? reviveValue(prop.type, decoded) : decoded);
    (this.object as Record<string, unknown>)[prop.name] = decoded;
  }

  private conformArguments(slot: MethodDescription, args: readonly unknown[]): readonly unknown[] {
    checkArgumentRange(slot.required, slot.params.length, args.length, `slot "${slot.name}" of source "${this.name}"`);
    let out: unknown[] | undefined;
    for (let i = 0; i < args.length; i++) {
      const type = slot.params[i]!.type;
      if (conformsAsIs(type, args[i])) continue;
      const v = conformValue(type, args[i], `argument ${i + 1} of slot "${slot.name}" of source "${this.name}"`);
      if (v !== args[i]) (out ??= [...args])[i] = v;
    }
    return out ?? args;
  }

  private replyValue(slot: MethodDescription, value: unknown): CallOutcome {
    const what = `return value of slot "${slot.name}" of source "${this.name}"`;
    try {
      return { value: conformsAsIs(slot.returns, value) ? value : conformValue(slot.returns, value, what), what };
    } catch (err) {
      return { error: errorInfo(err) };
    }
  }
}

