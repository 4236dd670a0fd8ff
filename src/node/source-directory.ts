// The sources a node's connected hosts offer, by name: which connection offers each, with what
// type and signature. A name offered by two hosts stays with the first; when it withdraws, the
// directory falls back to another connection that still offers the name. A host with more
// sources than a node wants listed at connect lists them on request: the directory asks it for
// the names replicas wait for, and for everything when the node lists its sources.

import { MAX_QUERY_NAMES } from '../protocol/source-lists';
import type { Logger } from '../util/logger';
import type { NodeConnection } from './node-connection';
import type { SourceInfo } from './source-info';

/** A source on offer: the connection that offers it and what it announced. */
export interface Offer {
  readonly connection: NodeConnection;
  readonly info: SourceInfo;
}

/**
 * What the directory tells: a name is offered (anew or by another connection), an offer is
 * withdrawn, and, when no other connection offers the name instead, that it is gone.
 */
export interface DirectoryListener {
  offered(name: string): void;
  withdrawn(name: string, offer: Offer): void;
  gone(name: string): void;
  /** Names replicas wait for (no host offers them yet): looked up on hosts that list on request. */
  waiting(): Iterable<string>;
}

export class SourceDirectory {
  readonly #offers = new Map<string, Offer>();
  readonly #logger: Logger;
  readonly #connections: () => Iterable<NodeConnection>;
  readonly #listener: DirectoryListener;
  readonly #watchers = new Set<() => void>();
  /** Names to look up on the next flush, and the lookups each connection is answering. */
  #toLookUp = new Set<string>();
  #flushScheduled = false;
  readonly #asking = new WeakMap<NodeConnection, Set<string>>();
  /** Connections that list on request whose waiting names were looked up once they came up. */
  readonly #seen = new WeakSet<NodeConnection>();

  /** `connections` lists the node's connections, for falling back when an offer is withdrawn. */
  constructor(logger: Logger, connections: () => Iterable<NodeConnection>, listener: DirectoryListener) {
    this.#logger = logger;
    this.#connections = connections;
    this.#listener = listener;
  }

  /** Who offers `name`, if any connected host does. */
  offer(name: string): Offer | undefined {
    return this.#offers.get(name);
  }

  /** Every offer, by name. */
  entries(): IterableIterator<[string, Offer]> {
    return this.#offers.entries();
  }

  /** Calls `fn` after every change of the offers until the returned function is called. */
  watch(fn: () => void): () => void {
    this.#watchers.add(fn);
    return () => this.#watchers.delete(fn);
  }

  /**
   * A replica waits for `name`, which no connected host has offered: hosts that list on request
   * (too many sources to send whole) are asked for it. Names asked for in one task go in one
   * query per connection; a name already being asked for is not asked again.
   */
  lookup(name: string): void {
    this.#toLookUp.add(name);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      const names = this.#toLookUp;
      this.#toLookUp = new Set();
      for (const connection of this.#connections()) this.#ask(connection, names);
    });
  }

  /** Every source of every connected host, fetched from those that list on request. */
  async listAll(): Promise<void> {
    const listing = [];
    for (const connection of this.#connections()) {
      if (connection.listsOnRequest && connection.isOpen) listing.push(connection.listAll().catch(() => {}));
    }
    await Promise.all(listing);
  }

  #ask(connection: NodeConnection, names: Iterable<string>): void {
    if (!connection.listsOnRequest || !connection.isOpen) return;
    let asking = this.#asking.get(connection);
    if (!asking) {
      asking = new Set();
      this.#asking.set(connection, asking);
    }
    const batch: string[] = [];
    for (const name of names) {
      // A name some connection offers by now needs no asking (another host offering it too
      // would only be a duplicate to warn about).
      if (asking.has(name) || this.#offers.has(name)) continue;
      asking.add(name);
      batch.push(name);
    }
    for (let i = 0; i < batch.length; i += MAX_QUERY_NAMES) {
      const part = batch.slice(i, i + MAX_QUERY_NAMES);
      const done = (): void => {
        for (const n of part) asking.delete(n);
      };
      // What the host offers arrives through sourcesOffered; a name it does not offer stays
      // waiting (a SourceAdded brings it if it comes). A closed connection answers nothing.
      connection.lookup(part).then(done, done);
    }
  }

  /** A connection announced sources (its source list, or one SourceAdded). */
  sourcesOffered(connection: NodeConnection, sources: readonly SourceInfo[]): void {
    if (connection.listsOnRequest && !this.#seen.has(connection)) {
      // A host with too many sources to list came up: ask it for those replicas wait for.
      this.#seen.add(connection);
      this.#ask(connection, this.#listener.waiting());
    }
    for (const info of sources) {
      const current = this.#offers.get(info.name);
      if (current && current.connection !== connection) {
        this.#logger.warn(
          `source "${info.name}" is offered by ${connection.url} and by ${current.connection.url}; replicas stay with ${current.connection.url}`,
        );
        continue;
      }
      this.#offers.set(info.name, { connection, info });
      this.#listener.offered(info.name);
    }
    this.#changed();
  }

  /** A connection withdrew a source (SourceRemoved, or the connection ended). */
  sourceWithdrawn(connection: NodeConnection, info: SourceInfo): void {
    const current = this.#offers.get(info.name);
    if (!current || current.connection !== connection || current.info.id !== info.id) return;
    this.#offers.delete(info.name);
    this.#listener.withdrawn(info.name, current);
    this.#changed();
    // Another connected host may offer the same name: fall back to it.
    let listsOnRequest = false;
    for (const other of this.#connections()) {
      if (other === connection) continue;
      listsOnRequest ||= other.listsOnRequest;
      for (const s of other.offers.values()) {
        if (s.name === info.name) {
          this.sourcesOffered(other, [s]);
          return;
        }
      }
    }
    this.#listener.gone(info.name);
    // Or one that was not asked for it yet, if a replica still wants it.
    if (listsOnRequest && [...this.#listener.waiting()].includes(info.name)) this.lookup(info.name);
  }

  #changed(): void {
    for (const fn of [...this.#watchers]) fn();
  }
}
