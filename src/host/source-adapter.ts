// Source adapters (QtRO's generated `<Type>SourceAPI`): remote an object that is not decorated
// through a decorated API class that names what to expose. `adaptSource(Api, target, mapping)`
// makes an instance of a subclass of `Api` (so its signature is Api's and typed replicas of Api
// work) whose @Property values are read from the target, whose slots call the target's methods,
// and whose signals can be forwarded from the target's events. Members may be renamed (`from`)
// and converted (`toRemote` / `fromRemote`).
//
// The adapter's values are stored by Api's own @Property accessors, so the host sees an ordinary
// decorated source. The subclass overrides the accessors of the properties replicas may write
// (writable and sourceOnlySetter ones) to write through to the target, and the slot methods to
// call the target. Internal updates (from the target) go through Api's accessors directly.

import { pushSlotName, type ApiDescription, type PropertyDescription } from '../api/api-description';
import { conformValue } from '../api/conform';
import { apiOf, type AnyClass } from '../api/metadata';
import { DisconnectedError, UsageError } from '../errors';
import type { PropertyKeys, SignalKeys, SlotKeys } from '../replica/replica-types';
import { copyValue, MAX_COPY_DEPTH, prototypeChain } from '../util/objects';

// ---- types -------------------------------------------------------------------------------------

/** Names of `T`'s members whose values are functions. */
type FunctionKey<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;
/** Names of `T`'s members whose values are not functions. */
type ValueKey<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? never : K }[keyof T] & string;
/** `T[K]` if `T` has `K`, else unknown. */
type Member<T, K> = K extends keyof T ? T[K] : unknown;
/** The parameters of a method type. */
type ParamsOf<M> = M extends (...args: infer A) => unknown ? A : never;
/** What a method type returns, awaited. */
type ResultOf<M> = M extends (...args: never[]) => infer R ? Awaited<R> : unknown;

/** Conversions between a target member's value `T` and the API property's value `V`. */
export interface PropertyConversion<T, V> {
  /** The target's value as the API property's value. Default: as is. */
  readonly toRemote?: (value: T) => V;
  /** A value set from a replica (or on the adapter) as what is written to the target. Default: as is. */
  readonly fromRemote?: (value: V) => T;
}

/**
 * How API property `K` (value `V`) maps to the target: `from` names the target member (default:
 * `K`), with optional conversions typed after that member.
 */
export type PropertyMapping<Target, V, K> =
  | (PropertyConversion<Member<Target, K>, V> & {
      /** Left out: the target member of the property's own name. */
      readonly from?: undefined;
    })
  | {
      [F in ValueKey<Target>]: PropertyConversion<Target[F], V> & {
        /** The target member the property reads (and writes). */
        readonly from: F;
      };
    }[ValueKey<Target>];

/**
 * How API slot `K` (method type `M`) maps to the target: a function called with the target and
 * the slot's arguments, or `from`, the target method to call (default: `K`), with an optional
 * conversion of what it returns (awaited).
 */
export type SlotMapping<Target, M, K> =
  // (The `never` members let an object literal without `from` be typed by the variant below.)
  | (((target: Target, ...args: ParamsOf<M>) => ResultOf<M> | PromiseLike<ResultOf<M>>) & {
      /** Not with a function. */
      readonly from?: never;
      /** Not with a function. */
      readonly toRemote?: never;
    })
  | {
      /** Left out: the target method of the slot's own name. */
      readonly from?: undefined;
      /** What the target method returned (awaited) as the slot's result. Default: as is. */
      readonly toRemote?: (result: ResultOf<Member<Target, K>>) => ResultOf<M>;
    }
  | {
      [F in FunctionKey<Target>]: {
        /** The target method the slot calls. */
        readonly from: F;
        /** What the target method returned (awaited) as the slot's result. Default: as is. */
        readonly toRemote?: (result: ResultOf<Target[F]>) => ResultOf<M>;
      };
    }[FunctionKey<Target>];

