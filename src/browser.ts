// Entry point for browsers and other non-Node.js runtimes (`import ... from 'tsro/browser'`): the
// node side of tsro (Node, typed and dynamic replicas, the registry client, errors, decorators)
// on the platform-free core, with no Node.js built-in anywhere in its imports (npm test bundles it
// with esbuild for platform 'browser' to prove it: spec/build/browser-bundle.spec.ts). Nodes
// connect by URL through the connectors registered for its scheme (registerConnector); ws:// and
// wss:// are registered by the WebSocket transport where the platform has a WebSocket. Hosts,
// sockets, files and the CLI are Node.js-only: import them from 'tsro'.
import { registerConnector } from './transport/connectors';
import { webSocketConnector } from './transport/websocket-link';

export * from './public-api';

// ws:// and wss:// through the runtime's own WebSocket (src/transport/websocket-link.ts), where
// there is one.
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') {
  registerConnector('ws', webSocketConnector);
  registerConnector('wss', webSocketConnector);
}
