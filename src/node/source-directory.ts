// The sources a node's connected hosts offer, by name: which connection offers each, with what
// type and signature. A name offered by two hosts stays with the first; when it withdraws, the
// directory falls back to another connection that still offers the name.

import type { Logger } from '../util/logger';
import type { NodeConnection, SourceInfo } from './node-connection';

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
}

export class SourceDirectory {
  readonly #offers = new Map<string, Offer>();
  readonly #logger: Logger;
  readonly #connections: () => Iterable<NodeConnection>;
  readonly #listener: DirectoryListener;
  readonly #watchers = new Set<() => void>();

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

  /** A connection announced sources (its source list, or one SourceAdded). */
  sourcesOffered(connection: NodeConnection, sources: readonly SourceInfo[]): void {
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
    for (const other of this.#connections()) {
      if (other === connection) continue;
      for (const s of other.offers.values()) {
        if (s.name === info.name) {
          this.sourcesOffered(other, [s]);
          return;
        }
      }
    }
    this.#listener.gone(info.name);
  }

  #changed(): void {
    for (const fn of [...this.#watchers]) fn();
  }
}
