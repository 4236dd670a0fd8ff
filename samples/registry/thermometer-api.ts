// The API of a thermometer, shared by the sensor hosts and the monitor.

import { Property, RemoteObjectType } from 'tsro';

@RemoteObjectType('Thermometer')
export class ThermometerApi {
  @Property({ readonly: true }) room: string = '';
  @Property({ readonly: true }) celsius: number = 0;
}
