// Compiled without experimentalDecorators: TypeScript applies standard decorators instead.
import { Property, RemoteObjectType } from 'tsro';

@RemoteObjectType('Meter')
export class Meter {
  @Property() reading = 1.5;
}
console.log(`CONSUMER OK ${new Meter().reading}`);
