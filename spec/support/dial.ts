// A source with a persisted property, for tests of what a node keeps when it closes.

import { Property, RemoteObjectType } from '../../src/index';

@RemoteObjectType('Dial')
export class Dial {
  @Property({ persisted: true }) level = 0;
}
