// The TLS settings of `tls://` URLs: a thin, documented subset of Node's tls.SecureContextOptions,
// tls.TlsOptions and tls.ConnectionOptions, under Node's own names and with Node's value types,
// so anything that works with node:tls works here. Only a host (listen) and a client
// (connectSocket) read them; the URL never carries certificates.

import * as net from 'node:net';
import type * as tls from 'node:tls';

/** PEM text or DER/PEM bytes, or several of them; as node:tls takes `cert` and `ca`. */
export type TlsPem = string | Buffer | Array<string | Buffer>;

/** A private key in PEM, as node:tls takes `key` (several keys, or key objects with their own passphrase, too). */
export type TlsKey = string | Buffer | Array<string | Buffer | tls.KeyObject>;

/** What both sides of a `tls://` connection can set. */
export interface TlsCommonOptions {
  /**
   * The certificate authorities to trust when verifying the peer's certificate, replacing Node's
   * built-in list (the Mozilla roots, plus NODE_EXTRA_CA_CERTS). Default: the built-in list.
   */
  ca?: TlsPem;
  /** Passphrase of `key` when it is encrypted. */
  passphrase?: string;
  /** The oldest protocol version accepted. Default: 'TLSv1.2'. */
  minVersion?: tls.SecureVersion;
}

/** What a host listening on `tls://` needs. Passed to `listen()` as `{ tls }`. */
export interface TlsServerOptions extends TlsCommonOptions {
  /** The host's certificate chain in PEM (the certificate first, then intermediates). Required. */
  cert: TlsPem;
  /** The private key of `cert`, in PEM. Required. */
  key: TlsKey;
  /**
   * Ask each client for a certificate (mutual TLS). It is verified against `ca` (set it to the
   * CA that issues client certificates). Default: false.
   */
  requestCert?: boolean;
  /**
   * With `requestCert`: refuse a client whose certificate is missing or does not verify against
   * `ca`; such a client never reaches `onConnection`. When false, it is let in, and
   * `(socket as tls.TLSSocket).authorized` / `.authorizationError` tell the owner. Default: true.
   */
  rejectUnauthorized?: boolean;
  /**
   * How long a client may take to complete the handshake, in ms, before it is dropped.
   * Default: Node's, 120000.
   */
  handshakeTimeout?: number;
}

/** What a client connecting to `tls://` may set. Passed to `connectSocket()` as `{ tls }`; all optional. */
export interface TlsClientOptions extends TlsCommonOptions {
  /** A client certificate in PEM, for hosts that ask for one (`requestCert`). */
  cert?: TlsPem;
  /** The private key of `cert`, in PEM. */
  key?: TlsKey;
  /**
   * The server name sent in SNI and checked against the host's certificate. Default: the URL's
   * host, unless it is an IP address (then no SNI is sent, and the certificate must list the IP).
   */
  servername?: string;
  /**
   * Refuse a host whose certificate does not verify against `ca` or does not match the server
   * name. Default: true. Turn it off only for testing.
   */
  rejectUnauthorized?: boolean;
  /**
   * Replaces the host-name check (passed to tls.connect as is): return an Error to refuse the
   * certificate, undefined to accept it. Default: tls.checkServerIdentity.
   */
  checkServerIdentity?: (hostname: string, cert: tls.PeerCertificate) => Error | undefined;
}

/**
 * One bag with everything either side takes, for an endpoint that both listens and connects.
 * It is a TlsClientOptions as is, and a TlsServerOptions once `cert` and `key` are set.
 */
export type TlsOptions = TlsClientOptions & Partial<TlsServerOptions>;

/** The default `minVersion`, both ways. */
export const DEFAULT_TLS_MIN_VERSION: tls.SecureVersion = 'TLSv1.2';

/** True if `options` has what a host needs: a certificate and a key. */
export function hasServerCredentials(options: TlsOptions | undefined): options is TlsServerOptions {
  return options !== undefined && options !== null && isPresent(options.cert) && isPresent(options.key);
}

/** The options for tls.createServer. Only the documented fields are passed on. */
export function serverContextOptions(options: TlsServerOptions): tls.TlsOptions {
  const out: tls.TlsOptions = {
    cert: options.cert,
    key: options.key,
    minVersion: options.minVersion ?? DEFAULT_TLS_MIN_VERSION,
    requestCert: options.requestCert ?? false,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
  if (options.ca !== undefined) out.ca = options.ca;
  if (options.passphrase !== undefined) out.passphrase = options.passphrase;
  if (options.handshakeTimeout !== undefined) out.handshakeTimeout = options.handshakeTimeout;
  return out;
}

/** The options for tls.connect to `host:port`. Only the documented fields are passed on. */
export function clientConnectOptions(host: string, port: number, options: TlsClientOptions = {}): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = {
    host,
    port,
    minVersion: options.minVersion ?? DEFAULT_TLS_MIN_VERSION,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
  // Node refuses an IP address as SNI; it then checks the certificate's IP entries against host.
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  if (servername !== undefined) out.servername = servername;
  if (options.ca !== undefined) out.ca = options.ca;
  if (options.cert !== undefined) out.cert = options.cert;
  if (options.key !== undefined) out.key = options.key;
  if (options.passphrase !== undefined) out.passphrase = options.passphrase;
  if (options.checkServerIdentity !== undefined) out.checkServerIdentity = options.checkServerIdentity;
  return out;
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}
