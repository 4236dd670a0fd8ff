// Connects to a tsro host over WebSocket (`ws://`, `wss://`) with the `ws` package and hands back
// the connection as a byte stream, like connectSocket does for TCP. The failures a user meets
// here -- nothing listening, an HTTP server that does not upgrade, a WebSocket server that is not
// tsro -- become a ConnectError that says which.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, type ClientOptions } from 'ws';
import { ConnectError } from '../../errors';
import { maxMessageSize, WEBSOCKET_SUBPROTOCOL } from '../websocket-messages';
import type { WebSocketAddress } from '../url';
import { describeOsError } from './os-error';
import { clientConnectOptions, type TlsClientOptions } from './tls-options';
import { WebSocketStream } from './websocket-stream';

export interface WebSocketConnectOptions {
  /** Frames larger than this are refused; messages are bounded accordingly. */
  readonly maxFrameSize: number;
  /** Gives up after this many ms (the TCP, TLS and WebSocket handshakes together). */
  readonly timeoutMs?: number;
  /** For `wss://`: the CA to trust, a client certificate... as for `tls://`. */
  readonly tls?: TlsClientOptions;
}

/** Opens a WebSocket to `address`; resolves once the upgrade is done. */
export function connectWebSocket(address: WebSocketAddress, options: WebSocketConnectOptions): Promise<Duplex> {
  if (address.port === 0) {
    return Promise.reject(new ConnectError(`cannot connect to ${address.url}: port 0 is only meaningful for listening`));
  }
  const clientOptions: ClientOptions = {
    perMessageDeflate: false,
    maxPayload: maxMessageSize(options.maxFrameSize),
    followRedirects: false,
  };
  if (options.timeoutMs !== undefined) clientOptions.handshakeTimeout = options.timeoutMs;
  if (address.scheme === 'wss') {
    const { host: _host, port: _port, ...tls } = clientConnectOptions(address.host, address.port, options.tls);
    Object.assign(clientOptions, tls);
  }
  return new Promise<Duplex>((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(address.url, [WEBSOCKET_SUBPROTOCOL], clientOptions);
    } catch (err) {
      reject(new ConnectError(`cannot connect to ${address.url}: ${describeOsError(err)}`, err));
      return;
    }
    const fail = (reason: string, cause?: unknown): void => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(new ConnectError(`cannot connect to ${address.url}: ${reason}`, cause));
    };
    ws.once('open', () => {
      ws.removeAllListeners();
      resolve(new WebSocketStream(ws, { label: address.url, maxFrameSize: options.maxFrameSize }));
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      fail(`the server answered HTTP ${res.statusCode ?? '?'} ${res.statusMessage ?? ''} instead of accepting a WebSocket`.trimEnd());
    });
    ws.once('error', (err: Error) => {
      if (/subprotocol/i.test(err.message)) {
        fail(`the WebSocket server there is not a tsro host (it did not select the "${WEBSOCKET_SUBPROTOCOL}" subprotocol)`, err);
      } else if (/handshake has timed out/i.test(err.message)) {
        fail(`timed out after ${options.timeoutMs} ms`, err);
      } else {
        fail(describeOsError(err), err);
      }
    });
  });
}
