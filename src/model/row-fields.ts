// The columns of a model (QtRO's roles): the fields of its row type when rows are value types or
// object types; none for other rows.

import type { WireType } from '../api/wire-type';

/** Field names of a row type, in declaration order; undefined if rows are not objects. */
export function rowFieldNames(rowType: WireType): readonly string[] | undefined {
  if (typeof rowType !== 'object') return undefined;
  if ('valueType' in rowType) return Object.keys(rowType.fields);
  if ('object' in rowType) return Object.keys(rowType.object);
  if ('nullable' in rowType) return rowFieldNames(rowType.nullable);
  return undefined;
}
