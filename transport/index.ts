// The transport layer's public surface, for the layers above: URLs, listening and connecting
// sockets, and frames over a connected socket. It moves bytes; what the bytes mean is theirs.

export { parseUrl, tcpUrl, hostPortUrl, addressToUrl, type TransportAddress, type HostPortScheme } from './url';
export { FrameDecoder } from './frame-decoder';
export { FrameWriter, type Scheduler } from './frame-writer';
export { varintSize, writeVarint, MAX_VARINT32_BYTES } from './varint';
export {
  FrameChannel,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type FrameChannelOptions,
} from './frame-channel';
export { listen, type SocketServer, type ListenOptions } from './socket-server';
export { connectSocket, type ConnectOptions } from './socket-client';
export {
  DEFAULT_TLS_MIN_VERSION,
  type TlsOptions,
  type TlsServerOptions,
  type TlsClientOptions,
  type TlsCommonOptions,
  type TlsPem,
  type TlsKey,
} from './tls-options';
