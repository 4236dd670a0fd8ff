// A node's view of the registry: its replica of the "Registry" source, kept connected, and the
// node events it turns the registry's changes into. Sources the node acquires without knowing
// their host are looked up here; a host that appears for one of them is connected to.

import type { WaitOptions } from '../replica/call-options';
import { parseUrl } from '../transport/url';
import { RegistrySource, type SourceLocation } from '../registry/registry-source';
import type { Replica } from '../replica/replica-types';
import type { EventHub } from '../util/emitter';
import type { Logger } from '../util/logger';

/** What the follower needs from the rest of the node. */
export interface RegistryFollowerLinks {
  readonly logger: Logger;
  /** Node events: `remoteObjectAdded`, `remoteObjectRemoved`. */
  readonly events: EventHub;
  acquireRegistry(): Replica<RegistrySource>;
  ensureConnected(url: string): void;
  /** A source the registry lists appeared: connect to its host if a replica waits for it. */
  sourceListed(name: string, hostUrl: string): void;
}

export class RegistryFollower {
  readonly #links: RegistryFollowerLinks;
  #replica: Replica<RegistrySource> | undefined;
  #url: string | undefined;
  readonly #initialized = new Set<() => void>();

  constructor(links: RegistryFollowerLinks) {
    this.#links = links;
  }

  /** The registry's replica, once a registry URL is set. */
  get replica(): Replica<RegistrySource> | undefined {
    return this.#replica;
  }

  get url(): string | undefined {
    return this.#url;
  }

  /** Calls `fn` each time the registry's replica becomes valid (first time, or again after it came back). */
  onInitialized(fn: () => void): void {
    this.#initialized.add(fn);
  }

  /** The registry's locations while its replica is valid; undefined otherwise. */
  get locations(): ReadonlyMap<string, SourceLocation> | undefined {
    return this.#replica?.isReplicaValid() ? this.#replica.sourceLocations : undefined;
  }

  /** See Node.setRegistryUrl. */
  follow(url: string): boolean {
    parseUrl(url);
    const links = this.#links;
    if (this.#replica) {
      links.logger.warn(`setRegistryUrl(${url}): this node already follows the registry at ${this.#url}`);
      return false;
    }
    this.#url = url;
    const registry = links.acquireRegistry();
    this.#replica = registry;
    registry.on('initialized', () => {
      for (const fn of [...this.#initialized]) fn();
    });
    registry.on('remoteObjectAdded', (name, location) => {
      links.events.fire('remoteObjectAdded', { name, typeName: location.typeName, url: location.hostUrl });
      links.sourceListed(name, location.hostUrl);
    });
    registry.on('remoteObjectRemoved', (name, location) => {
      links.events.fire('remoteObjectRemoved', { name, typeName: location.typeName, url: location.hostUrl });
    });
    links.ensureConnected(url);
    return true;
  }

  /** See Node.waitForRegistry. */
  waitForRegistry(wait?: number | WaitOptions): Promise<boolean> {
    if (!this.#replica) {
      this.#links.logger.warn('waitForRegistry: no registry URL is set');
      return Promise.resolve(false);
    }
    return this.#replica.waitForSource(wait);
  }
}
