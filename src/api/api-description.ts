// The resolved remote API of a class: the ordered lists of properties, signals and slots with
// their wire types, and the signature over them. Sources, typed replicas and dynamic replicas all
// work from this one shape; indices into these lists are what travels on the wire.

import type { WireType } from './wire-type';

/**
 * Who may change a property (see docs/object-model.md, "Property modes"):
 * - `writable`: replicas' sets are forwarded to the source (QtRO READWRITE);
 * - `readonly`: only the source changes it (QtRO READONLY);
 * - `constant`: set by the source before it is remoted, never changed after (QtRO CONSTANT);
 * - `sourceOnlySetter`: replicas cannot set it, but may ask the source to through the generated
 *   slot `push<Name>(value)` (QtRO READPUSH / SOURCEONLYSETTER).
 */
export type PropertyMode = 'writable' | 'readonly' | 'constant' | 'sourceOnlySetter';

/** The slot a `sourceOnlySetter` property gets: `inkLevel` -> `pushInkLevel`. */
export function pushSlotName(property: string): string {
  return `push${property.charAt(0).toUpperCase()}${property.slice(1)}`;
}

/** Why replicas may not set a property, for READONLY errors: `is readonly`, `is constant`... */
export function readonlyReason(prop: { readonly name: string; readonly mode: PropertyMode }): string {
  switch (prop.mode) {
    case 'constant':
      return 'is constant';
    case 'sourceOnlySetter':
      return `is set by the source only; call ${pushSlotName(prop.name)}(value) to ask it`;
    default:
      return 'is readonly';
  }
}

/** A property of a remote API (`@Property`), as both sides see it. */
export interface PropertyDescription {
  /** The member's name; replicas emit `<name>Changed`. */
  readonly name: string;
  /** Position among the API's properties: what identifies it on the wire. */
  readonly index: number;
  /** Its wire type. */
  readonly type: WireType;
  /** Replicas may not set it directly: true for every mode but `writable`. */
  readonly readonly: boolean;
  /** Who may change it. */
  readonly mode: PropertyMode;
  /**
   * A typed replica keeps its last value in the node's persisted store and starts from it.
   * Replica-side only: not part of the signature, not sent to dynamic replicas.
   */
  readonly persisted?: boolean;
}

/** A parameter of a signal or slot. */
export interface ParamDescription {
  /** Best effort, read from the function's source text; not part of the signature. */
  readonly name: string;
  /** Its wire type. */
  readonly type: WireType;
}

/** A signal (`@Signal`) or slot (`@Slot`) of a remote API. */
export interface MethodDescription {
  /** The method's name: the event name of a signal, the method a replica calls for a slot. */
  readonly name: string;
  /** Position among the API's signals (or slots): what identifies it on the wire. */
  readonly index: number;
  /** Its parameters, in order. */
  readonly params: readonly ParamDescription[];
  /** Arguments that must be given; the rest (optional or defaulted parameters) may be left out. */
  readonly required: number;
  /** What a slot resolves with (for a stream slot, the type of each item); `void` for signals. */
  readonly returns: WireType;
  /** A stream slot (`@Slot({ returns: { stream: T } })`): the call is consumed with `for await`. */
  readonly stream?: boolean;
}

/**
 * The resolved remote API of a class (or of a source, as a dynamic replica learns it: `dyn.api`):
 * its members in wire order, with lookups by name and the signature over them.
 */
export interface ApiDescription {
  /** The `@RemoteObjectType` name. */
  readonly typeName: string;
  /** Hex SHA-256 over names, kinds, types and order of the members (src/api/signature.ts). */
  readonly signature: string;
  /** The properties, in declaration order (their index). */
  readonly properties: readonly PropertyDescription[];
  /** The signals, in declaration order. */
  readonly signals: readonly MethodDescription[];
  /** The slots, in declaration order. */
  readonly slots: readonly MethodDescription[];
  /** The properties by name. */
  readonly propertyByName: ReadonlyMap<string, PropertyDescription>;
  /** The signals by name. */
  readonly signalByName: ReadonlyMap<string, MethodDescription>;
  /** The slots by name. */
  readonly slotByName: ReadonlyMap<string, MethodDescription>;
}

/** Builds the lookup maps and the signature for member lists already in wire order. */
export function makeApiDescription(
  typeName: string,
  properties: readonly PropertyDescription[],
  signals: readonly MethodDescription[],
  slots: readonly MethodDescription[],
  signature: string,
): ApiDescription {
  return {
    typeName,
    signature,
    properties,
    signals,
    slots,
    propertyByName: new Map(properties.map((p) => [p.name, p])),
    signalByName: new Map(signals.map((s) => [s.name, s])),
    slotByName: new Map(slots.map((s) => [s.name, s])),
  };
}
