// The NATS transport's entry, loaded by the scheme registry on first use of a nats:// URL.
export { connectNats } from './nats-connect';
export { listenNats } from './nats-listener';
export { NatsDiscovery } from './nats-discovery';