/** Forwards a target event to an API signal. */
export interface SignalForwarding {
  /** The target's event; each time the target emits it, the adapter emits the signal. */
  readonly event: string | symbol;
  /**
   * The signal's arguments from the event's. Default: the event's arguments as they are.
   * Event arguments are not typed: annotate them, e.g. `args: (e: JamEvent) => [e.page, e.reason]`.
   * The result is checked against the signal's parameters when it is emitted (ARGUMENT_COUNT,
   * TYPE_MISMATCH, thrown to the code that made the target emit the event).
   */
  args?(...eventArgs: unknown[]): readonly unknown[];
}

/**
 * What `adaptSource` maps, by the API class's member names. Everything is optional.
 * (`P` and `S` are the names listed under `properties` and `slots`, inferred by `adaptSource`:
 * that is what lets TypeScript type conversions of members that are not renamed.)
 */
export interface SourceAdapterOptions<
  Api,
  Target,
  P = { readonly [K in PropertyKeys<Api>]?: unknown },
  S = { readonly [K in SlotKeys<Api>]?: unknown },
> {
  /** Renamed or converted properties; a property not listed reads the target member of its own name. */
  readonly properties?: { readonly [K in keyof P]: K extends PropertyKeys<Api> ? PropertyMapping<Target, Api[K], K> : never };
  /** Renamed, converted or hand-written slots; a slot not listed calls the target method of its own name. */
  readonly slots?: { readonly [K in keyof S]: K extends SlotKeys<Api> ? SlotMapping<Target, Api[K], K> : never };
  /** Signals emitted when the target emits an event; signals not listed are emitted only by calling them on the adapter. */
  readonly signals?: { readonly [K in SignalKeys<Api>]?: SignalForwarding };
  /**
   * The event by which the target announces that member `from` changed, if it has `on`/`off`
   * methods (an EventEmitter). Default: `` `${from}Changed` ``. `false`: do not listen; call
   * `refresh()` instead. Several properties may share one event (e.g. `() => 'change'`).
   */
  readonly changedEvent?: ((from: string) => string | symbol) | false;
}

/** What an adapter adds to the API class's members. */
export interface SourceAdapterControls {
  /**
   * Re-reads every property (but `constant` ones) from the target and applies what changed, so
   * replicas see it. For targets that do not announce their changes. Throws the first error a
   * conversion or a value's type check raised, after trying every property.
   */
  refresh(): void;
  /**
   * Removes every listener the adapter added to the target. After it the adapter no longer
   * touches the target: it keeps its last values, and slot calls, writes and `refresh()` throw
   * CLOSED. It stays remoted until `host.disableRemoting(adapter)`. Idempotent.
   */
  dispose(): void;
  /** `dispose()`, for `using`. */
  [Symbol.dispose](): void;
}

/** An instance of (a subclass of) the API class `Api` that mirrors a target object. */
export type SourceAdapter<Api> = Api & SourceAdapterControls;

// ---- runtime -----------------------------------------------------------------------------------

type Fn = (...args: unknown[]) => unknown;
type Bag = Record<PropertyKey, unknown>;

interface PropertyPlan {
  readonly prop: PropertyDescription;
  readonly from: string;
  readonly toRemote: ((v: unknown) => unknown) | undefined;
  readonly fromRemote: ((v: unknown) => unknown) | undefined;
  readonly base: { get: () => unknown; set: (v: unknown) => void };
}

/** Names the adapter takes for itself: an API member of one of these names cannot be adapted. */
const CONTROL_NAMES = ['refresh', 'dispose'] as const;

/**
 * `Target` as a type that inference does not draw from (TypeScript 5.4's NoInfer, written out so
 * that consumers on TypeScript 5.0-5.3 can read the declarations).
 */
type NoInferred<T> = [T][T extends unknown ? 0 : never];

