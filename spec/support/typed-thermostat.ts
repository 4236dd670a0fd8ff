// API classes for the replica type tests (spec/types/replica-events-types.ts) and their run-time
// twin (spec/lib/replica-events.spec.ts): signals declared with the `Signal` return type, a
// service that implements the API class, and older code whose signals are declared `: void`.

import 'reflect-metadata';
import { Property, RemoteObjectType, Signal, Slot } from '../../src/index';

/** An API class whose signals are declared with the `Signal` return type. */
@RemoteObjectType('TypesThermostat')
export class Thermostat {
  @Property() temperature = 20;
  @Property() label = 'hall';
  @Signal() alarm(_level: number, _message: string): Signal {}
  @Signal() reset(): Signal {}
  @Slot() setTarget(_target: number): void {}
  @Slot() async calibrate(offset: number): Promise<number> {
    return offset;
  }
}

/** The service: the API class's slots implemented, plus public members of its own. */
export class ThermostatService extends Thermostat {
  readonly sensorId: string = 's1';
  override setTarget(target: number): void {
    this.temperature = target;
  }
  logState(): string {
    return `${this.label}: ${this.temperature}`;
  }
}

/** Older code: signals declared `: void`, so a void method may be either. */
@RemoteObjectType('TypesLegacy')
export class Legacy {
  @Property() level = 1;
  @Signal() jammed(_page: number): void {}
  @Slot() async print(doc: string): Promise<number> {
    return doc.length;
  }
}

