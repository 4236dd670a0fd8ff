// URL schemes of user-supplied transports (QtRO's external schemas): register a scheme with a
// connector (and optionally a listener) and tsro uses it wherever it meets such a URL: in
// connectToNode, as a Host's URL, and for hosts a registry hands out.

import type { Duplex } from 'node:stream';
import { ConnectError, ListenError, UsageError } from '../errors';
import { allowCustomScheme, disallowCustomScheme, type TransportAddress } from './url';

export interface TransportScheme {
  /** Opens a connected stream to `url`. A rejection becomes CONNECT_FAILED naming the URL. */
  connect(url: string): Promise<Duplex>;
  /**
   * Listens on `url`, handing every accepted stream to `onConnection`; resolves with the URL
   * nodes should connect to and a way to stop. Without it, hosts of this scheme cannot listen
   * (they can still serve streams through addHostSideConnection).
   */
  listen?(url: string, onConnection: (stream: Duplex) => void): Promise<{ readonly url: string; close(): Promise<void> }>;
}

const schemes = new Map<string, TransportScheme>();

/** Makes `scheme:...` URLs usable everywhere tsro takes a URL. */
export function registerTransportScheme(scheme: string, transport: TransportScheme): void {
  const name = scheme.toLowerCase();
  if (schemes.has(name)) throw new UsageError('DECLARATION_INVALID', `the URL scheme "${scheme}" is already registered`);
  allowCustomScheme(name);
  schemes.set(name, transport);
}

/** Removes a registered scheme (connections already made are not affected). */
export function unregisterTransportScheme(scheme: string): boolean {
  const name = scheme.toLowerCase();
  disallowCustomScheme(name);
  return schemes.delete(name);
}

type Custom = Extract<TransportAddress, { scheme: 'custom' }>;

/** @internal Connects through a registered scheme. */
export async function connectCustom(address: Custom): Promise<Duplex> {
  const transport = schemes.get(address.name);
  if (!transport) throw new ConnectError(`cannot connect to ${address.url}: the "${address.name}" scheme is not registered`);
  try {
    return await transport.connect(address.url);
  } catch (err) {
    throw new ConnectError(`cannot connect to ${address.url}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** @internal Listens through a registered scheme. */
export async function listenCustom(
  address: Custom,
  onConnection: (stream: Duplex) => void,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const transport = schemes.get(address.name);
  if (!transport?.listen) throw new ListenError(`cannot listen on ${address.url}: the "${address.name}" scheme has no listener registered`);
  try {
    return await transport.listen(address.url, onConnection);
  } catch (err) {
    throw new ListenError(`cannot listen on ${address.url}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
