// The sources one host remotes: each SourceBinding by name and by the id the wire uses, ids
// handed out once and never reused while the host lives, and the SourceList packet a newly
// admitted connection receives.

import type { ApiDescription } from '../api/api-description';
import type { PacketMessage } from '../protocol/messages';
import { SourceBinding, type ChildHost } from './source-binding';
import { modelInternals } from '../model/list-model';
import { ModelBinding } from './model-binding';

export class SourceTable {
  readonly #byName = new Map<string, SourceBinding>();
  readonly #byId = new Map<number, SourceBinding>();
  #nextId = 1;

  /** Makes and registers the binding of `object` under `name` (which must be free). */
  add(name: string, api: ApiDescription, object: object, childHost: ChildHost, child: boolean): SourceBinding {
    // A model (ListModel) serves rows rather than property values.
    const binding = modelInternals(object)
      ? new ModelBinding(this.#nextId++, name, object, childHost, child)
      : new SourceBinding(this.#nextId++, name, api, object, childHost, child);
    this.#byName.set(name, binding);
    this.#byId.set(binding.id, binding);
    return binding;
  }

  /** Unregisters a binding; false if it is not (or no longer) registered. */
  remove(binding: SourceBinding): boolean {
    if (this.#byId.get(binding.id) !== binding) return false;
    this.#byName.delete(binding.name);
    this.#byId.delete(binding.id);
    return true;
  }

  has(binding: SourceBinding): boolean {
    return this.#byId.get(binding.id) === binding;
  }

  byName(name: string): SourceBinding | undefined {
    return this.#byName.get(name);
  }

  byId(id: number): SourceBinding | undefined {
    return this.#byId.get(id);
  }

  /** The binding remoting `object`, if any. */
  holding(object: unknown): SourceBinding | undefined {
    for (const b of this.#byId.values()) if (b.object === object) return b;
    return undefined;
  }

  values(): IterableIterator<SourceBinding> {
    return this.#byId.values();
  }

  sourceListPacket(): PacketMessage {
    return { sourceList: { sources: [...this.#byId.values()].map((b) => b.info) } };
  }

  /** Disposes and forgets every binding (the host closes). */
  clear(): void {
    for (const b of this.#byId.values()) b.dispose();
    this.#byId.clear();
    this.#byName.clear();
  }
}
