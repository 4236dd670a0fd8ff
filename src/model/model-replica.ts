// ModelReplica: a node's view of a remoted ListModel (QtRO's QAbstractItemModelReplica), from
// `node.acquireModel(name, options)` or a model property of a replica. It knows the row count
// from initialization on, shows rows it has cached (`row(i)`: a miss schedules a fetch, batched
// with neighbouring misses, and `rowsChanged` tells when the rows arrive), fetches ranges on
// demand, forwards `set` to the source, and re-emits the source's row operations as events with
// the operations' own arguments. Handles of one model in one node share one cache and one
// subscription (ModelCore).
//
// Platform-free: no Node.js modules.

import { normalizeType, type WireType } from '../api/wire-type';
import type { ApiDescription } from '../api/api-description';
import { modelApi, type ModelReplicaOptions } from '../api/model-type';
import { NotValidError, UsageError } from '../errors';
import type { ReplicaCore } from '../replica/replica-core';
import { ReplicaHandle } from '../replica/replica-handle';
import { ReplicaView, type ReplicaOwner } from '../replica/replica-view';
import type { ReplicaState } from '../replica/replica-state';
import { DEFAULT_CACHE_SIZE, modelCoreOf, type ModelCore, type ModelHandleSink } from './model-core';
import { rowFieldNames } from './row-fields';

export type { ModelReplicaOptions } from '../api/model-type';

/** Options of `modelReplica.fetch(start, count, options)`. */
export interface ModelFetchOptions {
  /** Only these fields of each row (the rows are then not cached unless they are the replica's `fields`). */
  readonly fields?: readonly string[];
}

/** Events of a model replica: the row operations, and the replica lifecycle. */
export interface ModelReplicaEvents {
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
  /** The source's row count arrived (first time, and again after every reconnection). */
  initialized: () => void;
  /** `state` changed. */
  stateChanged: (state: ReplicaState, oldState: ReplicaState) => void;
}

function nonNegativeInt(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError('TYPE_MISMATCH', `acquireModel: ${what} must be a non-negative integer, got ${String(value)}`);
  return value;
}

/** @internal The view behind a model replica: its options, and its part in the shared ModelCore. */
export class ModelView extends ReplicaView {
  readonly model: ModelCore;
  readonly sink: ModelHandleSink;

  /** The API of a model of the expected row type, when one was given. */
  readonly #expected: ApiDescription | undefined;

  constructor(core: ReplicaCore, owner: ReplicaOwner, options: ModelReplicaOptions = {}) {
    super(core, owner);
    let localRowType: WireType | undefined;
    if (options.rowType !== undefined) {
      try {
        localRowType = normalizeType(options.rowType);
      } catch (err) {
        throw new UsageError('DECLARATION_INVALID', `acquireModel: invalid rowType: ${(err as Error).message}`);
      }
    }
    this.#expected = localRowType === undefined ? undefined : modelApi(localRowType);
    const fields = options.fields === undefined ? undefined : [...options.fields];
    if (fields && (fields.length === 0 || fields.some((f) => typeof f !== 'string'))) {
      throw new UsageError('TYPE_MISMATCH', 'acquireModel: fields must be a non-empty list of field names');
    }
    this.sink = {
      cacheSize: nonNegativeInt(options.cacheSize, DEFAULT_CACHE_SIZE, 'cacheSize'),
      prefetch: nonNegativeInt(options.prefetch, 0, 'prefetch'),
      fields,
      localRowType,
      deliver: (event, ...args) => {
        if (this.state !== 'signatureMismatch') this.events.fire(event, ...args);
      },
    };
    this.model = modelCoreOf(core);
    this.model.handles.add(this.sink);
  }

  get classApi(): ApiDescription | undefined {
    return this.#expected;
  }

  /** A model's source answers an Acquire with its rows, not a definition: its mismatch is not explained. */
  protected override get explainsMismatch(): boolean {
    return false;
  }

  snapshot(): readonly unknown[] | undefined {
    return this.core.initialized ? this.core.values : undefined;
  }

  override release(): void {
    if (this.released) return;
    this.model.handles.delete(this.sink);
    super.release();
    if (this.model.handles.size === 0) this.model.fail(new NotValidError(`model replica "${this.name}" was released`));
  }

