// Compiled without emitDecoratorMetadata: every type given explicitly, which needs no metadata.
import { Host, Node, Property, RemoteObjectType, Signal, Slot } from 'tsro';

@RemoteObjectType('Meter')
export class Meter {
  @Property({ type: 'double' }) reading = 1.5;
  @Signal({ params: ['string'] }) tick(label: string): void {}
  @Slot({ params: ['double'], returns: 'double' }) twice(x: number): number {
    return x * 2;
  }
}

async function main(): Promise<void> {
  const host = new Host('tcp://127.0.0.1:0');
  const node = new Node();
  try {
    await host.listening;
    if (!host.enableRemoting(new Meter())) throw new Error('enableRemoting returned false');
    await node.connectToNode(host.hostUrl);
    const m = node.acquire(Meter);
    if (!(await m.waitForSource(5000))) throw new Error('replica not valid');
    const twice = await m.twice(2);
    if (m.reading !== 1.5 || twice !== 4) throw new Error(`got reading ${m.reading}, twice ${twice}`);
    console.log(`CONSUMER OK ${JSON.stringify([m.reading, twice])}`);
  } finally {
    await node.close();
    await host.close();
  }
}
void main();
