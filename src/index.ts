// Package entry point: the public API of tsro (pinned in shared/API.md).
import 'reflect-metadata';
// First: the Node.js edge of the core (Buffer-based platform, tcp/tls/local connectors), before
// anything uses it.
import './transport/node/node-transports';

export {
  TsroError, UrlError, ListenError, ConnectError, ProtocolError, DisconnectedError, NotValidError, AuthError,
  LimitError, TimeoutError, CancelledError, UsageError, RemoteError, PersistenceError, type TsroErrorCode,
} from './errors';
export { RemoteObjectType, Property, Signal, Slot, ValueType, Field, notifyPropertyChanged } from './api';
export type { PropertyOptions, PropertyDecoratorFunction, SignalOptions, SlotOptions, FieldOptions, WireType, ScalarType } from './api';
export type { TypeSpec, EnumType, EnumMembers, ValueTypeRef } from './api';
export type { ApiDescription, PropertyDescription, PropertyMode, MethodDescription, ParamDescription } from './api';
export { Node, type NodeOptions, type NodeEvents, type ConnectOptions } from './node/node';
export { Host, type HostOptions, type HostEvents, type PressureChange } from './host/host';
export { DynamicReplica } from './replica/dynamic-replica';
export type { Replica, ReplicaEvents } from './replica/replica-types';
export type { ReplicaState } from './replica/replica-state';
export { consoleLogger, silentLogger, type Logger } from './util/logger';
export type { Timers } from './util/timers';
export type { PersistedStore } from './persistence/persisted-store';
export { MemoryPersistedStore } from './persistence/persisted-store';
export { FilePersistedStore } from './persistence/file-persisted-store';
export { RegistryHost } from './registry/registry-host';
export { RegistrySource, type SourceLocation } from './registry/registry-source';
export type { RemoteObjectLocation, ReconnectOptions } from './node/node';
export { registerTransportScheme, unregisterTransportScheme, type TransportScheme } from './transport/node/transport-schemes';
export { registerConnector, unregisterConnector } from './transport/connectors';
export type { Connector, ConnectorOptions, FrameLink, DuplexStream } from './transport/frame-link';
export type { TlsOptions, TlsClientOptions, TlsServerOptions } from './transport/node/tls-options';
export { adaptSource } from './host/source-adapter';
export { currentCall, type CallContext } from './host/call-context';
export type { CallOptions, WaitOptions } from './replica/call-options';
export type { SourceAdapter, SourceAdapterControls, SourceAdapterOptions, PropertyMapping, PropertyConversion, SlotMapping, SignalForwarding } from './host/source-adapter';
export type { AnyClass } from './api/metadata';
export type { ClassLike } from './api/wire-type';
export type { TlsPem, TlsKey } from './transport/node/tls-options';
export { ListModel, type ListModelOptions, type ListModelEvents } from './model/list-model';
export { ModelReplica, type ModelReplicaOptions, type ModelFetchOptions, type ModelReplicaEvents } from './model/model-replica';
