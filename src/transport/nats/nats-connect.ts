// The node side of nats:// : opens a tunnel to one host by name. The node's inbox is subscribed
// before the host is asked, so the host's handshake, sent the moment it accepts, is never missed.

import type { Duplex } from 'node:stream';
import { createInbox, errors } from '@nats-io/transport-node';
import { ConnectError, UrlError } from '../../errors';
import { leaseNats } from './nats-pool';
import { NATS_HOST_SILENCE_MS, NatsTunnel } from './nats-tunnel';
import { NatsStreamSubscriber } from './nats-shared-streams';
import { SHARED_STREAMS } from '../shared-streams';
import type { NatsAddress } from './nats-url';
import { hostOpenSubject } from './nats-subjects';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How long a host may take to answer an open request. */
const OPEN_TIMEOUT_MS = 5000;

/** Opens a byte stream to the host `address.hostName` through NATS. @throws ConnectError */
export async function connectNats(address: NatsAddress): Promise<Duplex> {
  const name = address.hostName;
  if (name === undefined) {
    throw new UrlError(`${address.url} names NATS servers, not a host: connectToNode() discovers the hosts there`);
  }
  const lease = await leaseNats(address.servers);
  if (!lease.connected) {
    // The client is between servers: asking now would only wait out the timeout. Fail at once;
    // the node retries with its backoff, and a host's hello after the reconnect brings it back.
    await lease.release();
    throw new ConnectError(`cannot connect to ${address.url}: the NATS client is reconnecting to ${lease.serversUrl}`);
  }
  const inbox = createInbox();
  const tunnel = new NatsTunnel(lease, inbox, undefined, address.url, NATS_HOST_SILENCE_MS);
  try {
    const answer = await lease.nc.request(hostOpenSubject(name), encoder.encode(inbox), { timeout: OPEN_TIMEOUT_MS });
    tunnel.connectTo(decoder.decode(answer.data));
    Object.defineProperty(tunnel, SHARED_STREAMS, { value: new NatsStreamSubscriber(lease, name, () => tunnel.noteAlive()) });
    return tunnel;
  } catch (err) {
    tunnel.destroy();
    if (err instanceof errors.NoRespondersError || (err instanceof errors.RequestError && err.isNoResponders())) {
      throw new ConnectError(`cannot connect to ${address.url}: no tsro host named "${name}" offers on ${lease.serversUrl}`, err);
    }
    if (err instanceof errors.TimeoutError || (err as Error).cause instanceof errors.TimeoutError) {
      throw new ConnectError(`cannot connect to ${address.url}: the host did not answer within ${OPEN_TIMEOUT_MS} ms`, err);
    }
    throw new ConnectError(`cannot connect to ${address.url}: ${(err as Error).message}`, err);
  }
}
