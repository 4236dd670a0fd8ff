// Opens the client side of a connection: one connected socket per call, or a ConnectError that
// names the URL and why the OS (or, for tls://, the TLS handshake) refused it. What flows over
// the socket is FrameChannel's business.

import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectError } from '../../errors';
import { describeOsError } from './os-error';
import { clientConnectOptions, type TlsClientOptions } from './tls-options';
import type { TransportAddress } from '../url';

/** Options of `connectSocket`. */
export interface ConnectOptions {
  /**
   * Give up after this many milliseconds (a positive number); for `tls://` the handshake must
   * be done by then too. Default: no limit of tsro's own; the OS's connect timeout applies.
   */
  timeoutMs?: number;
  /**
   * The CAs to trust, a client certificate, the server name... for `tls://` addresses; ignored
   * for others. Without it, `tls://` verifies the host against Node's built-in CAs, and the
   * host's certificate must match the URL's host.
   */
  tls?: TlsClientOptions;
}

/**
 * Connects to `address` (from `parseUrl`).
 *
 * Resolves with the connected socket, Nagle disabled for TCP and TLS, and no listeners of this
 * function left on it: the caller must attach its own 'error' listener before yielding to the
 * event loop. Rejects with a ConnectError naming the URL and the reason (e.g. ECONNREFUSED,
 * ENOENT for a missing local socket, the timeout); the socket is destroyed then.
 *
 * For `tls://`, the socket is a tls.TLSSocket and resolves once the handshake has succeeded and
 * the host's certificate was verified. A failed handshake rejects with a ConnectError whose
 * message says "TLS handshake failed" and ends with the reason and its code (an untrusted
 * certificate: DEPTH_ZERO_SELF_SIGNED_CERT, UNABLE_TO_VERIFY_LEAF_SIGNATURE,
 * SELF_SIGNED_CERT_IN_CHAIN; a name mismatch: ERR_TLS_CERT_ALTNAME_INVALID; CERT_HAS_EXPIRED; an
 * alert from the host: ERR_SSL_...); `cause` is Node's error.
 *
 * Under TLS 1.3 a host checks the client's certificate only after the client has finished its
 * side of the handshake, so a host that refuses the client certificate (or its absence) is not
 * seen here: the socket resolves, then fails with an error such as
 * ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED (which a FrameChannel reports as a
 * DisconnectedError) before any data from the host arrives.
 */
export function connectSocket(address: TransportAddress, opts: ConnectOptions = {}): Promise<net.Socket> {
  const { timeoutMs } = opts;
  if (timeoutMs !== undefined && !(timeoutMs > 0 && timeoutMs <= 0x7fffffff)) {
    return Promise.reject(new RangeError(`connectSocket: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`));
  }
  if ((address.scheme === 'tcp' || address.scheme === 'tls') && address.port === 0) {
    return Promise.reject(new ConnectError(`cannot connect to ${address.url}: port 0 is only meaningful for listening`));
  }

  return new Promise<net.Socket>((resolve, reject) => {
    let socket: net.Socket;
    try {
      if (address.scheme === 'tcp') socket = net.connect({ host: address.host, port: address.port, noDelay: true });
      else if (address.scheme === 'tls') socket = tls.connect(clientConnectOptions(address.host, address.port, opts.tls));
      else if (address.scheme === 'custom') throw new ConnectError(`cannot connect to ${address.url}: no connector is registered for the "${address.name}" scheme`);
      else socket = net.connect({ path: address.path });
    } catch (err) {
      // For tls://, typically a certificate or key that does not parse.
      const what = address.scheme === 'tls' ? 'invalid TLS options: ' : '';
      reject(new ConnectError(`cannot connect to ${address.url}: ${what}${describeOsError(err)}`, err));
      return;
    }

    // For tls://: 'connect' is the TCP connection, 'secureConnect' the end of the handshake.
    const readyEvent = address.scheme === 'tls' ? 'secureConnect' : 'connect';
    let handshaking = false;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      socket.removeListener(readyEvent, onReady);
      socket.removeListener('connect', onTcpConnect);
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
    const onTcpConnect = (): void => {
      handshaking = true;
    };
    const onReady = (): void => {
      cleanup();
      if (address.scheme === 'tls') socket.setNoDelay(true);
      resolve(socket);
    };
    const onError = (err: Error): void => {
      const what = handshaking ? 'TLS handshake failed: ' : '';
      fail(new ConnectError(`cannot connect to ${address.url}: ${what}${describeOsError(err)}`, err));
    };

    socket.once(readyEvent, onReady);
    if (address.scheme === 'tls') socket.once('connect', onTcpConnect);
    socket.once('error', onError);
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const what = handshaking ? ' (during the TLS handshake)' : '';
        fail(new ConnectError(`cannot connect to ${address.url}: timed out after ${timeoutMs} ms${what}`));
      }, timeoutMs);
    }
  });
}
