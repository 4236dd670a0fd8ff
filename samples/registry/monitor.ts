// The monitor: knows only the registry's URL. It finds the thermometers, connects to their hosts
// by itself, prints a few readings from each, and exits.
//   node dist/samples/registry/monitor.js <registryUrl> <room> [room...]

import { Node } from 'tsro';
import { ThermometerApi } from './thermometer-api';

const READINGS = 3;

async function main(): Promise<void> {
  const [registryUrl, ...rooms] = process.argv.slice(2);
  if (!registryUrl || rooms.length === 0) throw new Error('usage: monitor.js <registryUrl> <room> [room...]');
  const node = new Node({ registryUrl });
  node.on('remoteObjectAdded', ({ name, typeName, url }) => console.log(`registry: ${typeName} "${name}" at ${url}`));
  if (!(await node.waitForRegistry(5000))) throw new Error(`no registry at ${registryUrl}`);
  const done = rooms.map(async (room) => {
    const t = node.acquire(ThermometerApi, room);
    if (!(await t.waitForSource(5000))) throw new Error(`${room}: no thermometer appeared`);
    console.log(`${room}: ${t.celsius} °C (replica ${t.state})`);
    await new Promise<void>((resolve) => {
      let seen = 0;
      t.on('celsiusChanged', (c) => {
        console.log(`${room}: ${c} °C`);
        if (++seen === READINGS) resolve();
      });
    });
  });
  await Promise.all(done);
  console.log(`instances of Thermometer: ${node.instances('Thermometer').join(', ')}`);
  await node.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
