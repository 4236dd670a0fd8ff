// Listens on a tsro URL and hands each accepted socket to the owner. It owns the listening handle
// and every accepted socket until close(), so that closing a host leaves no handle and no socket
// file behind -- and so that a socket file left behind by a crashed host does not block the next.
// For tls://, a socket is handed over only once its TLS handshake has succeeded.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { LimitError, ListenError } from '../../errors';
import { describeOsError, osErrorCode } from './os-error';
import { hasServerCredentials, serverContextOptions, type TlsServerOptions } from './tls-options';
import { hostPortUrl, type TransportAddress } from '../url';

/** A listening endpoint, from `listen()`. */
export interface SocketServer {
  /** The bound URL: as given, except that a port 0 is replaced by the port the OS chose. */
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

/** Options of `listen`. */
/** Default file mode of `local:` socket files: owner only. */
export const DEFAULT_SOCKET_MODE = 0o600;

export interface ListenOptions {
  /** The certificate, key and client-certificate policy of a `tls://` address. Ignored for other schemes. */
  tls?: TlsServerOptions;
  /**
   * File mode of a `local:` socket file (Unix). Default 0o600: only the owner can connect.
   * 0o660 lets the group in, 0o666 everyone.
   */
  socketMode?: number;
  /**
   * Called when a `tls://` client fails the handshake, with the error and the client's address
   * (`tls://addr:port`, or undefined if it is not known). That client has been dropped and never
   * reached `onConnection`; the server keeps serving. Should not throw. Typical codes: no client
   * certificate, ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE; one that does not verify against
   * `ca`, the verification code (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED...) in an
   * error "client certificate refused (...)"; a client not speaking TLS,
   * ERR_SSL_WRONG_VERSION_NUMBER and the like; ERR_TLS_HANDSHAKE_TIMEOUT; ECONNRESET when the
   * client gave up (e.g. because it did not trust the server's certificate).
   */
  onTlsClientError?: (error: Error, peer: string | undefined) => void;
  /**
   * `tls://`: how long a client may take over its TLS handshake before it is dropped (reported
   * to onTlsClientError as ERR_TLS_HANDSHAKE_TIMEOUT). Default: Node's, 120 s.
   */
  tlsHandshakeTimeout?: number;
  /**
   * `tls://`: the most connections at once still in their TLS handshake; more are dropped at
   * once (reported to onTlsClientError as LIMIT_EXCEEDED). Without it, a peer could hold any
   * number of sockets in a handshake that never ends, below everything the host counts.
   */
  maxTlsHandshakes?: number;
}

/**
 * Listens on `address` (from `parseUrl`) and calls `onConnection` with every accepted socket.
 *
 * The socket is the owner's from then on (it attaches its own 'error' listener at once), but
 * the server keeps track of it and destroys it on `close()` if it is still open. TCP and TLS
 * sockets have Nagle disabled. `onConnection` should not throw; if it does, that socket is
 * destroyed and the exception propagates like that of any event listener.
 *
 * For `tls://`, `options.tls` must hold a certificate and key. `onConnection` receives a
 * tls.TLSSocket (a net.Socket) once the handshake has succeeded; a client that fails it is
 * dropped without reaching `onConnection` and reported to `options.onTlsClientError`.
 *
 * For `local:`, a socket file nobody answers on (left by a host that crashed) is removed and the
 * address taken over, once; a file someone does answer on fails with a ListenError, as does a
 * path that exists but is not a socket (it is never removed).
 *
 * @throws ListenError naming the URL and the reason (address in use, permission denied, address
 *   not available, another host is listening on the socket, `tls://` without a certificate and
 *   key, a certificate or key Node cannot load...).
 */
export async function listen(
  address: TransportAddress,
  onConnection: (socket: net.Socket) => void,
  options: ListenOptions = {},
): Promise<SocketServer> {
  const server = createServer(address, options);
  // The sockets handed to onConnection that are still open.
  const sockets = new Set<net.Socket>();
  // tls:// only: the raw TCP socket of every connection, from accept until it closes, so that
  // close() can cut a handshake in progress short. Once a connection is handed over it is closed
  // through its TLSSocket only: destroying the raw socket under a live TLSSocket can crash Node.
  const rawSockets = new Set<net.Socket>();
  // How many of rawSockets got past their TLS handshake (and are still open).
  let secured = 0;
  const peers = new WeakMap<net.Socket, string>();
  let closing = false;

  const accept = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (address.scheme === 'tls') socket.setNoDelay(true);
    try {
      onConnection(socket);
    } catch (err) {
      socket.destroy();
      throw err;
    }
  };

