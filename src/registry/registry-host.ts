// A RegistryHost: a Host that also hosts the registry (the "Registry" source), and follows it
// itself, so its own sources are published like any other host's. When a connection to it
// drops, everything that connection registered is withdrawn (a killed host's sources vanish).

import { Host, hostParts, type HostOptions } from '../host/host';
import { RegistrySource } from './registry-source';

export class RegistryHost extends Host {
  constructor(url: string, options: HostOptions = {}) {
    super(url, { ...options, registryUrl: undefined });
    const directory = new RegistrySource();
    this.enableRemoting(directory, 'Registry');
    const parts = hostParts(this);
    parts.listener.onConnectionEnded((conn) => directory.ownerGone(conn));
    parts.bound.then(
      () => {
        if (!parts.node.pool.closed) this.setRegistryUrl(this.hostUrl);
      },
      () => {},
    );
  }
}
