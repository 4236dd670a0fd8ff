// The `tsro-test:` URL scheme that joins a TestNetwork's nodes to its host. In memory, a host
// listening on `tsro-test:net-N` is handed one end of an in-process stream pair per connection
// (no socket, no port, nothing left open once both ends are closed). Over loopback, the host
// listens on a real tcp:// or local: address and connecting to `tsro-test:net-N` opens a real
// socket to it. Either way the network holds every stream it made, so a test can cut them (a
// lost connection) or refuse new ones for a while (a host that cannot be reached).

import type { Duplex } from 'node:stream';
import { ConnectError, ListenError } from '../errors';
import { registerTransportScheme } from '../transport/node/transport-schemes';
import { duplexPair } from '../transport/node/duplex-pair';

export const TEST_SCHEME = 'tsro-test';

/** What a network does when one of its nodes connects to its `tsro-test:` URL. */
export type TestConnector = () => Promise<Duplex>;

const connectors = new Map<string, TestConnector>();
const listeners = new Map<string, (stream: Duplex) => void>();
let registered = false;
let networks = 0;

function ensureRegistered(): void {
  if (registered) return;
  registerTransportScheme(TEST_SCHEME, {
    connect(url) {
      const connector = connectors.get(url);
      if (!connector) return Promise.reject(new ConnectError(`no test network at ${url} (closed?)`));
      return connector();
    },
    async listen(url, onConnection) {
      if (listeners.has(url)) throw new ListenError(`${url} is already listening`);
      listeners.set(url, onConnection);
      return {
        url,
        close: async () => {
          if (listeners.get(url) === onConnection) listeners.delete(url);
        },
      };
    },
  });
  registered = true;
}

/** A fresh `tsro-test:` URL, served by `connector` until `release` is called. */
export function claimTestUrl(connector: TestConnector): { readonly url: string; release(): void } {
  ensureRegistered();
  const url = `${TEST_SCHEME}:net-${process.pid}-${++networks}`;
  connectors.set(url, connector);
  return { url, release: () => void connectors.delete(url) };
}

/** In memory: a stream pair, one end handed to the host listening on `url`. */
export function connectInMemory(url: string): [mine: Duplex, theirs: Duplex] {
  const accept = listeners.get(url);
  if (!accept) throw new ConnectError(`nothing is listening on ${url}`);
  const [mine, theirs] = duplexPair();
  accept(theirs);
  return [mine, theirs];
}