/**
 * Makes `target`, an object that is not decorated, remotable with `api`'s API: the result is an
 * instance of a subclass of `api` (same type name and signature, so `node.acquire(api)` works)
 * to pass to `host.enableRemoting`.
 *
 * - Properties are read from `target[from]` (converted by `toRemote`) now, again whenever the
 *   target emits the member's change event (see `changedEvent`), on `refresh()`, and after every
 *   slot call and write. A property replicas may set (writable, or through a sourceOnlySetter's
 *   push slot) is written to the target (`fromRemote`, then `target[from] = value`), then re-read,
 *   so replicas see what the target actually holds.
 * - Slots call `target[from](...args)` (converting the awaited result by `toRemote`) or the given
 *   function `(target, ...args)`.
 * - Signals listed in `signals` are emitted when the target emits their event.
 *
 * A value that does not fit its declared type throws TYPE_MISMATCH where it was read: here, in
 * `refresh()`, or to the code that made the target emit its change event.
 *
 * @throws UsageError DECLARATION_INVALID when the target lacks a member the API needs (naming
 * each), a mapping names a member the API does not declare, a writable property maps to a target
 * member that cannot be assigned, signals are forwarded from a target without `on`/`off`, or the
 * API declares `refresh` or `dispose`.
 */
export function adaptSource<Api extends object, Target extends object, P = object, S = object>(
  api: abstract new () => Api,
  target: Target,
  options: SourceAdapterOptions<Api, NoInferred<Target>, P, S> = {},
): SourceAdapter<Api> {
  const description = apiOf(api as AnyClass);
  const cls = api.name || description.typeName;
  const invalid = (msg: string): UsageError => new UsageError('DECLARATION_INVALID', `adaptSource(${cls}): ${msg}`);
  if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
    throw invalid('the target must be an object');
  }
  const t = target as unknown as Bag;
  const clash = CONTROL_NAMES.filter((n) => declares(description, n));
  if (clash.length > 0) {
    throw invalid(`the API declares ${clash.map((n) => `"${n}"`).join(' and ')}, which an adapter uses for itself`);
  }
  const maps = {
    properties: (options.properties ?? {}) as Record<string, { from?: string; toRemote?: Fn; fromRemote?: Fn } | undefined>,
    slots: (options.slots ?? {}) as Record<string, Fn | { from?: string; toRemote?: Fn } | undefined>,
    signals: (options.signals ?? {}) as Record<string, { event: string | symbol; args?: Fn } | undefined>,
  };
  const unknownKeys = [
    ...Object.keys(maps.properties).filter((k) => !description.propertyByName.has(k)).map((k) => `properties.${k} (not a property of ${cls})`),
    ...Object.keys(maps.slots).filter((k) => !description.slotByName.has(k)).map((k) => `slots.${k} (not a slot of ${cls})`),
    ...Object.keys(maps.signals).filter((k) => !description.signalByName.has(k)).map((k) => `signals.${k} (not a signal of ${cls})`),
  ];
  if (unknownKeys.length > 0) throw invalid(`the mapping names members the API does not declare: ${unknownKeys.join(', ')}`);

  const problems: string[] = [];
  const properties: PropertyPlan[] = description.properties.map((prop) => {
    const m = maps.properties[prop.name] ?? {};
    const from = m.from ?? prop.name;
    const base = findAccessor(api.prototype as object, prop.name);
    if (!(from in t)) problems.push(`property "${prop.name}" reads target member "${from}", which the target does not have`);
    else if (typeof t[from] === 'function') problems.push(`property "${prop.name}" reads target member "${from}", which is a method`);
    else if (writesThrough(prop) && !assignable(t, from)) {
      problems.push(`${prop.mode} property "${prop.name}" writes target member "${from}", which cannot be assigned`);
    }
    return { prop, from, toRemote: m.toRemote, fromRemote: m.fromRemote, base };
  });
  const slots = description.slots.flatMap((slot) => {
    const m = maps.slots[slot.name];
    if (typeof m === 'function') return [{ name: slot.name, call: (args: unknown[]) => m(target, ...args) }];
    // A sourceOnlySetter's generated push slot assigns the property, which writes through.
    if (m === undefined && properties.some((p) => p.prop.mode === 'sourceOnlySetter' && pushSlotName(p.prop.name) === slot.name)) return [];
    const from = m?.from ?? slot.name;
    if (typeof t[from] !== 'function') {
      problems.push(`slot "${slot.name}" calls target method "${from}", which the target does not have`);
    }
    const toRemote = m?.toRemote;
    const call = (args: unknown[]): unknown => {
      const result = (t[from] as Fn).apply(target, args);
      if (!toRemote) return result;
      return isThenable(result) ? Promise.resolve(result).then(toRemote) : toRemote(result);
    };
    return [{ name: slot.name, call }];
  });
  const emitter = typeof t['on'] === 'function' && typeof t['off'] === 'function';
  const forwarded = Object.entries(maps.signals).flatMap(([name, m]) => (m ? [{ name, ...m }] : []));
  if (forwarded.length > 0 && !emitter) {
    problems.push(`signals ${forwarded.map((s) => `"${s.name}"`).join(', ')} are forwarded from target events, but the target has no on/off methods`);
  }
  for (const s of forwarded) {
    if (typeof s.event !== 'string' && typeof s.event !== 'symbol') problems.push(`signal "${s.name}": event must be a string or a symbol`);
  }
  if (problems.length > 0) throw invalid(`the target does not fit the API: ${problems.join('; ')}`);

  // ---- the adapter class and its one instance ----
  let adapter: object | undefined;
  let disposed = false;
  const alive = (): void => {
    if (disposed) throw new DisconnectedError(`the ${cls} source adapter is disposed`, 'CLOSED');
  };
  const sync = (p: PropertyPlan): void => {
    const raw = t[p.from];
    const next = p.toRemote ? p.toRemote(raw) : raw;
    // Conformed first (int64 numbers become bigints...), so that the comparison is with what
    // the adapter would store.
    const what = `property "${p.prop.name}" of ${cls} (from target member "${p.from}")`;
    const value = p.prop.type === 'any' ? next : conformValue(p.prop.type, next, what);
    if (sameContent(p.base.get.call(adapter), value, 0)) return;
    // A copy, so that a target that changes an array or object in place is seen to change.
    p.base.set.call(adapter, copyValue(value));
  };
  const live = properties.filter((p) => p.prop.mode !== 'constant');
  const syncAll = (list: readonly PropertyPlan[]): void => {
    let first: { error: unknown } | undefined;
    for (const p of list) {
      try {
        sync(p);
      } catch (error) {
        first ??= { error };
      }
    }
    if (first) throw first.error;
  };

  const syncQuietly = (): void => {
    if (disposed) return;
    try {
      syncAll(live);
    } catch {
      // the caller gets the slot's error
    }
  };

  const Base = api as unknown as new () => object;
  const Adapter = class extends Base {};
  Object.defineProperty(Adapter, 'name', { value: api.name }); // the type name of an API class without @RemoteObjectType
  const proto = Adapter.prototype as Bag;
  for (const p of properties) {
    if (!writesThrough(p.prop)) continue;
    Object.defineProperty(proto, p.prop.name, {
      configurable: true,
      enumerable: true,
      get(this: object): unknown {
        return p.base.get.call(this);
      },
      set(this: object, value: unknown): void {
        if (this !== adapter) {
          p.base.set.call(this, value); // Api's own initializers, while the adapter is made
          return;
        }
        alive();
        t[p.from] = p.fromRemote ? p.fromRemote(value) : value;
        syncAll(live);
      },
    });
  }
  for (const s of slots) {
    const method = {
      [s.name](this: object, ...args: unknown[]): unknown {
        alive();
        // Changes the slot made reach replicas before its reply, as with a decorated source. A
        // slot that failed may have changed something too: re-read, but report its own error.
        let result: unknown;
        try {
          result = s.call(args);
        } catch (err) {
          syncQuietly();
          throw err;
        }
        if (!isThenable(result)) {
          syncAll(live);
          return result;
        }
        return Promise.resolve(result).then(
          (value) => {
            if (!disposed) syncAll(live);
            return value;
          },
          (err: unknown) => {
            syncQuietly();
            throw err;
          },
        );
      },
    }[s.name]!;
    Object.defineProperty(proto, s.name, { configurable: true, writable: true, enumerable: false, value: method });
  }

  const listeners: { event: string | symbol; fn: Fn }[] = [];
  const controls: SourceAdapterControls = {
    refresh(): void {
      alive();
      syncAll(live);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const l of listeners.splice(0)) (t['off'] as Fn).call(target, l.event, l.fn);
    },
    [Symbol.dispose](): void {
      controls.dispose();
    },
  };
  for (const key of [...CONTROL_NAMES, Symbol.dispose] as const) {
    Object.defineProperty(proto, key, { configurable: true, writable: true, enumerable: false, value: controls[key] });
  }

  const instance = new Adapter();
  adapter = instance;
  for (const p of properties) sync(p); // constant ones too: the adapter is not remoted yet

  if (emitter) {
    const listen = (event: string | symbol, fn: Fn): void => {
      (t['on'] as Fn).call(target, event, fn);
      listeners.push({ event, fn });
    };
    if (options.changedEvent !== false) {
      const name = options.changedEvent ?? ((from: string): string => `${from}Changed`);
      const byEvent = new Map<string | symbol, PropertyPlan[]>();
      for (const p of live) {
        const event: unknown = name(p.from);
        if (typeof event !== 'string' && typeof event !== 'symbol') {
          throw invalid(`changedEvent("${p.from}") must return an event name, got ${String(event)}`);
        }
        byEvent.set(event, [...(byEvent.get(event) ?? []), p]);
      }
      // Listening starts only once every name is known: nothing to undo if one is invalid.
      for (const [event, list] of byEvent) listen(event, () => syncAll(list));
    }
    for (const s of forwarded) {
      const signal = (instance as Bag)[s.name] as Fn;
      listen(s.event, (...eventArgs: unknown[]) => {
        const args = s.args ? s.args(...eventArgs) : eventArgs;
        if (!Array.isArray(args)) throw new UsageError('TYPE_MISMATCH', `adaptSource(${cls}): args of signal "${s.name}" must return an array`);
        signal.apply(instance, args);
      });
    }
  }
  return instance as SourceAdapter<Api>;
}

