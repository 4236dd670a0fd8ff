// The GPS receiver's remote API, as both sides see it: QtRO's first documentation scenario
// (a source that publishes a changing position, replicas that follow it).
//
// This class only DECLARES the API. It has no behaviour and no side effects, because a node
// constructs it once, with no arguments, to read the defaults a typed replica shows before it
// is initialized (`node.acquire(GpsApi)`). The behaviour lives in a subclass on the host side
// (gps-source.ts), which has the same API signature: members a subclass adds are not remoted.

import { Property, RemoteObjectType, Signal } from 'tsro';

@RemoteObjectType('GpsReceiver')
export class GpsApi {
  // `: number` matters: without a type annotation `design:type` is Object and the wire type
  // would be `any`. With it, reflection metadata gives `double`.
  @Property() latitude: number = 0;
  @Property() longitude: number = 0;
  // Metadata cannot tell an integer from a double: say so.
  @Property({ type: 'int32' }) satellites = 0;
  // Only the receiver decides whether it has a fix; replicas may not set it.
  @Property({ readonly: true }) fix: boolean = false;

  /** Emitted after every new position (latitude and longitude are already updated). */
  @Signal() positionUpdated(lat: number, lon: number): Signal {}
}
