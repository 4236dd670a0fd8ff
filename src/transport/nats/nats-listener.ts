// The host side of nats:// : offers a host under a name on NATS. It announces the host (hello,
// a beacon every NATS_BEACON_MS, bye on close), answers discovery, and turns every node's open
// request into a NatsTunnel handed to the host like an accepted socket.

import type { Duplex } from 'node:stream';
import { nuid, type Subscription } from '@nats-io/transport-node';
import { ListenError } from '../../errors';
import { leaseNats, type NatsLease } from './nats-pool';
import { NATS_NODE_SILENCE_MS, NatsTunnel } from './nats-tunnel';
import { NatsStreamPublisher } from './nats-shared-streams';
import { SHARED_STREAMS } from '../shared-streams';
import { natsHostUrl, type NatsAddress } from './nats-url';
import {
  HOSTS_ALIVE,
  HOSTS_BYE,
  HOSTS_DISCOVER,
  HOSTS_HELLO,
  NATS_BEACON_MS,
  hostOpenSubject,
  hostPingSubject,
  hostTunnelSubject,
} from './nats-subjects';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Offers a host on NATS; resolves with its URL (`nats://servers/name`) and a way to stop. */
export async function listenNats(
  address: NatsAddress,
  onConnection: (stream: Duplex) => void,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  let lease: NatsLease;
  try {
    lease = await leaseNats(address.servers);
  } catch (err) {
    throw new ListenError(`cannot listen on ${address.url}: ${(err as Error).message}`, err);
  }
  const { nc } = lease;
  const name = address.hostName ?? `h${nuid.next()}`;
  const url = natsHostUrl(address.servers, name);

  // Two hosts under one name would split the nodes between them: the second one is refused.
  try {
    await nc.request(hostPingSubject(name), undefined, { timeout: 250 });
    await lease.release();
    throw new ListenError(`cannot listen on ${url}: a host named "${name}" already offers on ${lease.serversUrl}`);
  } catch (err) {
    if (err instanceof ListenError) throw err;
    // No responders (or no answer in time): the name is free.
  }

  const nameBytes = encoder.encode(name);
  // Changes of a source go out once for all the nodes reading it through NATS.
  const streams = new NatsStreamPublisher(lease, name);
  const subscriptions: Subscription[] = [
    nc.subscribe(hostPingSubject(name), { callback: (_e, m) => void m.respond() }),
    nc.subscribe(HOSTS_DISCOVER, { callback: (_e, m) => void m.respond(nameBytes) }),
    nc.subscribe(hostOpenSubject(name), {
      callback: (err, m) => {
        if (err || !m.reply) return;
        const nodeInbox = decoder.decode(m.data);
        if (!/^[A-Za-z0-9_.-]{1,200}$/.test(nodeInbox)) return;
        void leaseNats(address.servers).then((tunnelLease) => {
          const subject = hostTunnelSubject(name, nuid.next());
          // Subscribed (in the constructor) before the node learns the subject.
          const tunnel = new NatsTunnel(tunnelLease, subject, nodeInbox, `a node on ${lease.serversUrl}`, NATS_NODE_SILENCE_MS);
          Object.defineProperty(tunnel, SHARED_STREAMS, { value: streams });
          m.respond(encoder.encode(subject));
          onConnection(tunnel);
        }, () => {});
      },
    }),
  ];
  const hello = (): void => nc.publish(HOSTS_HELLO, nameBytes);
  const unlisten = lease.listen({ reconnected: hello });
  const beacon = setInterval(() => {
    nc.publish(HOSTS_ALIVE, nameBytes);
    streams.mark();
  }, NATS_BEACON_MS);
  hello();
  await nc.flush();

  let closed = false;
  return {
    url,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(beacon);
      unlisten();
      for (const s of subscriptions) s.unsubscribe();
      if (!nc.isClosed()) nc.publish(HOSTS_BYE, nameBytes);
      await lease.release();
    },
  };
}
