// One NATS client connection per server list per process, shared by every host listener, host
// tunnel and node discovery that uses those servers, and closed when the last of them lets go.
// A tsro node reaching ten hosts through one NATS cluster holds one NATS connection, not ten.
//
// NATS core delivers at most once: while the client is cut off from its server, messages are
// lost. So every user of a pooled connection hears of a disconnect (and of the reconnect after
// it) and treats the tunnels it carried as broken; tsro's own reconnect logic takes over.

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ConnectError } from '../../errors';
import { natsServersUrl } from './nats-url';

/** What a user of a pooled connection hears about it. */
export interface NatsLinkListener {
  /** The client lost its server: messages in flight may be lost. */
  disconnected?(): void;
  /** The client is connected again (to the same or another server of the cluster). */
  reconnected?(): void;
}

/** A user's share of a pooled NATS connection. */
export interface NatsLease {
  readonly nc: NatsConnection;
  /** `nats://servers`, for messages. */
  readonly serversUrl: string;
  /** False while the client is cut off from every server (it keeps trying). */
  readonly connected: boolean;
  listen(listener: NatsLinkListener): () => void;
  /** Gives the share back; the connection closes when no share is left. */
  release(): Promise<void>;
}

interface Pooled {
  readonly connecting: Promise<NatsConnection>;
  users: number;
  connected: boolean;
  readonly listeners: Set<NatsLinkListener>;
}

const pool = new Map<string, Pooled>();

async function watch(nc: NatsConnection, entry: Pooled): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect') {
      entry.connected = false;
      for (const l of [...entry.listeners]) l.disconnected?.();
    } else if (s.type === 'reconnect') {
      entry.connected = true;
      for (const l of [...entry.listeners]) l.reconnected?.();
    }
  }
}

/** Takes a share of the connection to `servers`, connecting first if nobody holds one. */
export async function leaseNats(servers: readonly string[]): Promise<NatsLease> {
  const key = servers.join(',');
  const serversUrl = natsServersUrl(servers);
  let entry = pool.get(key);
  if (entry === undefined) {
    const listeners = new Set<NatsLinkListener>();
    const connecting = connect({
      servers: [...servers],
      name: 'tsro',
      // Keep trying for as long as someone holds the lease: a NATS server restart must not
      // leave hosts and nodes behind for good.
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: false,
    });
    const created: Pooled = { connecting, users: 0, connected: true, listeners };
    entry = created;
    pool.set(key, created);
    connecting.then(
      (nc) => void watch(nc, created).catch(() => {}),
      () => {
        if (pool.get(key) === created) pool.delete(key);
      },
    );
  }
  entry.users++;
  let nc: NatsConnection;
  try {
    nc = await entry.connecting;
  } catch (err) {
    entry.users--;
    throw new ConnectError(`cannot reach the NATS server at ${serversUrl}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const held = entry;
  let released = false;
  return {
    nc,
    serversUrl,
    get connected() {
      return held.connected;
    },
    listen(listener) {
      held.listeners.add(listener);
      return () => held.listeners.delete(listener);
    },
    async release() {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      if (pool.get(key) === held) pool.delete(key);
      // Flush what was published (a host's goodbye) before closing, but never wait long on a
      // server that is gone.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([nc.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, 500)))]).catch(() => {});
      clearTimeout(timer);
      await nc.close().catch(() => {});
    },
  };
}
