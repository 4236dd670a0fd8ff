// Package entry point ('tsro'): the platform-free public API (public-api.ts) and, for Node.js,
// hosts, registries, files, sockets and source adapters.
import 'reflect-metadata';
// First: the Node.js edge of the core (Buffer-based platform, tcp/tls/local connectors), before
// anything uses it.
import './transport/node/node-transports';

export * from './public-api';
export { Host, type HostOptions, type HostEvents, type PressureChange } from './host/host';
export { FilePersistedStore } from './persistence/file-persisted-store';
export { RegistryHost } from './registry/registry-host';
export { registerTransportScheme, unregisterTransportScheme, type TransportScheme } from './transport/node/transport-schemes';
export type { TlsOptions, TlsClientOptions, TlsServerOptions, TlsPem, TlsKey } from './transport/node/tls-options';
export type { HttpServer } from './transport/node/websocket-server';
export { adaptSource } from './host/source-adapter';
export type { SourceAdapter, SourceAdapterControls, SourceAdapterOptions, PropertyMapping, PropertyConversion, SlotMapping, SignalForwarding } from './host/source-adapter';
export { currentCall, type CallContext } from './host/call-context';
export { ListModel, type ListModelOptions, type ListModelEvents } from './model/list-model';
