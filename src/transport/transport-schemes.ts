// URL schemes of user-supplied transports (QtRO's external schemas): register a scheme with a
// connector (and optionally a listener) and tsro uses it wherever it meets such a URL: in
// connectToNode, as a Host's URL, and for hosts a registry hands out.

import type { Duplex } from 'node:stream';
import { ConnectError, ListenError, UsageError } from '../errors';
import { allowCustomScheme, disallowCustomScheme, type TransportAddress } from './url';
import { parseNatsUrl } from './nats/nats-url';

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

/** What a scheme that reaches many hosts through one URL (nats://servers) tells a node. */
export interface HostDiscoveryEvents {
  /** A host appeared (or came back), at this URL. */
  found(hostUrl: string): void;
  /** A host left. */
  lost(hostUrl: string): void;
}

/** A running discovery of hosts. */
export interface HostDiscovery {
  /** Resolves with the hosts known after a first look. */
  start(): Promise<string[]>;
  close(): Promise<void>;
}

interface BuiltInScheme extends TransportScheme {
  /** For URLs that name a meeting place rather than a host: follow the hosts there. */
  discover?(url: string, events: HostDiscoveryEvents): HostDiscovery | undefined;
}

// The NATS client is loaded on first use: every other program (the CLI's start-up among them)
// would pay ~0.1 s of CPU for it.
function nats(): typeof import('./nats/nats-transport') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./nats/nats-transport') as typeof import('./nats/nats-transport');
}

// Schemes tsro itself carries through this mechanism; they cannot be registered or removed.
const builtIn = new Map<string, BuiltInScheme>([
  [
    'nats',
    {
      connect: (url) => nats().connectNats(parseNatsUrl(url)),
      listen: (url, onConnection) => nats().listenNats(parseNatsUrl(url), onConnection),
      discover: (url, events) => {
        const address = parseNatsUrl(url);
        return address.hostName === undefined ? new (nats().NatsDiscovery)(address, events) : undefined;
      },
    },
  ],
]);

/**
 * @internal A discovery of the hosts behind `address`, if its URL names a place where hosts
 * meet (a bare nats://servers) rather than one host; undefined for every other URL.
 */
export function discoverHosts(address: TransportAddress, events: HostDiscoveryEvents): HostDiscovery | undefined {
  if (address.scheme !== 'custom') return undefined;
  return builtIn.get(address.name)?.discover?.(address.url, events);
}

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
  const transport = builtIn.get(address.name) ?? schemes.get(address.name);
  if (!transport) throw new ConnectError(`cannot connect to ${address.url}: the "${address.name}" scheme is not registered`);
  try {
    return await transport.connect(address.url);
  } catch (err) {
    if (err instanceof ConnectError) throw err;
    throw new ConnectError(`cannot connect to ${address.url}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** @internal Listens through a registered scheme. */
export async function listenCustom(
  address: Custom,
  onConnection: (stream: Duplex) => void,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const transport = builtIn.get(address.name) ?? schemes.get(address.name);
  if (!transport?.listen) throw new ListenError(`cannot listen on ${address.url}: the "${address.name}" scheme has no listener registered`);
  try {
    return await transport.listen(address.url, onConnection);
  } catch (err) {
    if (err instanceof ListenError) throw err;
    throw new ListenError(`cannot listen on ${address.url}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
