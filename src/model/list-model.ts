// ListModel: the source side of a replicated list (QtRO's QAbstractItemModel / QAbstractListModel
// remoted with enableRemoting). An ordered list of rows of one wire type, changed only through
// its operations, so that every change is known as what it is (rows inserted, removed, moved,
// changed, or all replaced) and travels as that delta rather than as the list. Each operation
// checks its rows against the row type and its indices against the list before anything
// changes: a refused operation throws (TYPE_MISMATCH, OUT_OF_RANGE) and changes nothing.
//
// Observers (the hosts that remote the model) hear of an operation synchronously, after the
// rows are in place; then local listeners get the same event.

import { conformValue, needsRevive, reviveValue } from '../api/conform';
import { modelApi, OWN_API } from '../api/model-type';
import type { ApiDescription } from '../api/api-description';
import { normalizeType, wireTypeLabel, type TypeSpec, type WireType } from '../api/wire-type';
import { UsageError } from '../errors';
import { EventHub } from '../util/emitter';
import { consoleLogger, type Logger } from '../util/logger';

/** Options of `new ListModel(rowType, options)`. */
export interface ListModelOptions {
  /** Replicas may not set rows (their `set` is refused with READONLY). Default false. */
  readonly readonly?: boolean;
  /** Where a local listener that throws is reported. Default: stderr. */
  readonly logger?: Logger;
}

/** Events of a model, at the source and on its replicas; each carries its operation's arguments. */
export interface ListModelEvents {
  /** Rows `start` .. `start + count - 1` were inserted. */
  rowsInserted: (start: number, count: number) => void;
  /** `count` rows from `start` were removed. */
  rowsRemoved: (start: number, count: number) => void;
  /** `count` rows from `start` moved to `destination` (an index in the model as it was before). */
  rowsMoved: (start: number, count: number, destination: number) => void;
  /** Rows `start` .. `start + count - 1` were replaced (on a replica: or arrived from a fetch). */
  rowsChanged: (start: number, count: number) => void;
  /** Every row was replaced. */
  modelReset: () => void;
}

/** @internal Told of every operation, after the rows are in place. */
export interface ModelObserver {
  rowsInserted(start: number, count: number): void;
  rowsRemoved(start: number, count: number): void;
  rowsMoved(start: number, count: number, destination: number): void;
  rowsChanged(start: number, count: number): void;
  modelReset(): void;
}

/** @internal What the host side reads of a model. */
export interface ModelInternals {
  readonly rows: readonly unknown[];
  readonly rowType: WireType;
  readonly readonly: boolean;
  readonly observers: Set<ModelObserver>;
  /** A row as it travels (value type instances as plain objects). */
  wireRow(row: unknown): unknown;
  /** Applies a replica's set (checked like set()). */
  setFromReplica(index: number, row: unknown): void;
}

const internals = new WeakMap<object, ModelInternals>();

/** @internal */
export function modelInternals(model: object): ModelInternals | undefined {
  return internals.get(model);
}

