// Accepts tsro connections over WebSocket (`ws://`, `wss://`), on an HTTP server of its own or on
// one the application already runs (so a web app serves its page and its replicas from one
// origin). Only upgrade requests for the URL's path are taken; a browser from an origin outside
// `allowedOrigins` is refused before the upgrade. Each accepted WebSocket reaches the owner as a
// byte stream (WebSocketStream), like an accepted TCP socket.

import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ListenError } from '../../errors';
import { maxMessageSize, WEBSOCKET_SUBPROTOCOL } from '../websocket-messages';
import { webSocketUrl, type WebSocketAddress } from '../url';
import { describeOsError } from './os-error';
import { hasServerCredentials, serverContextOptions, type TlsOptions } from './tls-options';
import { WebSocketStream } from './websocket-stream';

/** An HTTP or HTTPS server from node:http / node:https. */
export type HttpServer = http.Server | https.Server;

export interface WebSocketListenOptions {
  /** Frames larger than this are refused (FRAME_TOO_LARGE); messages are bounded accordingly. */
  readonly maxFrameSize: number;
  /** Certificate and key for a `wss://` URL served on a server of its own. */
  readonly tls?: TlsOptions;
  /**
   * Serve on this existing server instead of starting one: upgrade requests for the URL's path
   * are taken, everything else is left to the server's other listeners. The server is the
   * application's: closing the host detaches from it but does not close it.
   */
  readonly httpServer?: HttpServer;
  /**
   * Origins (`'https://app.example.com'`, `'http://127.0.0.1:8080'`) whose pages may connect. When
   * set, a request whose `Origin` header names another origin is refused with 403. Requests
   * without an `Origin` header (not from a browser: Node.js nodes, the CLI) are not affected.
   */
  readonly allowedOrigins?: readonly string[];
  /** Called for every refused upgrade request (wrong origin), with the reason. */
  readonly onRefused?: (reason: string) => void;
}

/** A listening WebSocket endpoint. */
export interface WebSocketListener {
  /** The URL nodes connect to, with the real port when the URL asked for port 0. */
  readonly url: string;
  /** Stops accepting, closes every accepted WebSocket, and closes the server if it is its own. */
  close(): Promise<void>;
}

/**
 * Listens for WebSocket connections at `address`, handing each accepted one to `onConnection`.
 *
 * @throws ListenError naming the URL and the reason (address in use, `wss://` without a
 *   certificate and key, a `wss://` URL on a plain HTTP server or the reverse...).
 */
export async function listenWebSocket(
  address: WebSocketAddress,
  onConnection: (stream: Duplex) => void,
  options: WebSocketListenOptions,
): Promise<WebSocketListener> {
  const own = options.httpServer === undefined;
  const server = options.httpServer ?? createServer(address, options);
  if (!own && (server instanceof https.Server) !== (address.scheme === 'wss')) {
    throw new ListenError(
      `cannot listen on ${address.url}: a ${address.scheme}:// URL needs an ${address.scheme === 'wss' ? 'https' : 'http'} server, and httpServer is ${server instanceof https.Server ? 'https' : 'http'}`,
    );
  }
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: maxMessageSize(options.maxFrameSize),
    handleProtocols: (protocols) => (protocols.has(WEBSOCKET_SUBPROTOCOL) ? WEBSOCKET_SUBPROTOCOL : false),
  });
  const wanted = pathOf(address.path);
  const allowed = options.allowedOrigins === undefined ? undefined : new Set(options.allowedOrigins.map(normalizeOrigin));
  let closing = false;

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathOf(req.url ?? '/') !== wanted) {
      // Another path: another listener's, if there is one; otherwise nobody will answer it.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    if (closing) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    const origin = req.headers.origin;
    if (allowed !== undefined && origin !== undefined && !allowed.has(normalizeOrigin(origin))) {
      options.onRefused?.(`refused a WebSocket connection to ${address.url} from origin ${origin} (not in allowedOrigins)`);
      refuse(socket, 403, 'Forbidden');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (closing) {
        ws.terminate();
        return;
      }
      const remoteAddress = req.socket.remoteAddress;
      const remotePort = req.socket.remotePort;
      ws.on('error', () => {}); // the stream reports errors from now on; this covers the gap
      onConnection(
        new WebSocketStream(ws, {
          label: `${address.url} peer ${remoteAddress ?? '?'}:${remotePort ?? ''}`,
          maxFrameSize: options.maxFrameSize,
          remoteAddress,
          remotePort,
        }),
      );
    });
  };
  server.on('upgrade', onUpgrade);

  let port: number;
  try {
    port = own ? await bind(server, address) : await boundPort(server, address);
  } catch (err) {
    server.removeListener('upgrade', onUpgrade);
    wss.close();
    if (own) server.close();
    throw err instanceof ListenError ? err : new ListenError(`cannot listen on ${address.url}: ${describeOsError(err)}`, err);
  }
  if (own) server.on('error', () => {}); // failed accepts (EMFILE...): that connection is lost, the server goes on

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      server.removeListener('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      if (!own) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  const url = address.port === 0 ? webSocketUrl(address.scheme, address.host, port, address.path) : address.url;
  return { url, close };
}

function createServer(address: WebSocketAddress, options: WebSocketListenOptions): HttpServer {
  // A plain request to the endpoint gets a short explanation instead of a hang.
  const answer = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
    res.end(`This is a tsro host: connect a tsro node to ${address.url}\n`);
  };
  if (address.scheme === 'ws') return http.createServer(answer);
  if (!hasServerCredentials(options.tls)) {
    throw new ListenError(`cannot listen on ${address.url}: wss:// needs a certificate and key (the tls option's cert and key)`);
  }
  try {
    return https.createServer(serverContextOptions(options.tls), answer);
  } catch (err) {
    throw new ListenError(`cannot listen on ${address.url}: invalid TLS options: ${describeOsError(err)}`, err);
  }
}

function bind(server: HttpServer, address: WebSocketAddress): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: Error): void => reject(new ListenError(`cannot listen on ${address.url}: ${describeOsError(err)}`, err));
    server.once('error', onError);
    server.listen({ host: address.host, port: address.port }, () => {
      server.removeListener('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

// An application's server: its port once it listens (it may start listening after the host).
function boundPort(server: HttpServer, address: WebSocketAddress): Promise<number> {
  const port = (): number => {
    const bound = server.address();
    if (bound === null || typeof bound === 'string') {
      throw new ListenError(`cannot listen on ${address.url}: httpServer listens on a pipe (${String(bound)}), not a TCP port`);
    }
    return bound.port;
  };
  if (server.listening) return Promise.resolve(port());
  return new Promise<number>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening);
      reject(new ListenError(`cannot listen on ${address.url}: httpServer failed to listen: ${describeOsError(err)}`, err));
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      try {
        resolve(port());
      } catch (err) {
        reject(err);
      }
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => {});
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

function pathOf(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  return q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
}

function normalizeOrigin(origin: string): string {
  return origin.toLowerCase().replace(/\/+$/, '');
}
