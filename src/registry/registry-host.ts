// A RegistryHost: a Host that also hosts the registry (the "Registry" source), and follows it
// itself, so its own sources are published like any other host's. When a connection to it
// drops, everything that connection registered is withdrawn (a killed host's sources vanish).

import type { TsroError } from '../errors';
import { Host, type HostOptions } from '../host/host';
import type { HostConnection } from '../host/host-connection';
import { RegistrySource } from './registry-source';

export class RegistryHost extends Host {
  private readonly directory = new RegistrySource();

  constructor(url: string, options: HostOptions = {}) {
    super(url, { ...options, registryUrl: undefined });
    this.enableRemoting(this.directory, 'Registry');
    this.bound.then(
      () => {
        if (!this.isClosed) this.setRegistryUrl(this.hostUrl);
      },
      () => {},
    );
  }

  /** @internal */
  override connectionEnded(conn: HostConnection, error: TsroError | undefined): void {
    super.connectionEnded(conn, error);
    this.directory.ownerGone(conn);
  }
}