// ---- helpers -----------------------------------------------------------------------------------

function declares(api: ApiDescription, name: string): boolean {
  return api.propertyByName.has(name) || api.signalByName.has(name) || api.slotByName.has(name);
}

/** Properties whose assignments on the adapter go to the target. */
function writesThrough(prop: PropertyDescription): boolean {
  return prop.mode === 'writable' || prop.mode === 'sourceOnlySetter';
}

/** The @Property accessor of `name`, from `proto` or its ancestors. */
function findAccessor(proto: object, name: string): PropertyPlan['base'] {
  for (const o of prototypeChain(proto)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d?.get && d.set) return { get: d.get, set: d.set };
  }
  throw new UsageError('DECLARATION_INVALID', `property "${name}" has no @Property accessor`);
}

/** Can `obj[key]` be assigned: a writable data property or an accessor with a setter. */
function assignable(obj: object, key: string): boolean {
  for (const o of prototypeChain(obj)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return 'value' in d ? d.writable === true : typeof d.set === 'function';
  }
  return Object.isExtensible(obj);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}


/**
 * Same carried content: primitives by Object.is, Dates by time, bytes, arrays, Maps and objects
 * (own enumerable keys, whatever their class) member by member.
 */
function sameContent(a: unknown, b: unknown, depth: number): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || depth > MAX_COPY_DEPTH) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.isBuffer(a) === Buffer.isBuffer(b) && Buffer.compare(a, b) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameContent(x, b[i], depth + 1));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    const bs = [...b];
    return [...a].every(([k, v], i) => sameContent(k, bs[i]![0], depth + 1) && sameContent(v, bs[i]![1], depth + 1));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameContent((a as Bag)[k], (b as Bag)[k], depth + 1));
}


