// The decorators layer: declaring a remote API on an ordinary class.
export { RemoteObjectType } from './remote-object-type';
export { Property, notifyPropertyChanged, type PropertyOptions, type PropertyDecoratorFunction } from './property';
export { Signal, type SignalOptions } from './signal';
export { Slot, type SlotOptions } from './slot';
export { ValueType, Field, type FieldOptions } from './value-type';
export type { WireType, ScalarType, TypeSpec, EnumType, EnumMembers, ValueTypeRef, ChildTypeRef } from './wire-type';
export type { ApiDescription, PropertyDescription, PropertyMode, MethodDescription, ParamDescription } from './api-description';
export { apiOf, type AnyClass } from './metadata';
