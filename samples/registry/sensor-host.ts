// A sensor host: publishes one thermometer, named after its room, to the registry, and moves its
// temperature every 100 ms.
//   node dist/samples/registry/sensor-host.js <url> <registryUrl> <room> <celsius>

import { Host } from 'tsro';
import { shutdownRequested } from '../shutdown-requested';
import { reportListening } from './process-control';
import { ThermometerApi } from './thermometer-api';

async function main(): Promise<void> {
  const [url = 'tcp://127.0.0.1:0', registryUrl, room = 'room', start = '20'] = process.argv.slice(2);
  if (!registryUrl) throw new Error('usage: sensor-host.js <url> <registryUrl> <room> <celsius>');
  const host = new Host(url, { registryUrl });
  await host.listening;
  const thermometer = new ThermometerApi();
  thermometer.room = room;
  thermometer.celsius = Number(start);
  host.enableRemoting(thermometer, room);
  console.log(`${room} thermometer at ${host.hostUrl}, published to ${registryUrl}`);
  reportListening(host.hostUrl);
  let step = 0;
  const timer = setInterval(() => {
    step++;
    thermometer.celsius = Math.round((Number(start) + Math.sin(step / 2) * 2) * 10) / 10;
  }, 100);
  const shutdown = shutdownRequested();
  await shutdown.promise;
  shutdown.dispose();
  clearInterval(timer);
  await host.close();
  console.log(`${room} host closed`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
