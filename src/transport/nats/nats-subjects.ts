// The NATS subjects tsro uses. Everything lives under `tsro.`; a host is one subject token.
//
//   tsro.hosts.hello      a host started (or its client reconnected); body: the host's name
//   tsro.hosts.alive      every NATS_BEACON_MS from every host; body: the host's name
//   tsro.hosts.bye        a host is closing; body: the host's name
//   tsro.hosts.discover   request; every host answers with its name (a node's first look)
//   tsro.h.<host>.open    request from a node; body: the node's inbox; answer: the tunnel subject
//                         the host reads for that node
//   tsro.h.<host>.t.<id>  one tunnel, node -> host (host -> node goes to the node's inbox)
//   tsro.h.<host>.ping    request; answered by the host: a name is taken

export const HOSTS_HELLO = 'tsro.hosts.hello';
export const HOSTS_ALIVE = 'tsro.hosts.alive';
export const HOSTS_BYE = 'tsro.hosts.bye';
export const HOSTS_DISCOVER = 'tsro.hosts.discover';
export const HOSTS_ALL = 'tsro.hosts.*';

/** How often a host says it is alive; a node takes it for gone after 3 silent intervals. */
export const NATS_BEACON_MS = 1000;

export function hostOpenSubject(host: string): string {
  return `tsro.h.${host}.open`;
}

export function hostPingSubject(host: string): string {
  return `tsro.h.${host}.ping`;
}

export function hostTunnelSubject(host: string, id: string): string {
  return `tsro.h.${host}.t.${id}`;
}
