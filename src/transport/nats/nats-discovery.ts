// The node side of a bare nats://servers URL: learns which tsro hosts offer on that NATS and
// when they go. A node connects to each host it learns of (through a NatsTunnel) and drops it
// when the host says goodbye or its beacon stops (NATS_BEACON_MS x 3: a host killed without a
// word is noticed within about three seconds).

import { HOSTS_ALL, HOSTS_BYE, HOSTS_DISCOVER, HOSTS_HELLO, NATS_BEACON_MS } from './nats-subjects';
import { leaseNats, type NatsLease } from './nats-pool';
import { isNatsHostName, natsHostUrl, type NatsAddress } from './nats-url';
import type { Subscription } from '@nats-io/transport-node';

const decoder = new TextDecoder();

/** What discovery tells its node. */
export interface NatsDiscoveryEvents {
  /** A host appeared (or came back): its URL, `nats://servers/name`. */
  found(hostUrl: string): void;
  /** A host said goodbye or fell silent. */
  lost(hostUrl: string): void;
}

export class NatsDiscovery {
  readonly #address: NatsAddress;
  readonly #events: NatsDiscoveryEvents;
  readonly #lastHeard = new Map<string, number>();
  #lease: NatsLease | undefined;
  #subscription: Subscription | undefined;
  #sweep: ReturnType<typeof setInterval> | undefined;
  #unlisten: (() => void) | undefined;
  #closed = false;

  constructor(address: NatsAddress, events: NatsDiscoveryEvents) {
    this.#address = address;
    this.#events = events;
  }

  /** Hosts currently known, by URL. */
  get hosts(): string[] {
    return [...this.#lastHeard.keys()].map((name) => natsHostUrl(this.#address.servers, name));
  }

  /**
   * Connects to NATS, listens for hosts and asks every host to answer; resolves with the hosts
   * that answered (their URLs), once answers stop coming (100 ms without one, 1 s at most).
   */
  async start(): Promise<string[]> {
    const lease = await leaseNats(this.#address.servers);
    if (this.#closed) {
      await lease.release();
      return [];
    }
    this.#lease = lease;
    this.#subscription = lease.nc.subscribe(HOSTS_ALL, {
      callback: (err, msg) => {
        if (err) return;
        const name = decoder.decode(msg.data);
        if (!isNatsHostName(name)) return;
        if (msg.subject === HOSTS_BYE) this.#lose(name);
        else if (msg.subject !== HOSTS_DISCOVER) this.#hear(name, msg.subject === HOSTS_HELLO);
      },
    });
    // After a NATS outage, ask again: hosts' hellos may have been missed.
    this.#unlisten = lease.listen({ reconnected: () => void this.#discover() });
    this.#sweep = setInterval(() => this.#sweepSilent(), NATS_BEACON_MS);
    await lease.nc.flush();
    return this.#discover();
  }

  async #discover(): Promise<string[]> {
    const lease = this.#lease;
    if (!lease || this.#closed) return [];
    const found: string[] = [];
    try {
      const answers = await lease.nc.requestMany(HOSTS_DISCOVER, undefined, { strategy: 'stall', stall: 100, maxWait: 1000 });
      for await (const m of answers) {
        const name = decoder.decode(m.data);
        if (!isNatsHostName(name)) continue;
        found.push(natsHostUrl(this.#address.servers, name));
        this.#hear(name, false);
      }
    } catch {
      // No host answered (no responders), or the connection dropped: beacons will tell.
    }
    return found;
  }

  #hear(name: string, hello: boolean): void {
    if (this.#closed) return;
    const known = this.#lastHeard.has(name);
    this.#lastHeard.set(name, Date.now());
    // A hello from a known host is a restarted host: tell the node, which reconnects at once.
    if (!known || hello) this.#events.found(natsHostUrl(this.#address.servers, name));
  }

  #lose(name: string): void {
    if (!this.#lastHeard.delete(name)) return;
    this.#events.lost(natsHostUrl(this.#address.servers, name));
  }

  #sweepSilent(): void {
    const limit = Date.now() - 3 * NATS_BEACON_MS;
    for (const [name, at] of this.#lastHeard) if (at < limit) this.#lose(name);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#unlisten?.();
    this.#subscription?.unsubscribe();
    this.#lastHeard.clear();
    await this.#lease?.release();
  }
}
