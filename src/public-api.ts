// The platform-free part of tsro's public API: what a node and its replicas need, exported by
// both entry points ('tsro' adds hosts, sockets, files and the CLI's Node.js edge; 'tsro/browser'
// adds the runtime's own WebSocket). Everything here, and everything it imports, runs without a
// Node.js built-in: spec/build/browser-bundle.spec.ts bundles it for platform 'browser' to prove
// it. The compiled output is CommonJS, which bundlers cannot tree-shake, so a name added here is
// in every browser app: add only what a node side needs.
import 'reflect-metadata';

export {
  TsroError, UrlError, ListenError, ConnectError, ProtocolError, DisconnectedError, NotValidError, AuthError,
  LimitError, TimeoutError, CancelledError, UsageError, RemoteError, PersistenceError, type TsroErrorCode,
} from './errors';
export { RemoteObjectType, Property, Signal, Slot, ValueType, Field, notifyPropertyChanged } from './api';
export type { PropertyOptions, PropertyDecoratorFunction, SignalOptions, SlotOptions, FieldOptions, WireType, ScalarType } from './api';
export type { TypeSpec, EnumType, EnumMembers, ValueTypeRef, ChildTypeRef } from './api';
export type { ApiDescription, PropertyDescription, PropertyMode, MethodDescription, ParamDescription } from './api';
export type { AnyClass } from './api/metadata';
export type { ClassLike } from './api/wire-type';
export { Node, type NodeOptions, type NodeEvents, type ConnectOptions, type RemoteObjectLocation, type ReconnectOptions } from './node/node';
export { DynamicReplica } from './replica/dynamic-replica';
export type { Replica, ReplicaEvents, ReplicaLifecycleEvents } from './replica/replica-types';
export type { SignatureMismatch, ApiDifference } from './api/api-diff';
export type { ReplicaState } from './replica/replica-state';
export type { CallOptions, WaitOptions } from './replica/call-options';
export { ModelReplica, type ModelReplicaOptions, type ModelFetchOptions, type ModelReplicaEvents } from './model/model-replica';
export { consoleLogger, silentLogger, type Logger } from './util/logger';
export type { Timers } from './util/timers';
export { MemoryPersistedStore, type PersistedStore } from './persistence/persisted-store';
export { RegistrySource, type SourceLocation } from './registry/registry-source';
export { registerConnector, unregisterConnector } from './transport/connectors';
export type { Connector, ConnectorOptions, FrameLink, DuplexStream, HostDiscovery, HostDiscoveryEvents } from './transport/frame-link';
export type { TransportAddress, WebSocketAddress } from './transport/url';
