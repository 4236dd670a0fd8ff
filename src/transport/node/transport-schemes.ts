// URL schemes carried over Node.js byte streams beyond tcp, tls and local: nats:// (built in,
// loaded on first use) and schemes registered by the user (QtRO's external schemas): register a
// scheme with a function that opens a Duplex (and optionally a listener) and tsro uses it
// wherever it meets such a URL: in connectToNode, as a Host's URL, and for hosts a registry hands
// out. The connecting side becomes a Connector of the core (src/transport/connectors.ts) whose
// streams are carried by FrameChannel; a transport that moves whole messages registers a
// Connector directly instead.

import type { Duplex } from 'node:stream';
import { ConnectError, ListenError, UsageError } from '../../errors';
import { registerConnector, unregisterConnector } from '../connectors';
import type { Connector, HostDiscovery, HostDiscoveryEvents } from '../frame-link';
import type { TransportAddress } from '../url';
import { parseNatsUrl } from '../nats/nats-url';
import { FrameChannel } from './frame-channel';

/** How to connect to (and optionally listen on) the URLs of one scheme: see registerTransportScheme. */
export interface TransportScheme {
  /** Opens a connected stream to `url`. A rejection becomes CONNECT_FAILED naming the URL. */
  connect(url: string): Promise<Duplex>;
  /**
   * Listens on `url`, handing every accepted stream to `onConnection`; resolves with the URL
   * nodes should connect to and a way to stop. Without it, hosts of this scheme cannot listen
   * (they can still serve streams through addHostSideConnection).
   */
  listen?(
    url: string,
    onConnection: (stream: Duplex) => void,
  ): Promise<{
    /** The URL nodes connect to (e.g. with the real port). */
    readonly url: string;
    /** Stops listening. */
    close(): Promise<void>;
  }>;
}

const schemes = new Map<string, TransportScheme>();

interface BuiltInScheme extends TransportScheme {
  /** For URLs that name a meeting place rather than a host: follow the hosts there. */
  discover?(url: string, events: HostDiscoveryEvents): HostDiscovery | undefined;
}

// The NATS client is loaded on first use: every other program (the CLI's start-up among them)
// would pay ~0.1 s of CPU for it. It is an optional peer dependency, installed by those who use
// nats:// URLs; without it such a URL fails with an error that says what to install.
function nats(): typeof import('../nats/nats-transport') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../nats/nats-transport') as typeof import('../nats/nats-transport');
  } catch (err) {
    const missing = (err as { code?: string }).code === 'MODULE_NOT_FOUND' && /@nats-io\/transport-node/.test((err as Error).message);
    if (!missing) throw err;
    throw new ConnectError('nats:// URLs need the official NATS client, which is not installed: npm install @nats-io/transport-node', err);
  }
}

// Schemes tsro itself carries through this mechanism; they cannot be registered or removed.
const builtIn = new Map<string, BuiltInScheme>([
  [
    'nats',
    {
      connect: (url) => nats().connectNats(parseNatsUrl(url)),
      listen: async (url, onConnection) => {
        let transport: typeof import('../nats/nats-transport');
        try {
          transport = nats();
        } catch (err) {
          throw err instanceof ConnectError ? new ListenError(err.message, err.cause) : err;
        }
        return transport.listenNats(parseNatsUrl(url), onConnection);
      },
      discover: (url, events) => {
        const address = parseNatsUrl(url);
        if (address.hostName !== undefined) return undefined;
        try {
          return new (nats().NatsDiscovery)(address, events);
        } catch (err) {
          // Reported by connectToNode's promise, like any failure to connect.
          return { start: () => Promise.reject(err), close: async () => {} };
        }
      },
    },
  ],
]);

/** A core Connector over a scheme whose connections are Duplex streams. */
function streamConnector(transport: BuiltInScheme): Connector {
  return {
    async connect(address, options) {
      let stream: Duplex;
      try {
        stream = await transport.connect(address.url);
      } catch (err) {
        if (err instanceof ConnectError) throw err;
        throw new ConnectError(`cannot connect to ${address.url}: ${err instanceof Error ? err.message : String(err)}`, err);
      }
      return new FrameChannel(stream, { label: options.label, maxFrameSize: options.maxFrameSize, maxBufferedBytes: options.maxBufferedBytes });
    },
    discover: transport.discover && ((address, events) => transport.discover!(address.url, events)),
  };
}

for (const [name, transport] of builtIn) registerConnector(name, streamConnector(transport));

/** Makes `scheme:...` URLs usable everywhere tsro takes a URL. */
export function registerTransportScheme(scheme: string, transport: TransportScheme): void {
  const name = scheme.toLowerCase();
  if (schemes.has(name) || builtIn.has(name)) throw new UsageError('DECLARATION_INVALID', `the URL scheme "${scheme}" is already registered`);
  registerConnector(name, streamConnector(transport));
  schemes.set(name, transport);
}

/** Removes a registered scheme (connections already made are not affected). */
export function unregisterTransportScheme(scheme: string): boolean {
  const name = scheme.toLowerCase();
  if (!schemes.delete(name)) return false;
  unregisterConnector(name);
  return true;
}

type Custom = Extract<TransportAddress, { scheme: 'custom' }>;

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
