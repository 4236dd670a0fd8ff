// Persisted properties on the node side: a typed replica's `persisted: true` properties start
// from what the node's PersistedStore restored, and every change to them is saved back, once
// per turn of the event loop however many changes it brought.

import type { ApiDescription } from '../api/api-description';
import type { PersistedStore } from '../persistence/persisted-store';
import type { ReplicaCore } from '../replica/replica-core';
import type { Logger } from '../util/logger';

export class PersistenceSaver {
  readonly #store: PersistedStore;
  readonly #logger: Logger;
  /** Saves scheduled for the end of this turn, and those under way. */
  readonly #scheduled = new Set<() => void>();
  readonly #pending = new Set<Promise<void>>();

  constructor(store: PersistedStore, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * Starting values of a typed handle of `api` on `core`: the class's defaults, with persisted
   * ones restored. Makes the core save its persisted properties from now on.
   */
  restore(core: ReplicaCore, api: ApiDescription, defaults: readonly unknown[]): readonly unknown[] {
    const indices = api.properties.filter((p) => p.persisted).map((p) => p.index);
    if (indices.length === 0) return defaults;
    if (!core.persisted) core.persistWith({ signature: api.signature, indices, save: this.#saver(core, api.signature, indices) });
    let restored: readonly unknown[] | undefined;
    try {
      restored = this.#store.restore(core.name, api.signature);
    } catch (err) {
      this.#logger.warn(`could not restore the persisted properties of "${core.name}"`, err);
    }
    if (!restored || restored.length !== indices.length) return defaults;
    const values = [...defaults];
    indices.forEach((index, k) => (values[index] = restored[k]));
    return values;
  }

  #saver(core: ReplicaCore, signature: string, indices: readonly number[]): () => void {
    const store = this.#store;
    let scheduled = false;
    const run = (): void => {
      if (!scheduled) return;
      scheduled = false;
      this.#scheduled.delete(run);
      const values = core.values;
      if (!values) return;
      const saving = new Promise<void>((resolve) => resolve(store.save(core.name, signature, indices.map((i) => values[i])))).catch(
        (err: unknown) => this.#logger.warn(`could not save the persisted properties of "${core.name}"`, err),
      );
      // settle() waits for it: a node closed is a node whose values are on disk.
      this.#pending.add(saving);
      void saving.then(() => this.#pending.delete(saving));
    };
    return () => {
      if (scheduled) return;
      scheduled = true;
      this.#scheduled.add(run);
      queueMicrotask(run);
    };
  }

  /**
   * Runs the saves scheduled for this turn and waits until every save is durable (the store's
   * flush(), where it has one): once a closing node has awaited it, a new node or process sees
   * the values.
   */
  async settle(): Promise<void> {
    for (const run of [...this.#scheduled]) run();
    await Promise.all([...this.#pending]);
    const flush = this.#store.flush;
    if (typeof flush !== 'function') return;
    try {
      await flush.call(this.#store);
    } catch (err) {
      this.#logger.warn('could not save the persisted properties before closing', err);
    }
  }
}