  override refreshState(): void {
    super.refreshState();
    if (this.state !== 'valid') this.model.fail(new NotValidError(`model "${this.name}" is ${this.state}: the reply will not come`));
  }

  requireValid(action: string): void {
    if (this.released) throw new NotValidError(`model replica "${this.name}" was released: cannot ${action}`);
    if (this.state !== 'valid' || !this.model.initialized) throw new NotValidError(`model replica "${this.name}" is ${this.state}, not valid: cannot ${action}`);
  }
}

/**
 * A replica of a ListModel (`node.acquireModel(name)`, or a model property of a replica): the
 * row count, a cache of rows fetched on demand (`row`, `fetch`), and the model's events.
 */
export class ModelReplica<T = unknown> extends ReplicaHandle {
  readonly #view: ModelView;

  /** @internal Made by `Node.acquireModel`. */
  constructor(view: ModelView) {
    super(view);
    this.#view = view;
  }

  /** Rows in the source's model (known once initialized; 0 before). */
  get rowCount(): number {
    return this.#view.model.count;
  }

  /** The row type, as the source declared it (undefined before initialization). */
  get rowType(): WireType | undefined {
    return this.#view.model.initialized ? this.#view.model.rowType : undefined;
  }

  /** The columns: the fields of the row type (empty for rows that are not objects). */
  get columns(): string[] {
    const t = this.rowType;
    return t === undefined ? [] : [...(rowFieldNames(t) ?? [])];
  }

  /** True if the source refuses sets from replicas. */
  get readonly(): boolean {
    return this.#view.model.readonly;
  }

  /** The cache size this handle asked for. */
  get cacheSize(): number {
    return this.#view.sink.cacheSize;
  }

  /** Rows held in the cache now (shared by the handles of this model in this node). */
  get cachedRowCount(): number {
    return this.#view.model.cache.size;
  }

  /**
   * Row `index` if it is cached; else undefined, and it is fetched (with other misses of the
   * same turn): `rowsChanged` fires when it arrives.
   */
  row(index: number): T | undefined {
    return this.#view.model.row(index) as T | undefined;
  }

  /** True if row `index` is cached. */
  hasRow(index: number): boolean {
    return this.#view.model.cache.has(index);
  }

  /**
   * Rows [start, start + count), from the cache if all are there, else fetched (and cached). With
   * `fields`, only those fields of each row. Rejects with OUT_OF_RANGE outside `rowCount` and
   * NOT_VALID unless the replica is valid. Resolves with fewer rows if the model shrank meanwhile.
   */
  fetch(start: number, count: number, options: ModelFetchOptions = {}): Promise<T[]> {
    try {
      this.#view.requireValid(`fetch rows`);
      this.#view.model.checkRange(start, count, 'fetch');
      if (count === 0) return Promise.resolve([]);
      return this.#view.model.fetch(start, count, options.fields) as Promise<T[]>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Asks the source to set row `index` to `row`. Resolves once the source has applied it (the
   * change itself arrives as `rowsChanged` first); rejects with READONLY on a read-only model,
   * OUT_OF_RANGE outside `rowCount`, TYPE_MISMATCH for a row of the wrong type, or a RemoteError
   * carrying the host's code if the host refuses it.
   */
  set(index: number, row: T): Promise<void> {
    try {
      this.#view.requireValid(`set row ${String(index)}`);
      if (this.#view.model.readonly) throw new UsageError('READONLY', `model "${this.name}" is read-only`);
      this.#view.model.checkRange(index, 1, 'set');
      return this.#view.model.set(index, row);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Listens to a row event or a lifecycle event. */
  override on<E extends keyof ModelReplicaEvents>(event: E, fn: ModelReplicaEvents[E]): this {
    return super.on(event, fn);
  }

  /** Listens to the next occurrence of an event only. */
  override once<E extends keyof ModelReplicaEvents>(event: E, fn: ModelReplicaEvents[E]): this {
    return super.once(event, fn);
  }

  /** Stops listening (`fn` as given to `on` or `once`). */
  override off<E extends keyof ModelReplicaEvents>(event: E, fn: ModelReplicaEvents[E]): this {
    return super.off(event, fn);
  }
}
