// The Node.js edge of the core, installed when this module loads (src/index.ts imports it first):
// the Node.js platform (Buffer, setImmediate), parsing of local: URLs, connectors for tcp://,
// tls:// and local: (a socket from connectSocket, carried by a FrameChannel), for ws:// and
// wss:// (the ws package) and for nats:// (transport-schemes.ts), and FrameChannel as the way a
// Duplex handed to addClientSideConnection is carried.

import '../../util/node/node-platform';
import './local-url';
import './transport-schemes'; // nats:// and the user's byte-stream schemes
import type { Duplex } from 'node:stream';
import { registerConnector, setStreamAdapter } from '../connectors';
import type { Connector } from '../frame-link';
import { FrameChannel } from './frame-channel';
import { connectSocket } from './socket-client';
import { connectWebSocket } from './websocket-client';
import type { TlsClientOptions } from './tls-options';

const socketConnector: Connector = {
  async connect(address, options) {
    const socket = await connectSocket(address, { timeoutMs: options.timeoutMs, tls: options.tls as TlsClientOptions | undefined });
    return new FrameChannel(socket, { label: options.label, maxFrameSize: options.maxFrameSize, maxBufferedBytes: options.maxBufferedBytes });
  },
};

// ws:// and wss:// on the ws package: each binary message carries whole frames, wrapped as a
// Duplex (websocket-stream.ts) so that FrameChannel's framing and limits apply unchanged.
const webSocketConnector: Connector = {
  async connect(address, options) {
    if (address.scheme !== 'ws' && address.scheme !== 'wss') throw new Error(`not a WebSocket address: ${address.url}`);
    const stream = await connectWebSocket(address, {
      maxFrameSize: options.maxFrameSize,
      timeoutMs: options.timeoutMs,
      tls: options.tls as TlsClientOptions | undefined,
    });
    return new FrameChannel(stream, { label: options.label, maxFrameSize: options.maxFrameSize, maxBufferedBytes: options.maxBufferedBytes });
  },
};

// localabstract: URLs parse to `local` addresses, so 'local' covers them.
for (const scheme of ['tcp', 'tls', 'local']) registerConnector(scheme, socketConnector);
for (const scheme of ['ws', 'wss']) registerConnector(scheme, webSocketConnector);
setStreamAdapter((stream, options) => new FrameChannel(stream as unknown as Duplex, options));
