// Entry point for browsers and other non-Node.js runtimes (`import ... from 'tsro/browser'`): the
// node side of tsro (Node, typed and dynamic replicas, the registry client, errors, decorators)
// on the platform-free core, with no Node.js built-in anywhere in its imports (npm test bundles it
// with esbuild for platform 'browser' to prove it: spec/build/browser-bundle.spec.ts). Nodes
// connect by URL through the connectors registered for its scheme (registerConnector); ws:// and
// wss:// are registered by the WebSocket transport where the platform has a WebSocket. Hosts,
// sockets, files and the CLI are Node.js-only: import them from 'tsro'.
import 'reflect-metadata';
import { registerConnector } from './transport/connectors';
import { webSocketConnector } from './transport/websocket-link';

export {
  TsroError, UrlError, ListenError, ConnectError, ProtocolError, DisconnectedError, NotValidError, AuthError,
  LimitError, TimeoutError, UsageError, RemoteError, PersistenceError, type TsroErrorCode,
} from './errors';
export { RemoteObjectType, Property, Signal, Slot, ValueType, Field } from './api';
export type { PropertyOptions, SignalOptions, SlotOptions, FieldOptions, WireType, ScalarType } from './api';
export type { TypeSpec, EnumType, EnumMembers, ValueTypeRef } from './api';
export type { ApiDescription, PropertyDescription, PropertyMode, MethodDescription, ParamDescription } from './api';
export { Node, type NodeOptions, type RemoteObjectLocation, type ReconnectOptions } from './node/node';
export { DynamicReplica } from './replica/dynamic-replica';
export type { Replica, ReplicaEvents } from './replica/replica-types';
export type { ReplicaState } from './replica/replica-state';
export { consoleLogger, silentLogger, type Logger } from './util/logger';
export type { Timers } from './util/timers';
export type { PersistedStore } from './persistence/persisted-store';
export { MemoryPersistedStore } from './persistence/persisted-store';
export { RegistrySource, type SourceLocation } from './registry/registry-source';
export { registerConnector, unregisterConnector } from './transport/connectors';
export type { Connector, ConnectorOptions, FrameLink } from './transport/frame-link';
export type { AnyClass } from './api/metadata';
export type { ClassLike } from './api/wire-type';

// ws:// and wss:// through the runtime's own WebSocket (src/transport/websocket-link.ts), where
// there is one.
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') {
  registerConnector('ws', webSocketConnector);
  registerConnector('wss', webSocketConnector);
}
