// Compiled without emitDecoratorMetadata: a property whose type only metadata could tell.
import { Property, RemoteObjectType } from 'tsro';

@RemoteObjectType('Meter')
export class Meter {
  @Property() reading: number = 1.5;
}
console.log(`CONSUMER OK ${new Meter().reading}`);
