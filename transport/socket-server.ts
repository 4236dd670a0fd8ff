// Listens on a tsro URL and hands each accepted socket to the owner. It owns the listening handle
// and every accepted socket until close(), so that closing a host leaves no handle and no socket
// file behind -- and so that a socket file left behind by a crashed host does not block the next.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ListenError } from '../errors';
import { describeOsError, osErrorCode } from './os-error';
import { tcpUrl, type TransportAddress } from './url';

/** A listening endpoint, from `listen()`. */
export interface SocketServer {
  /** The bound URL: as given, except that a TCP port 0 is replaced by the port the OS chose. */
  readonly url: string;
  /** `url`, parsed. */
  readonly address: TransportAddress;
  /**
   * Stops listening, destroys every accepted socket that is still open and, for `local:`,
   * removes the socket file. Resolves when all of that is done. Idempotent: later calls return
   * the same promise.
   */
  close(): Promise<void>;
}

const IS_WINDOWS = process.platform === 'win32';
// How long a live-host check on an existing socket file may take. A host that does not accept
// within this is treated as alive: better to fail than to steal its address.
const PROBE_TIMEOUT_MS = 2000;

/**
 * Listens on `address` (from `parseUrl`) and calls `onConnection` with every accepted socket.
 *
 * The socket is the owner's from then on (it attaches its own 'error' listener at once), but
 * the server keeps track of it and destroys it on `close()` if it is still open. TCP sockets have
 * Nagle disabled. `onConnection` should not throw; if it does, that socket is destroyed and the
 * exception propagates like that of any event listener.
 *
 * For `local:`, a socket file nobody answers on (left by a host that crashed) is removed and the
 * address taken over, once; a file someone does answer on fails with a ListenError, as does a
 * path that exists but is not a socket (it is never removed).
 *
 * @throws ListenError naming the URL and the reason (address in use, permission denied, address
 *   not available, another host is listening on the socket...).
 */
export async function listen(
  address: TransportAddress,
  onConnection: (socket: net.Socket) => void,
): Promise<SocketServer> {
  const server = net.createServer({ noDelay: true });
  const sockets = new Set<net.Socket>();
  let closing = false;

  server.on('connection', (socket: net.Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    try {
      onConnection(socket);
    } catch (err) {
      socket.destroy();
      throw err;
    }
  });

  try {
    await bindOrTakeOver(server, address);
  } catch (err) {
    server.close();
    throw err;
  }

  // Once listening, 'error' only reports a failed accept (EMFILE...). That connection is lost
  // but the server keeps listening, so there is nothing to do -- except not crash the process.
  server.on('error', () => {});

  let bound: TransportAddress;
  let socketFile: fs.Stats | undefined;
  if (address.scheme === 'tcp') {
    const port = (server.address() as net.AddressInfo).port;
    bound = { scheme: 'tcp', host: address.host, port, url: tcpUrl(address.host, port) };
  } else {
    bound = address;
    if (!IS_WINDOWS) socketFile = statOrUndefined(address.path);
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (closed !== undefined) return closed;
    closing = true;
    closed = new Promise<void>((resolve) => {
      // The callback runs once the last accepted socket has closed too.
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }).then(() => {
      // libuv unlinks the socket file when it closes a listening pipe; this covers runtimes that
      // do not. The inode check avoids deleting a file another host has bound since.
      if (socketFile !== undefined && bound.scheme === 'local') {
        const now = statOrUndefined(bound.path);
        if (now !== undefined && now.ino === socketFile.ino && now.dev === socketFile.dev) {
          try {
            unlinkIfPresent(bound.path);
          } catch {
            // Closing must not fail over a file we cannot remove; the next listen() takes it over.
          }
        }
      }
    });
    return closed;
  };

  return { url: bound.url, address: bound, close };
}

async function bindOrTakeOver(server: net.Server, address: TransportAddress): Promise<void> {
  try {
    await bind(server, address);
    return;
  } catch (err) {
    if (address.scheme !== 'local' || IS_WINDOWS || osErrorCode(err) !== 'EADDRINUSE') {
      throw listenError(address, err);
    }
  }

  // EADDRINUSE on a Unix socket: the file exists. Either a live host owns it, or it is left over
  // from a host that died without closing. Only a connection attempt tells them apart.
  const verdict = await probe(address.path);
  if (verdict === 'live') {
    throw new ListenError(`cannot listen on ${address.url}: another host is listening on ${address.url} (${address.path})`);
  }
  if (verdict !== 'stale') {
    throw new ListenError(
      `cannot listen on ${address.url}: ${address.path} exists and could not be checked: ${describeOsError(verdict)}`,
      verdict,
    );
  }
  const stats = statOrUndefined(address.path);
  if (stats !== undefined && !stats.isSocket()) {
    throw new ListenError(`cannot listen on ${address.url}: ${address.path} exists and is not a socket`);
  }
  try {
    unlinkIfPresent(address.path);
    await bind(server, address);
  } catch (err) {
    throw listenError(address, err);
  }
}

function bind(server: net.Server, address: TransportAddress): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      if (address.scheme === 'tcp') server.listen({ host: address.host, port: address.port });
      else server.listen({ path: address.path });
    } catch (err) {
      server.removeListener('error', onError);
      server.removeListener('listening', onListening);
      reject(err);
    }
  });
}

// 'live': something accepted a connection; 'stale': nothing listens (ECONNREFUSED), or the file
// vanished meanwhile (ENOENT); otherwise the error that prevented the check.
function probe(socketPath: string): Promise<'live' | 'stale' | Error> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath });
    const finish = (verdict: 'live' | 'stale' | Error): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => finish('live'), PROBE_TIMEOUT_MS);
    socket.once('connect', () => finish('live'));
    socket.once('error', (err) => {
      const code = osErrorCode(err);
      finish(code === 'ECONNREFUSED' || code === 'ENOENT' ? 'stale' : err);
    });
  });
}

function listenError(address: TransportAddress, err: unknown): ListenError {
  let reason = describeOsError(err);
  const code = osErrorCode(err);
  if (address.scheme === 'local' && (code === 'ENOENT' || code === 'EACCES')) {
    // libuv reports a missing directory as EACCES (for parity with Windows), so look.
    const dir = path.dirname(address.path);
    if (!fs.existsSync(dir)) reason = `directory ${dir} does not exist (${code})`;
  }
  return new ListenError(`cannot listen on ${address.url}: ${reason}`, err);
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

function unlinkIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (osErrorCode(err) !== 'ENOENT') throw err;
  }
}
