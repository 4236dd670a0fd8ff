// Model types (QtRO's MODEL members): the API a model source presents and the child type a
// `@Property({ model: Row })` declares. A model is remoted as a source of type name
// `tsro.ListModel` whose API is one readonly property `list` of type `Row[]`: its signature thus
// covers the row type (and only the row type: whether the model is read-only is the source's
// choice, sent in ModelInit, not part of the contract). A model property is a child object of
// that type, so the parent's signature covers its row type too.

import { makeApiDescription, type ApiDescription, type PropertyDescription } from './api-description';
import { computeSignature } from './signature';
import { isChildType, sealType, type ChildTypeRef, type TypeSpec, type WireType } from './wire-type';

/** Type name of every model source. */
export const MODEL_TYPE_NAME = 'tsro.ListModel';

/**
 * Objects that present an API of their own rather than their class's (models): the API is read
 * from this symbol-keyed property before looking at decorators.
 */
export const OWN_API: unique symbol = Symbol.for('tsro.ownApi');

const apis = new WeakMap<object, ApiDescription>();
const scalarApis = new Map<string, ApiDescription>();

/** The API of a model source whose rows are of `rowType` (made once per resolved type). */
export function modelApi(rowType: WireType): ApiDescription {
  const cached = typeof rowType === 'string' ? scalarApis.get(rowType) : apis.get(rowType);
  if (cached) return cached;
  const rows: PropertyDescription = { name: 'list', index: 0, type: sealType({ array: rowType }), readonly: true, mode: 'readonly' };
  const api = makeApiDescription(MODEL_TYPE_NAME, [rows], [], [], computeSignature(MODEL_TYPE_NAME, [rows], [], []));
  if (typeof rowType === 'string') scalarApis.set(rowType, api);
  else apis.set(rowType, api);
  return api;
}

const rowTypes = new WeakMap<object, WireType>();

/** The child type of a model property with rows of `rowType`. */
export function modelChildType(rowType: WireType): ChildTypeRef {
  const api = modelApi(rowType);
  const t = sealType({ child: Object.freeze({ typeName: MODEL_TYPE_NAME, signature: api.signature }) });
  rowTypes.set(t, rowType);
  return t;
}

/** True if `t` is a model (a child of type tsro.ListModel). */
export function isModelType(t: WireType | undefined): t is ChildTypeRef {
  return isChildType(t) && t.child.typeName === MODEL_TYPE_NAME;
}

/** The row type a model property was declared with in this process (undefined if it came over the wire). */
export function modelRowType(t: ChildTypeRef): WireType | undefined {
  return rowTypes.get(t);
}

/** The API an object presents of its own (a model), if it does. */
export function ownApiOf(object: unknown): ApiDescription | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  return (object as { [OWN_API]?: ApiDescription })[OWN_API];
}

/** Options of `node.acquireModel` (here, below the replica layer, so every layer can name them). */
export interface ModelReplicaOptions {
  /** Rows fetched at initialization (and again after a reset), from row 0. Default 0. */
  readonly prefetch?: number;
  /** Most rows kept (QtRO's root cache size). Default 1000. */
  readonly cacheSize?: number;
  /**
   * Only these fields of each row are fetched and cached (QtRO's roles hint), for wide rows of
   * which a view shows a few columns. Default: whole rows.
   */
  readonly fields?: readonly string[];
  /**
   * The row type this code expects (a `@ValueType` class or any TypeSpec): a source whose rows are
   * of another type is a `signatureMismatch`; value type rows are shown as instances of their
   * class; sets are checked against it. Default: whatever the source declares (plain rows).
   */
  readonly rowType?: TypeSpec;
}
