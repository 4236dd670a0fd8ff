// A host's sources on the registry: each is published once the host is bound and the registry
// replica is valid, withdrawn when remoting stops, and published again each time the registry
// comes back (it starts empty). Child sources and the registry itself are never published.

import type { RegistryFollower } from '../node/registry-follower';
import type { Logger } from '../util/logger';
import type { SourceBinding } from './source-binding';

export class RegistryPublisher {
  readonly #registry: RegistryFollower;
  readonly #bound: Promise<void>;
  readonly #hostUrl: () => string;
  readonly #logger: Logger;
  readonly #remoted: (binding: SourceBinding) => boolean;

  /** `remoted` says whether a binding is still remoted when its turn to be published comes. */
  constructor(registry: RegistryFollower, bound: Promise<void>, hostUrl: () => string, logger: Logger, remoted: (binding: SourceBinding) => boolean) {
    this.#registry = registry;
    this.#bound = bound;
    this.#hostUrl = hostUrl;
    this.#logger = logger;
    this.#remoted = remoted;
  }

  async publish(binding: SourceBinding): Promise<void> {
    await this.#bound.catch(() => {});
    const registry = this.#registry.replica;
    if (!registry?.isReplicaValid() || !published(binding) || !this.#remoted(binding)) return;
    const location = { typeName: binding.api.typeName, hostUrl: this.#hostUrl(), signature: binding.api.signature };
    try {
      if (!(await registry.addSource(binding.name, location))) {
        const holder = registry.sourceLocations.get(binding.name);
        this.#logger.warn(
          `source "${binding.name}" is already registered by ${holder?.hostUrl ?? 'another host'}; ` +
            `this host's stays queued and takes over if that one goes away`,
        );
      }
    } catch (err) {
      this.#logger.warn(`could not publish "${binding.name}" to the registry`, err);
    }
  }

  unpublish(binding: SourceBinding): void {
    const registry = this.#registry.replica;
    if (!registry?.isReplicaValid() || !published(binding)) return;
    registry.removeSource(binding.name, this.#hostUrl()).catch((err: unknown) =>
      this.#logger.warn(`could not withdraw "${binding.name}" from the registry`, err),
    );
  }
}

function published(binding: SourceBinding): boolean {
  return binding.name !== 'Registry' && !binding.isChild;
}