  if (address.scheme === 'tls') {
    // 'connection' brings the raw TCP socket, before the handshake (Node's own listener has
    // already wrapped it in a TLSSocket); the TLSSocket arrives with 'secureConnection'.
    server.on('connection', (raw: net.Socket) => {
      if (closing) {
        raw.destroy();
        return;
      }
      const limit = options.maxTlsHandshakes;
      if (limit !== undefined && rawSockets.size - secured >= limit) {
        const peer = raw.remoteAddress !== undefined && raw.remotePort !== undefined ? hostPortUrl('tls', raw.remoteAddress, raw.remotePort) : undefined;
        raw.destroy();
        options.onTlsClientError?.(new LimitError(`${limit} TLS handshakes are already in progress`), peer);
        return;
      }
      rawSockets.add(raw);
      raw.once('close', () => rawSockets.delete(raw));
      if (raw.remoteAddress !== undefined && raw.remotePort !== undefined) {
        peers.set(raw, hostPortUrl('tls', raw.remoteAddress, raw.remotePort));
      }
    });
    // Connections past their TLS handshake: the rest of rawSockets are still in it.
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      secured++;
      socket.once('close', () => secured--);
      accept(socket);
    });
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      // Node destroys the socket after this event; nothing reached the owner. Handshakes that
      // close() cuts short are not reported.
      if (closing) return;
      // A socket already destroyed no longer knows its peer; the address noted at accept does.
      // (`_parent`, the raw socket, is not public API; without it the peer may be undefined.)
      const raw = (socket as { _parent?: unknown })._parent;
      const peer =
        socket.remoteAddress !== undefined && socket.remotePort !== undefined
          ? hostPortUrl('tls', socket.remoteAddress, socket.remotePort)
          : raw instanceof net.Socket
            ? peers.get(raw)
            : undefined;
      options.onTlsClientError?.(clientCertificateError(socket, err) ?? err, peer);
      // After a handshake timeout Node leaves the raw TCP socket open (seen on Node 20): the
      // peer would keep it, and its slot, for as long as it likes.
      if (raw instanceof net.Socket) raw.destroy();
    });
  } else {
    server.on('connection', accept);
  }

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
  if (address.scheme === 'tcp' || address.scheme === 'tls') {
    const port = (server.address() as net.AddressInfo).port;
    bound = { scheme: address.scheme, host: address.host, port, url: hostPortUrl(address.scheme, address.host, port) };
  } else {
    bound = address;
    if (address.scheme === 'local' && !address.abstract && !IS_WINDOWS) {
      socketFile = statOrUndefined(address.path);
      try {
        // Owner only unless asked otherwise: connecting needs write permission on the file.
        fs.chmodSync(address.path, options.socketMode ?? DEFAULT_SOCKET_MODE);
      } catch (err) {
        server.close();
        throw listenError(address, err);
      }
    }
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (closed !== undefined) return closed;
    closing = true;
    // libuv unlinks the path of a listening pipe when it closes it, whatever file is there now.
    // If another host's socket has replaced ours (someone removed ours and bound anew), that
    // file gets a second name first and gets its own name back after: a host never deletes a
    // socket file that is not its own.
    const foreign = socketFile !== undefined ? foreignSocketFile(bound, socketFile) : undefined;
    closed = new Promise<void>((resolve) => {
      // The callback runs once the last accepted socket has closed too.
      server.close(() => {
        if (foreign !== undefined) foreign.restore();
        resolve();
      });
      for (const socket of sockets) socket.destroy();
      // Destroying a TLSSocket destroys its raw socket too; those left are mid-handshake.
      for (const raw of rawSockets) if (!raw.destroyed) raw.destroy();
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

// Node checks a client certificate only once the handshake is done, and then drops a client it
// refuses without an alert; the error it reports is a bare "socket hang up". This names the
// actual reason (the code is e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE or CERT_HAS_EXPIRED).
function clientCertificateError(socket: tls.TLSSocket, err: Error): Error | undefined {
  const reason: unknown = socket.authorizationError;
  if (reason === undefined || reason === null || osErrorCode(err) !== 'ECONNRESET') return undefined;
  const code = reason instanceof Error ? (osErrorCode(reason) ?? reason.message) : String(reason);
  return Object.assign(new Error(`client certificate refused (${code})`, { cause: err }), { code });
}

function createServer(address: TransportAddress, options: ListenOptions): net.Server {
  if (address.scheme !== 'tls') return net.createServer({ noDelay: true });
  if (!hasServerCredentials(options.tls)) {
    throw new ListenError(
      `cannot listen on ${address.url}: tls:// needs a certificate and key (the tls option's cert and key)`,
    );
  }
  try {
    const timeout = options.tlsHandshakeTimeout;
    return tls.createServer({ ...serverContextOptions(options.tls), ...(timeout !== undefined && timeout > 0 ? { handshakeTimeout: timeout } : {}) });
  } catch (err) {
    // A certificate or key that does not parse, a key that does not match, a wrong passphrase...
    throw new ListenError(`cannot listen on ${address.url}: invalid TLS options: ${describeOsError(err)}`, err);
  }
}

async function bindOrTakeOver(server: net.Server, address: TransportAddress): Promise<void> {
  try {
    await bind(server, address);
    return;
  } catch (err) {
    // (An abstract socket has no file to be stale: in use means in use.)
    if (address.scheme !== 'local' || address.abstract || IS_WINDOWS || osErrorCode(err) !== 'EADDRINUSE') {
      throw listenError(address, err);
    }
  }

  // EADDRINUSE on a Unix socket: the file exists. Either a live host owns it, or it is left over
  // from a host that died without closing. Only a connection attempt tells them apart. Taking
  // it over (probe, unlink, bind) happens under a lock file, so that two hosts racing for one
  // stale path cannot both unlink and bind: exactly one listens, the other gets LISTEN_FAILED.
  const release = takeoverLock(address);
  try {
    // Under the lock: try again (the previous holder may have just taken the path over).
    try {
      await bind(server, address);
      return;
    } catch (err) {
      if (osErrorCode(err) !== 'EADDRINUSE') throw listenError(address, err);
    }
    const before = statOrUndefined(address.path);
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
    if (before !== undefined && !before.isSocket()) {
      throw new ListenError(`cannot listen on ${address.url}: ${address.path} exists and is not a socket`);
    }
    // Only the file that was found dead is removed, never one that replaced it meanwhile.
    const now = statOrUndefined(address.path);
    if (now !== undefined && (before === undefined || now.ino !== before.ino || now.dev !== before.dev)) {
      throw new ListenError(`cannot listen on ${address.url}: ${address.path} changed while it was being taken over`);
    }
    try {
      unlinkIfPresent(address.path);
      await bind(server, address);
    } catch (err) {
      throw listenError(address, err);
    }
  } finally {
    release();
  }
}

/**
 * Takes `<socket path>.lock` (created exclusively, holding this process's pid) for the duration
 * of a takeover; throws LISTEN_FAILED if a live process holds it. A lock left by a dead process
 * is removed and taken once more. Returns the release function.
 */
function takeoverLock(address: TransportAddress & { path: string }): () => void {
  const lock = `${address.path}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o600);
      try {
        fs.writeSync(fd, String(process.pid));
      } finally {
        fs.closeSync(fd);
      }
      return () => unlinkIfPresent(lock);
    } catch (err) {
      if (osErrorCode(err) !== 'EEXIST') throw listenError(address, err);
    }
    let holder = Number.NaN;
    try {
      holder = Number(fs.readFileSync(lock, 'utf8'));
    } catch {
      // vanished or unreadable: treated as held, below, unless it was released meanwhile
    }
    if (attempt > 0 || (Number.isInteger(holder) && holder > 0 && processAlive(holder))) {
      throw new ListenError(`cannot listen on ${address.url}: another host is taking over ${address.path}`);
    }
    unlinkIfPresent(lock);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return osErrorCode(err) === 'EPERM';
  }
}

// The socket file is created by bind() with the process umask; with a permissive umask others
// could connect in the moment before chmod. A strict umask around the (synchronous) bind closes
// that window. (process.umask cannot be set in worker threads: there the chmod alone applies.)
function listenOwnerOnly(server: net.Server, socketPath: string, abstract: boolean): void {
  let previous: number | undefined;
  if (!abstract && !IS_WINDOWS) {
    try {
      previous = process.umask(0o177);
    } catch {
      previous = undefined;
    }
  }
  try {
    server.listen({ path: socketPath });
  } finally {
    if (previous !== undefined) process.umask(previous);
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
      if (address.scheme === 'tcp' || address.scheme === 'tls') server.listen({ host: address.host, port: address.port });
      else if (address.scheme === 'local') listenOwnerOnly(server, address.path, address.abstract === true);
      else throw new ListenError(`cannot listen on ${address.url}: not a socket address`);
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

/** If the file at a local address is not the socket this server bound, keeps it safe from libuv's unlink. */
function foreignSocketFile(address: TransportAddress, mine: fs.Stats): { restore(): void } | undefined {
  if (address.scheme !== 'local' || address.abstract) return undefined;
  const now = statOrUndefined(address.path);
  if (now === undefined || (now.ino === mine.ino && now.dev === mine.dev)) return undefined;
  const spare = `${address.path}.${process.pid}.keep`;
  try {
    fs.linkSync(address.path, spare);
  } catch {
    return undefined;
  }
  return {
    restore: () => {
      try {
        fs.renameSync(spare, address.path);
      } catch {
        unlinkIfPresent(spare);
      }
    },
  };
}

function unlinkIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (osErrorCode(err) !== 'ENOENT') throw err;
  }
}
