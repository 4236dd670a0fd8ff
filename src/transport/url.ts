// The addresses tsro listens on and connects to, as URLs: `tcp://host:port`, `tls://host:port`
// (TCP with TLS on top), `ws://host:port/path` and `wss://...` (WebSocket, plain or over TLS) and
// `local:name` (a Unix domain socket, or a named pipe on Windows). Parsing is strict and happens before any
// socket exists, so a typo fails with a UrlError that quotes the URL instead of an OS error later.
// This module is platform-free; schemes whose meaning depends on the runtime (`local:` needs the
// OS's temp directory and socket path limits) are parsed by the runtime's edge, which registers a
// parser for them (src/transport/node/local-url.ts).

import { UrlError } from '../errors';
import { parseNatsUrl } from './nats/nats-url';

/** The schemes whose URLs are `scheme://host:port`. */
export type HostPortScheme = 'tcp' | 'tls';

/**
 * A parsed URL. `url` is the canonical spelling (lower-case scheme, no trailing '/', IPv6 hosts
 * in brackets); `host` never has brackets. For `local`, `path` is what the socket binds to.
 * `tls` is laid out like `tcp`; the certificates it needs are options of `listen` and
 * `connectSocket`, not part of the URL.
 */
export type TransportAddress =
  | {
      /** `tcp://host:port`. */
      readonly scheme: 'tcp';
      /** Host name or address, without brackets. */
      readonly host: string;
      /** The port (0: any free one, when listening). */
      readonly port: number;
      /** The URL as given. */
      readonly url: string;
    }
  | {
      /** `tls://host:port`. */
      readonly scheme: 'tls';
      /** Host name or address, without brackets. */
      readonly host: string;
      /** The port (0: any free one, when listening). */
      readonly port: number;
      /** The URL as given. */
      readonly url: string;
    }
  | {
      /** `local:name`: a Unix domain socket (a named pipe on Windows). */
      readonly scheme: 'local';
      /** The name in the URL. */
      readonly name: string;
      /** What the socket binds to. */
      readonly path: string;
      /** The URL as given. */
      readonly url: string;
      /** A Linux abstract socket (no file). */
      readonly abstract?: boolean;
    }
  | WebSocketAddress
  | {
      /** A scheme registered by registerTransportScheme or registerConnector. */
      readonly scheme: 'custom';
      /** The registered scheme's name. */
      readonly name: string;
      /** The URL as given. */
      readonly url: string;
    };

/**
 * A `ws://` or `wss://` URL. `path` is the request path (starting with '/', '/' when the URL has
 * none, with its query if any); `port` is explicit in `url` (80 and 443 when the URL omits it).
 */
export interface WebSocketAddress {
  /** `ws` or `wss` (over TLS). */
  readonly scheme: 'ws' | 'wss';
  /** Host name or address, without brackets. */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** The request path, with its query. */
  readonly path: string;
  /** The URL, with its port explicit. */
  readonly url: string;
}

/**
 * Schemes registered by the layers above (custom transports: src/transport/transport-schemes.ts). A URL
 * of such a scheme parses to `{ scheme: 'custom', name: <scheme>, url }` and is the registered
 * factory's to interpret.
 */
const customSchemes = new Set<string>();

const BUILT_IN = ['tcp', 'tls', 'ws', 'wss', 'local', 'localabstract', 'nats'];

/** Whether `scheme` is one tsro parses itself (lower-case). */
export function isBuiltInScheme(scheme: string): boolean {
  return BUILT_IN.includes(scheme);
}

/** Parses what follows `scheme:` in `url`; throws UrlError (see `invalidUrl`). */
export type SchemeParser = (url: string, rest: string) => TransportAddress;

/** Parsers of the runtime-specific built-in schemes, registered by the runtime's edge. */
const platformParsers = new Map<string, SchemeParser>();

/** @internal Registers the parser of a built-in scheme whose meaning depends on the runtime. */
export function registerSchemeParser(scheme: 'local' | 'localabstract', parser: SchemeParser): void {
  platformParsers.set(scheme, parser);
}

/** Makes parseUrl accept `scheme:...` URLs (lower-case scheme name, not a built-in one). */
export function allowCustomScheme(scheme: string): void {
  const s = scheme.toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(s) || isBuiltInScheme(s)) {
    throw new UrlError(`"${scheme}" cannot be registered as a URL scheme (built-in or malformed)`);
  }
  customSchemes.add(s);
}

