// `nats://` URLs: the NATS servers to use and, for a host, its name there.
//
//   nats://127.0.0.1:4222                 a NATS server (a node connecting here sees every host)
//   nats://10.0.0.1:4222,10.0.0.2:4222    several servers of one cluster (the client fails over)
//   nats://127.0.0.1:4222/printers        a host named "printers" on that NATS: what a Host's
//                                         hostUrl is, what registries hand out, what a node
//                                         connects to for that host alone
//
// Parsing is strict, like every tsro URL: a typo fails at once with a UrlError quoting it.

import { UrlError } from '../../errors';

/** A parsed nats:// URL. */
export interface NatsAddress {
  readonly scheme: 'nats';
  /** `host:port` of every server given, in order. */
  readonly servers: readonly string[];
  /** The host's name on NATS, if the URL names one. */
  readonly hostName: string | undefined;
  /** Canonical spelling. */
  readonly url: string;
}

// Host names become one token of a NATS subject: no dots, wildcards or whitespace.
const HOST_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SERVER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})$/;

/** The servers part of a NATS URL, without a host name. */
export function natsServersUrl(servers: readonly string[]): string {
  return `nats://${servers.join(',')}`;
}

/** The URL of the host `hostName` on those servers. */
export function natsHostUrl(servers: readonly string[], hostName: string): string {
  return `${natsServersUrl(servers)}/${hostName}`;
}

/** Whether `name` can name a host on NATS. */
export function isNatsHostName(name: string): boolean {
  return HOST_NAME.test(name);
}

/** Parses `nats://server[,server...][/hostName]`. @throws UrlError */
export function parseNatsUrl(url: string): NatsAddress {
  const bad = (why: string): UrlError => new UrlError(`invalid URL ${JSON.stringify(url)}: ${why}`);
  const m = /^nats:\/\/([^/?#]*)(?:\/([^?#]*))?$/i.exec(url);
  if (m === null) {
    if (/[?#]/.test(url)) throw bad('a query or fragment is not allowed; expected nats://host:port[/hostName]');
    throw bad('expected nats://host:port[,host:port...][/hostName]');
  }
  const list = m[1]!;
  if (list === '') throw bad('a server is required (nats://host:port)');
  if (list.includes('@')) throw bad('credentials are not allowed in the URL');
  const servers = list.split(',').map((s) => {
    const server = SERVER.exec(s);
    if (server === null) throw bad(`"${s}" is not host:port`);
    const port = Number(server[2]);
    if (port < 1 || port > 65535) throw bad(`port ${port} is out of range 1..65535`);
    return s;
  });
  let hostName: string | undefined;
  const path = m[2];
  if (path !== undefined && path !== '') {
    if (!isNatsHostName(path)) {
      throw bad(`"${path}" is not a host name (1-64 letters, digits, "_" or "-")`);
    }
    hostName = path;
  }
  return {
    scheme: 'nats',
    servers,
    hostName,
    url: hostName === undefined ? natsServersUrl(servers) : natsHostUrl(servers, hostName),
  };
}
