// Which Connector opens links for which URL scheme, and how a byte stream handed in by the user
// becomes a link. The core (Node) only asks here; the runtime's edge registers what it has: the
// Node.js entry point registers tcp, tls and local (src/transport/node/node-transports.ts), a
// WebSocket transport registers ws and wss, users register their own schemes.

import { ConnectError, UsageError } from '../errors';
import type { Connector, ConnectorOptions, DuplexStream, FrameLink, HostDiscovery, HostDiscoveryEvents } from './frame-link';
import { allowCustomScheme, disallowCustomScheme, isBuiltInScheme, type TransportAddress } from './url';

const connectors = new Map<string, Connector>();

/** Turns a byte stream into a link; installed by runtimes that have byte streams (Node.js). */
export type StreamAdapter = (stream: DuplexStream, options: Omit<ConnectorOptions, 'timeoutMs' | 'tls'>) => FrameLink;
let streamAdapter: StreamAdapter | undefined;

function schemeOf(address: TransportAddress): string {
  return address.scheme === 'custom' ? address.name : address.scheme;
}

/**
 * Makes `scheme:` URLs connectable from every Node in this process: `connectToNode`, hosts a
 * registry hands out, reconnects. A scheme tsro does not parse itself (anything but tcp, tls,
 * local, localabstract and those a transport module adds) is accepted by URL parsing from now on
 * and reaches the connector as `{ scheme: 'custom', name, url }`.
 * @throws UsageError DECLARATION_INVALID if the scheme already has a connector.
 */
export function registerConnector(scheme: string, connector: Connector): void {
  const name = scheme.toLowerCase();
  if (connectors.has(name)) throw new UsageError('DECLARATION_INVALID', `the URL scheme "${scheme}" already has a connector`);
  if (!isBuiltInScheme(name)) allowCustomScheme(name);
  connectors.set(name, connector);
}

/** Removes a scheme's connector (links already open are not affected); false if it had none. */
export function unregisterConnector(scheme: string): boolean {
  const name = scheme.toLowerCase();
  if (!isBuiltInScheme(name)) disallowCustomScheme(name);
  return connectors.delete(name);
}

/** @internal Opens a link to `address` through its scheme's connector. */
export async function connectLink(address: TransportAddress, options: ConnectorOptions): Promise<FrameLink> {
  const connector = connectors.get(schemeOf(address));
  if (!connector) {
    throw new ConnectError(`cannot connect to ${address.url}: no transport for "${schemeOf(address)}:" URLs is available in this runtime`);
  }
  return connector.connect(address, options);
}

/**
 * @internal A discovery of the hosts behind `address`, if its scheme's connector says its URL
 * names a place where hosts meet (a bare nats://servers) rather than one host; else undefined.
 */
export function discoverHosts(address: TransportAddress, events: HostDiscoveryEvents): HostDiscovery | undefined {
  return connectors.get(schemeOf(address))?.discover?.(address, events);
}

/** @internal Installs the runtime's byte-stream adapter (Node.js: FrameChannel over a Duplex). */
export function setStreamAdapter(adapter: StreamAdapter): void {
  streamAdapter = adapter;
}

/** @internal A link over a user's byte stream; UsageError where the runtime has no byte streams. */
export function linkOverStream(stream: DuplexStream, options: Omit<ConnectorOptions, 'timeoutMs' | 'tls'>): FrameLink {
  if (!streamAdapter) {
    throw new UsageError('DECLARATION_INVALID', 'byte streams cannot be carried in this runtime: hand in a FrameLink instead');
  }
  return streamAdapter(stream, options);
}