/** Forgets a scheme registered with allowCustomScheme. */
export function disallowCustomScheme(scheme: string): void {
  customSchemes.delete(scheme.toLowerCase());
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const HOSTNAME = /^[A-Za-z0-9._-]+$/;
const PORT = /^[0-9]{1,5}$/;
const SUPPORTED =
  'tsro URLs are tcp://host:port, tls://host:port, ws://host:port/path, wss://host:port/path, local:name, localabstract:name and nats://host:port[/hostName]';
// RFC 3986 path and query characters (percent-encoded bytes included); no fragment.
const PATH_AND_QUERY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*(?:\?(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;

/**
 * Parses a tsro URL.
 *
 * - `tcp://host:port`: host is a name, an IPv4 address or an IPv6 address in brackets
 *   (`tcp://[::1]:5000`); port is required, 0..65535, where 0 asks the OS for a free port when
 *   listening. Nothing may follow but one optional '/'.
 * - `tls://host:port`: the same rules as `tcp://`; the connection is TLS over TCP.
 * - `ws://host:port/path` and `wss://host:port/path`: WebSocket (over TLS for `wss`); the host as
 *   for `tcp://`, the port optional (80 and 443), a path and query optional ('/' by default), no
 *   credentials and no fragment.
 * - `local:name`: a Unix domain socket at `name` if it is absolute, else at
 *   `path.join(os.tmpdir(), name)`; on Windows, the named pipe `\\.\pipe\name`.
 *
 * @throws UrlError for anything else (not a string, unknown scheme, missing host or port, port out
 *   of range, path or query, empty name, NUL byte, socket path too long for the OS); the message
 *   quotes the URL and says what is wrong.
 */
export function parseUrl(url: string): TransportAddress {
  if (typeof url !== 'string') {
    throw new UrlError(`invalid URL ${shown(url)}: expected a string, got ${describeType(url)}`);
  }
  const scheme = SCHEME.exec(url);
  if (scheme === null) {
    throw invalid(url, `not a URL; ${SUPPORTED}`);
  }
  const rest = url.slice(scheme[0].length);
  switch (scheme[1].toLowerCase()) {
    case 'tcp':
      return parseHostPort(url, rest, 'tcp');
    case 'tls':
      return parseHostPort(url, rest, 'tls');
    case 'ws':
      return parseWebSocket(url, rest, 'ws');
    case 'wss':
      return parseWebSocket(url, rest, 'wss');
    case 'local':
    case 'localabstract': {
      const parser = platformParsers.get(scheme[1].toLowerCase());
      if (!parser) throw invalid(url, `"${scheme[1]}:" URLs (local sockets) are not available in this runtime`);
      return parser(url, rest);
    }
    case 'nats':
      // Checked here so that a typo fails at once; carried as a scheme of its own.
      return { scheme: 'custom', name: 'nats', url: parseNatsUrl(url).url };
    default:
      if (customSchemes.has(scheme[1].toLowerCase())) return { scheme: 'custom', name: scheme[1].toLowerCase(), url };
      throw invalid(url, `unsupported scheme "${scheme[1]}"; ${SUPPORTED}`);
  }
}

/**
 * Formats a TCP URL. `host` is a name or an IP address; an IPv6 address is put in brackets.
 * `port` is an integer in 0..65535. The result parses back to the same host and port.
 */
export function tcpUrl(host: string, port: number): string {
  return hostPortUrl('tcp', host, port);
}

/**
 * Formats a `scheme://host:port` URL (`tcp` or `tls`), like `tcpUrl`: an IPv6 address is put in
 * brackets, and the result parses back to the same scheme, host and port.
 */
export function hostPortUrl(scheme: HostPortScheme | 'ws' | 'wss', host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${bracketed}:${port}`;
}

/**
 * Formats a `ws://` or `wss://` URL: the host as in `hostPortUrl`, the port always written out,
 * then `path` (which must start with '/').
 */
export function webSocketUrl(scheme: 'ws' | 'wss', host: string, port: number, path: string): string {
  return `${hostPortUrl(scheme, host, port)}${path}`;
}

/** The canonical URL of `addr` (for addresses from `parseUrl`, the same as `addr.url`). */
export function addressToUrl(addr: TransportAddress): string {
  if (addr.scheme === 'ws' || addr.scheme === 'wss') return webSocketUrl(addr.scheme, addr.host, addr.port, addr.path);
  return addr.scheme === 'local' || addr.scheme === 'custom' ? addr.url : hostPortUrl(addr.scheme, addr.host, addr.port);
}

function parseWebSocket(url: string, rest: string, scheme: 'ws' | 'wss'): WebSocketAddress {
  const form = `${scheme}://host:port/path`;
  if (!rest.startsWith('//')) throw invalid(url, `expected ${form}`);
  const afterSlashes = rest.slice(2);
  const end = afterSlashes.search(/[/?#]/);
  const authority = end < 0 ? afterSlashes : afterSlashes.slice(0, end);
  let path = end < 0 ? '/' : afterSlashes.slice(end);
  if (path.startsWith('?')) path = `/${path}`;
  if (authority.includes('@')) throw invalid(url, `credentials are not allowed; expected ${form}`);
  if (path.includes('#')) throw invalid(url, `a fragment is not allowed; expected ${form}`);
  if (!PATH_AND_QUERY.test(path)) throw invalid(url, `"${path}" is not a valid path`);
  const defaultPort = scheme === 'ws' ? 80 : 443;
  const hasPort = /^(\[[^\]]*\]|[^:]*):/.test(authority);
  const { host, port } = parseAuthority(url, hasPort ? authority : `${authority}:${defaultPort}`, form, scheme);
  return { scheme, host, port, path, url: webSocketUrl(scheme, host, port, path) };
}

function parseHostPort(url: string, rest: string, scheme: HostPortScheme): TransportAddress {
  const form = `${scheme}://host:port`;
  if (!rest.startsWith('//')) {
    throw invalid(url, `expected ${form}`);
  }
  let authority = rest.slice(2);
  if (authority.endsWith('/')) authority = authority.slice(0, -1);
  const extra = /[/?#@]/.exec(authority);
  if (extra !== null) {
    const what = extra[0] === '@' ? 'credentials' : extra[0] === '?' ? 'a query' : extra[0] === '#' ? 'a fragment' : 'a path';
    throw invalid(url, `${what} is not allowed; expected ${form}`);
  }
  const { host, port } = parseAuthority(url, authority, form, scheme);
  return { scheme, host, port, url: hostPortUrl(scheme, host, port) };
}

function parseAuthority(url: string, authority: string, form: string, scheme: string): { host: string; port: number } {

  let host: string;
  let portText: string;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw invalid(url, 'unterminated "[" in host');
    host = authority.slice(1, close);
    if (!isIPv6(host)) throw invalid(url, `"${host}" in brackets is not an IPv6 address`);
    const after = authority.slice(close + 1);
    if (!after.startsWith(':')) throw invalid(url, `a port is required (${scheme}://[addr]:port)`);
    portText = after.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon < 0) throw invalid(url, `a port is required (${form})`);
    host = authority.slice(0, colon);
    portText = authority.slice(colon + 1);
    if (host === '') throw invalid(url, `a host is required (${form})`);
    if (host.includes(':')) throw invalid(url, `an IPv6 host must be in brackets (${scheme}://[::1]:port)`);
    if (!HOSTNAME.test(host)) throw invalid(url, `"${host}" is not a valid host name`);
  }

  if (portText === '') throw invalid(url, `a port is required (${form})`);
  if (!PORT.test(portText)) throw invalid(url, `port "${portText}" is not a number in 0..65535`);
  const port = Number(portText);
  if (port > 65535) throw invalid(url, `port ${port} is out of range 0..65535`);
  return { host, port };
}

/** The UrlError for `url`, saying what is wrong with it. */
export function invalid(url: string, reason: string): UrlError {
  return new UrlError(`invalid URL ${JSON.stringify(url)}: ${reason}`);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'undefined' ? 'undefined' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
}

// An IPv6 address (as in brackets in a URL), with an optional zone (`fe80::1%eth0`): what the
// WHATWG URL parser accepts as an IPv6 host, which every runtime has.
function isIPv6(host: string): boolean {
  const percent = host.indexOf('%');
  const address = percent < 0 ? host : host.slice(0, percent);
  if (percent >= 0 && !/^[A-Za-z0-9_.~-]+$/.test(host.slice(percent + 1))) return false;
  if (!/^[0-9A-Fa-f:.]+$/.test(address) || !address.includes(':')) return false;
  try {
    new URL(`http://[${address}]/`);
    return true;
  } catch {
    return false;
  }
}

// A short rendering of a value that is not a URL string, for the error message.
function shown(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
