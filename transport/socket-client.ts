// Opens the client side of a connection: one connected socket per call, or a ConnectError that
// names the URL and why the OS refused it. What flows over the socket is FrameChannel's business.

import * as net from 'node:net';
import { ConnectError } from '../errors';
import { describeOsError } from './os-error';
import type { TransportAddress } from './url';

/** Options of `connectSocket`. */
export interface ConnectOptions {
  /**
   * Give up after this many milliseconds (a positive number). Default: no limit of tsro's own;
   * the OS's connect timeout applies.
   */
  timeoutMs?: number;
}

/**
 * Connects to `address` (from `parseUrl`).
 *
 * Resolves with the connected socket, Nagle disabled for TCP, and no listeners of this function
 * left on it: the caller must attach its own 'error' listener before yielding to the event loop.
 * Rejects with a ConnectError naming the URL and the reason (e.g. ECONNREFUSED, ENOENT for a
 * missing local socket, the timeout); the socket is destroyed then.
 */
export function connectSocket(address: TransportAddress, opts: ConnectOptions = {}): Promise<net.Socket> {
  const { timeoutMs } = opts;
  if (timeoutMs !== undefined && !(timeoutMs > 0 && timeoutMs <= 0x7fffffff)) {
    return Promise.reject(new RangeError(`connectSocket: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`));
  }
  if (address.scheme === 'tcp' && address.port === 0) {
    return Promise.reject(new ConnectError(`cannot connect to ${address.url}: port 0 is only meaningful for listening`));
  }

  return new Promise<net.Socket>((resolve, reject) => {
    let socket: net.Socket;
    try {
      socket =
        address.scheme === 'tcp'
          ? net.connect({ host: address.host, port: address.port, noDelay: true })
          : net.connect({ path: address.path });
    } catch (err) {
      reject(new ConnectError(`cannot connect to ${address.url}: ${describeOsError(err)}`, err));
      return;
    }

    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (timer !== undefined) clearTimeout(timer);
    };
    const fail = (error: ConnectError): void => {
      cleanup();
      // The socket is dropped here; should anything still surface on it, it must not become an
      // uncaught 'error'.
      socket.on('error', () => {});
      socket.destroy();
      reject(error);
    };
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (err: Error): void => {
      fail(new ConnectError(`cannot connect to ${address.url}: ${describeOsError(err)}`, err));
    };

    socket.once('connect', onConnect);
    socket.once('error', onError);
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        fail(new ConnectError(`cannot connect to ${address.url}: timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    }
  });
}