function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * A replicated list (QtRO's QAbstractItemModel, as a list): rows of one wire type, changed with
 * array-like operations, each replicated as one event. Remote it as a source of its own
 * (`host.enableRemoting(model, name)`) or as a `@Property({ model: T })` of one; nodes read it
 * through a ModelReplica.
 */
export class ListModel<T = unknown> implements Iterable<T> {
  #rows: T[] = [];
  readonly #rowType: WireType;
  readonly #readonly: boolean;
  readonly #revive: boolean;
  readonly #what: string;
  readonly #observers = new Set<ModelObserver>();
  readonly #events: EventHub;

  /**
   * A model whose rows are of `rowType`: a `@ValueType` class (its fields are the columns), a
   * wire type (`'string'`, `{ object: {...} }`...) or any other TypeSpec.
   */
  constructor(rowType: TypeSpec | (abstract new (...args: never[]) => T), options: ListModelOptions = {}) {
    try {
      this.#rowType = normalizeType(rowType);
    } catch (err) {
      throw new UsageError('DECLARATION_INVALID', `ListModel: invalid row type: ${(err as Error).message}`);
    }
    if (this.#rowType === 'void') throw new UsageError('DECLARATION_INVALID', 'ListModel: rows cannot be void');
    this.#readonly = options.readonly === true;
    this.#revive = needsRevive(this.#rowType);
    this.#what = `row of ListModel<${wireTypeLabel(this.#rowType)}>`;
    this.#events = new EventHub(options.logger ?? consoleLogger);
    const self = this;
    internals.set(this, {
      get rows() {
        return self.#rows;
      },
      rowType: this.#rowType,
      readonly: this.#readonly,
      observers: this.#observers,
      wireRow: (row) => (this.#revive ? conformValue(this.#rowType, row, this.#what) : row),
      setFromReplica: (index, row) => this.set(index, row as T),
    });
  }

  /** @internal The API a model source presents (its row type): see src/api/model-type.ts. */
  get [OWN_API](): ApiDescription {
    return modelApi(this.#rowType);
  }

  /** The row type, resolved. */
  get rowType(): WireType {
    return this.#rowType;
  }

  /** True if replicas may not set rows. */
  get readonly(): boolean {
    return this.#readonly;
  }

  /** Number of rows. */
  get length(): number {
    return this.#rows.length;
  }

  /** Row `index` (negative counts from the end), or undefined outside the model. */
  at(index: number): T | undefined {
    return this.#rows.at(index);
  }

  /** The rows, in order. */
  [Symbol.iterator](): Iterator<T> {
    return this.#rows[Symbol.iterator]();
  }

  /** A copy of the rows. */
  toArray(): T[] {
    return this.#rows.slice();
  }

  /** Appends rows; one `rowsInserted(length, rows.length)`. Returns the new length. */
  push(...rows: T[]): number {
    this.insert(this.#rows.length, ...rows);
    return this.#rows.length;
  }

  /** Inserts rows before row `index` (0..length). */
  insert(index: number, ...rows: T[]): void {
    this.#checkIndex(index, this.#rows.length, 'insert at');
    if (rows.length === 0) return;
    const checked = rows.map((r) => this.#conform(r));
    if (index === this.#rows.length) for (const r of checked) this.#rows.push(r);
    else this.#rows.splice(index, 0, ...checked);
    for (const o of this.#observers) o.rowsInserted(index, checked.length);
    this.#events.fire('rowsInserted', index, checked.length);
  }

  /** Removes `count` rows from `start`; returns them. */
  remove(start: number, count = 1): T[] {
    this.#checkRange(start, count, 'remove');
    if (count === 0) return [];
    const removed = this.#rows.splice(start, count);
    for (const o of this.#observers) o.rowsRemoved(start, count);
    this.#events.fire('rowsRemoved', start, count);
    return removed;
  }

  /**
   * Moves `count` rows from `start` to before row `destination`, an index of the list as it is
   * before the move (QtRO's beginMoveRows): `move(0, 1, 3)` on [a, b, c, d] gives [b, c, a, d].
   * A destination inside [start, start + count] changes nothing (no event).
   */
  move(start: number, count: number, destination: number): void {
    this.#checkRange(start, count, 'move');
    this.#checkIndex(destination, this.#rows.length, 'move to');
    if (count === 0 || (destination >= start && destination <= start + count)) return;
    const moving = this.#rows.splice(start, count);
    const at = destination > start ? destination - count : destination;
    this.#rows.splice(at, 0, ...moving);
    for (const o of this.#observers) o.rowsMoved(start, count, destination);
    this.#events.fire('rowsMoved', start, count, destination);
  }

  /** Replaces row `index`; one `rowsChanged(index, 1)`. */
  set(index: number, row: T): void {
    this.#checkIndex(index, this.#rows.length - 1, 'set');
    this.#rows[index] = this.#conform(row);
    for (const o of this.#observers) o.rowsChanged(index, 1);
    this.#events.fire('rowsChanged', index, 1);
  }

  /** Replaces every row (QtRO's model reset); one `modelReset`. */
  replace(rows: Iterable<T>): void {
    const checked = Array.from(rows, (r) => this.#conform(r));
    this.#rows = checked;
    for (const o of this.#observers) o.modelReset();
    this.#events.fire('modelReset');
  }

  /** Listens to the model's own changes (made at the source, by it or by replicas' sets). */
  on<E extends keyof ListModelEvents>(event: E, fn: ListModelEvents[E]): this {
    this.#events.on(event, fn);
    return this;
  }

  /** Listens to the next occurrence of an event only. */
  once<E extends keyof ListModelEvents>(event: E, fn: ListModelEvents[E]): this {
    this.#events.once(event, fn);
    return this;
  }

  /** Stops listening (`fn` as given to `on` or `once`). */
  off<E extends keyof ListModelEvents>(event: E, fn: ListModelEvents[E]): this {
    this.#events.off(event, fn);
    return this;
  }

  #conform(row: unknown): T {
    const conformed = conformValue(this.#rowType, row, this.#what);
    return (this.#revive ? reviveValue(this.#rowType, conformed) : conformed) as T;
  }

  #checkIndex(index: number, max: number, what: string): void {
    if (!isIndex(index) || index > max) {
      throw new UsageError('OUT_OF_RANGE', `ListModel: cannot ${what} row ${String(index)} of a model of ${this.#rows.length} rows`);
    }
  }

  #checkRange(start: number, count: number, what: string): void {
    if (!isIndex(start) || !isIndex(count) || start + count > this.#rows.length) {
      throw new UsageError(
        'OUT_OF_RANGE',
        `ListModel: cannot ${what} ${String(count)} rows from ${String(start)} in a model of ${this.#rows.length} rows`,
      );
    }
  }
}

