// A RegistryHost: a Host that also hosts the registry (the "Registry" source), and follows it
// itself, so its own sources are published like any other host's. When a connection to it
// drops, everything that connection registered is withdrawn (a killed host's sources vanish).

import { Host, hostParts, type HostOptions } from '../host/host';
import { RegistrySource } from './registry-source';

/**
 * A host that also hosts the registry: nodes given its URL as `registryUrl` register their
 * sources there and find sources anywhere on the network through it.
 */
export class RegistryHost extends Host {
  constructor(url: string, options: HostOptions = {}) {
    super(url, { ...options, registryUrl: undefined });
    // Through the host's parts, not this.enableRemoting/setRegistryUrl: a constructor calls
    // nothing a subclass could override.
    const directory = new RegistrySource();
    const parts = hostParts(this);
    parts.enable(directory, 'Registry');
    parts.listener.onConnectionEnded((conn) => directory.ownerGone(conn));
    parts.bound.then(
      () => {
        if (!parts.node.pool.closed) parts.node.registry.follow(this.hostUrl);
      },
      () => {},
    );
  }
}
