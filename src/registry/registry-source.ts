// The registry: an ordinary remoted source named "Registry" that keeps the directory of every
// source on the network. Hosts add and remove their sources through its slots; the registry
// forgets everything a host added when that host's connection drops. Nodes hold a typed replica
// of it and follow `remoteObjectAdded` / `remoteObjectRemoved`.
//
// Two hosts offering the same name: the first registration wins; later ones are refused
// (`addSource` resolves false, the host logs a warning) and queued in order. When the winner
// withdraws or drops, the next queued one takes over, announced as removed + added. The
// directory never flips back and forth between live hosts.
//
// A burst of changes (a host registering thousands of sources) republishes the directory once
// per burst rather than once per change; see #changed.

import { Property, RemoteObjectType, Signal, Slot } from '../api';
import type { WireType } from '../api/wire-type';
import { currentCaller } from '../host/current-caller';

/** Where a source lives. */
export interface SourceLocation {
  /** The source's `@RemoteObjectType` name. */
  readonly typeName: string;
  /** The URL of the host that offers it. */
  readonly hostUrl: string;
  /** Its API signature. */
  readonly signature: string;
}

const LOCATION: WireType = { object: { typeName: 'string', hostUrl: 'string', signature: 'string' } };

interface Entry {
  readonly location: SourceLocation;
  /** The connection that registered it (undefined: registered in-process). */
  readonly owner: object | undefined;
}

/**
 * The registry's API (QtRO's registry source): what `node.registry` is a replica of. Hosts
 * register and withdraw their sources through its slots; nodes read `sourceLocations` and listen
 * to its signals.
 */
@RemoteObjectType('Registry')
export class RegistrySource {
  /** Every registered source, by name. Replaced as a whole on each change. */
  @Property({ readonly: true, type: { map: LOCATION } })
  sourceLocations: Map<string, SourceLocation> = new Map();

  /** A source was registered (or took over a name whose holder withdrew). */
  @Signal({ params: ['string', LOCATION] })
  remoteObjectAdded(_name: string, _location: SourceLocation): Signal {}

  /** A source was withdrawn, or its host's connection dropped. */
  @Signal({ params: ['string', LOCATION] })
  remoteObjectRemoved(_name: string, _location: SourceLocation): Signal {}

  readonly #active = new Map<string, Entry>();
  readonly #waiting = new Map<string, Entry[]>();

  /** Registers a source; false if another host already holds the name (queued behind it). */
  @Slot({ params: ['string', LOCATION], returns: 'bool' })
  addSource(name: string, location: SourceLocation): boolean {
    const owner = currentCaller();
    const entry: Entry = { location: { typeName: location.typeName, hostUrl: location.hostUrl, signature: location.signature }, owner };
    const current = this.#active.get(name);
    if (!current || (current.owner === owner && current.location.hostUrl === location.hostUrl)) {
      if (current && sameLocation(current.location, entry.location)) return true;
      if (current) this.#withdraw(name, current, false);
      this.#activate(name, entry);
      return true;
    }
    const queue = this.#waiting.get(name) ?? [];
    if (!queue.some((e) => e.owner === owner && e.location.hostUrl === location.hostUrl)) queue.push(entry);
    this.#waiting.set(name, queue);
    return false;
  }

  /**
   * Withdraws a source registered from `hostUrl` by the calling connection; false if there was
   * none. A peer cannot withdraw (and then take over) another host's registration.
   */
  @Slot({ params: ['string', 'string'], returns: 'bool' })
  removeSource(name: string, hostUrl: string): boolean {
    const owner = currentCaller();
    const current = this.#active.get(name);
    if (current?.location.hostUrl === hostUrl && current.owner === owner) {
      this.#withdraw(name, current, true);
      return true;
    }
    const queue = this.#waiting.get(name);
    const i = queue?.findIndex((e) => e.location.hostUrl === hostUrl && e.owner === owner) ?? -1;
    if (queue && i >= 0) {
      queue.splice(i, 1);
      if (queue.length === 0) this.#waiting.delete(name);
      return true;
    }
    return false;
  }

  /** Forgets everything `owner` (a connection that closed) registered. @internal */
  ownerGone(owner: object): void {
    for (const [name, queue] of this.#waiting) {
      const kept = queue.filter((e) => e.owner !== owner);
      if (kept.length > 0) this.#waiting.set(name, kept);
      else this.#waiting.delete(name);
    }
    for (const [name, entry] of [...this.#active]) {
      if (entry.owner === owner) this.#withdraw(name, entry, true);
    }
  }

  #activate(name: string, entry: Entry): void {
    this.#active.set(name, entry);
    this.#changed(() => this.remoteObjectAdded(name, entry.location));
  }

  #withdraw(name: string, entry: Entry, promote: boolean): void {
    this.#active.delete(name);
    this.#changed(() => this.remoteObjectRemoved(name, entry.location));
    if (!promote) return;
    const next = this.#waiting.get(name)?.shift();
    if (this.#waiting.get(name)?.length === 0) this.#waiting.delete(name);
    if (next) this.#activate(name, next);
  }

  // sourceLocations goes to every replica whole: republished once per change, a burst of n
  // registrations (a host with thousands of sources coming up) would send O(n^2) bytes. So the
  // first change since the last flush is published at once (a lone change is seen exactly as
  // before: the map, then its signal, then the slot's reply), and the changes that follow it in
  // the same burst are published together when the current task's microtasks run, the map first
  // and then their signals in order.
  #flushing = false;
  #dirty = false;
  #signals: (() => void)[] = [];

  #changed(signal: () => void): void {
    if (this.#flushing) {
      this.#dirty = true;
      this.#signals.push(signal);
      return;
    }
    this.#publish();
    signal();
    this.#flushing = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushing = false;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#publish();
    const signals = this.#signals;
    this.#signals = [];
    for (const emit of signals) emit();
  }

  #publish(): void {
    this.sourceLocations = new Map([...this.#active].map(([name, e]) => [name, e.location]));
  }
}

function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return a.typeName === b.typeName && a.hostUrl === b.hostUrl && a.signature === b.signature;
}
