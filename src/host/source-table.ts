// The sources one host remotes: each SourceBinding by name and by the id the wire uses, ids
// handed out once and never reused while the host lives, the SourceList packet a newly
// admitted connection receives, and the pages of it a node asks for when the list is too long to
// send whole.

import type { ApiDescription } from '../api/api-description';
import type { PacketMessage } from '../protocol/messages';
import { PAGE_SOURCES } from '../protocol/source-lists';
import { SourceBinding, type ChildHost } from './source-binding';
import { modelInternals } from '../model/list-model';
import { ModelBinding } from './model-binding';

export type SourceQueryMessage = NonNullable<PacketMessage['sourceQuery']>;

/** An upper bound of a SourceInfo's encoded size (UTF-16 units are at most 3 UTF-8 bytes). */
function infoSize(b: SourceBinding): number {
  return 24 + 3 * (b.name.length + b.api.typeName.length) + b.api.signature.length;
}

export class SourceTable {
  readonly #byName = new Map<string, SourceBinding>();
  readonly #byId = new Map<number, SourceBinding>();
  /** The binding of each remoted object: enabling the n-th source must not scan the others. */
  readonly #byObject = new WeakMap<object, SourceBinding>();
  #nextId = 1;

  /** Makes and registers the binding of `object` under `name` (which must be free). */
  add(name: string, api: ApiDescription, object: object, childHost: ChildHost, child: boolean): SourceBinding {
    // A model (ListModel) serves rows rather than property values.
    const binding = modelInternals(object)
      ? new ModelBinding(this.#nextId++, name, object, childHost, child)
      : new SourceBinding(this.#nextId++, name, api, object, childHost, child);
    this.#byName.set(name, binding);
    this.#byId.set(binding.id, binding);
    this.#byObject.set(object, binding);
    return binding;
  }

  /** Unregisters a binding; false if it is not (or no longer) registered. */
  remove(binding: SourceBinding): boolean {
    if (this.#byId.get(binding.id) !== binding) return false;
    this.#byName.delete(binding.name);
    this.#byId.delete(binding.id);
    if (this.#byObject.get(binding.object) === binding) this.#byObject.delete(binding.object);
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
    return typeof object === 'object' && object !== null ? this.#byObject.get(object) : undefined;
  }

  values(): IterableIterator<SourceBinding> {
    return this.#byId.values();
  }

  /**
   * The SourceList a newly admitted node receives: every source, or, when they are more than
   * the node's `limit` (its Handshake's source_list_limit; 0: none), none and `partial`: the node
   * asks for what it needs (sourcePage).
   */
  sourceListPacket(limit = 0): PacketMessage {
    if (limit > 0 && this.#byId.size > limit) return { sourceList: { partial: true, total: this.#byId.size } };
    return { sourceList: { sources: [...this.#byId.values()].map((b) => b.info) } };
  }

  /**
   * The answer to a SourceQuery: the named sources this host offers, or (no names) a page of
   * every source with an id above `after` in ascending id order, at most `limit` of them
   * (PAGE_SOURCES when 0 or more) and about `maxBytes` encoded.
   */
  sourcePage(query: SourceQueryMessage, maxBytes: number): NonNullable<PacketMessage['sourcePage']> {
    const request = query.request ?? 0;
    const names = query.names ?? [];
    if (names.length > 0) {
      const sources = [];
      for (const name of names) {
        const b = this.#byName.get(name);
        if (b) sources.push(b.info);
      }
      return { request, sources };
    }
    const after = query.after ?? 0;
    const limit = Math.min(query.limit || PAGE_SOURCES, PAGE_SOURCES);
    const sources = [];
    let bytes = 0;
    let next = 0;
    let last = 0;
    // Ids ascend in insertion order (handed out increasing, never reused), so the Map's order
    // is the listing's order.
    for (const b of this.#byId.values()) {
      if (b.id <= after) continue;
      const size = infoSize(b);
      if (sources.length >= limit || (sources.length > 0 && bytes + size > maxBytes)) {
        next = last;
        break;
      }
      sources.push(b.info);
      last = b.id;
      bytes += size;
    }
    return { request, sources, next };
  }

  /** Disposes and forgets every binding (the host closes). */
  clear(): void {
    for (const b of this.#byId.values()) {
      b.dispose();
      this.#byObject.delete(b.object);
    }
    this.#byId.clear();
    this.#byName.clear();
  }
}
