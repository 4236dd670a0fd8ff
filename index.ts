// Package entry point: the public API of tsro (pinned in shared/API.md).
import 'reflect-metadata';

export * from './errors';
export { RemoteObjectType, Property, Signal, Slot, ValueType, Field } from './decorators';
export type { PropertyOptions, SignalOptions, SlotOptions, FieldOptions, WireType, ScalarType } from './decorators';
export type { TypeSpec, EnumType, EnumMembers, ValueTypeRef } from './decorators';
export type { ApiDescription, PropertyDescription, PropertyMode, MethodDescription, ParamDescription } from './decorators';
export { Node, type NodeOptions } from './lib/node';
export { Host, type HostOptions } from './lib/host';
export { DynamicReplica } from './lib/dynamic-replica';
export type { Replica, ReplicaEvents } from './lib/replica-types';
export type { ReplicaState } from './lib/replica-state';
export { consoleLogger, silentLogger, type Logger } from './lib/logger';
export type { Timers } from './lib/timers';
export type { PersistedStore } from './lib/persisted-store';
export { MemoryPersistedStore } from './lib/persisted-store';
export { FilePersistedStore, PersistenceError } from './lib/file-persisted-store';
export { RegistryHost } from './lib/registry-host';
export { RegistrySource, type SourceLocation } from './lib/registry-source';
export type { RemoteObjectLocation, ReconnectOptions } from './lib/node';
export { registerTransportScheme, unregisterTransportScheme, type TransportScheme } from './lib/transport-schemes';
export type { TlsOptions, TlsClientOptions, TlsServerOptions } from './transport/tls-options';
export { adaptSource } from './lib/source-adapter';
export type { SourceAdapter, SourceAdapterControls, SourceAdapterOptions, PropertyMapping, PropertyConversion, SlotMapping, SignalForwarding } from './lib/source-adapter';
export type { AnyClass } from './decorators/metadata';
export type { ClassLike } from './decorators/wire-type';
export type { TlsPem, TlsKey } from './transport/tls-options';
