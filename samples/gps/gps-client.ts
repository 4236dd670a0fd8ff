// The GPS client process: follows the receiver through a typed replica and prints every position.
//
//   node dist/samples/gps/gps-client.js <url> [deadlineMs=8000]
//
// It connects to the host, acquires `GpsApi` (source name "GpsReceiver", from the class),
// waits until the replica is valid, then prints each `positionUpdated` signal. When the receiver
// drops its fix (the host does that after its last position) it prints the final position and
// exits 0. It exits 1 if the source does not show up or the run does not end before the
// deadline. Started by the demo, it sends `{ type: 'ready' }` over IPC once it is subscribed.

import { Node } from 'tsro';
import { GpsApi } from './gps-api';

const USAGE = 'usage: node dist/samples/gps/gps-client.js <url> [deadlineMs=8000]';

const fmt = (x: number): string => x.toFixed(4);

async function main(): Promise<void> {
  const [url, deadlineText = '8000'] = process.argv.slice(2);
  if (!url) throw new Error(USAGE);
  const deadlineMs = Number(deadlineText);
  const node = new Node();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  try {
    await node.connectToNode(url);
    console.log(`connected to ${url}`);

    // Typed replica: fields, events and their argument types all come from GpsApi.
    const gps = node.acquire(GpsApi);
    console.log(`acquired "${gps.name}": state ${gps.state}, defaults ${fmt(gps.latitude)}, ${fmt(gps.longitude)}`);

    let seen = 0;
    let hadFix = false;
    const runOver = new Promise<void>((resolve, reject) => {
      deadline = setTimeout(() => reject(new Error(`the run did not end within ${deadlineMs} ms (saw ${seen} positions)`)), deadlineMs);
      gps.on('positionUpdated', (lat, lon) => {
        seen += 1;
        console.log(`position ${seen}: ${fmt(lat)}, ${fmt(lon)} (${gps.satellites} satellites)`);
      });
      gps.on('fixChanged', (fix) => {
        console.log(fix ? `fix acquired, ${gps.satellites} satellites` : 'fix lost: the receiver stopped');
        if (fix) hadFix = true;
        else if (hadFix) resolve();
      });
      gps.on('stateChanged', (state, old) => {
        if (old === 'valid') reject(new Error(`the replica went ${state} before the run ended`));
      });
    });
    runOver.catch(() => {}); // awaited below; do not count as unhandled meanwhile

    if (!(await gps.waitForSource(5000))) throw new Error(`the source "${gps.name}" did not show up at ${url} within 5 s`);
    console.log(`replica valid: fix=${gps.fix}, position ${fmt(gps.latitude)}, ${fmt(gps.longitude)}`);
    hadFix ||= gps.fix;
    process.send?.({ type: 'ready' });

    await runOver;
    console.log(`final position ${fmt(gps.latitude)}, ${fmt(gps.longitude)} after ${seen} updates`);
    gps.release();
  } finally {
    clearTimeout(deadline);
    await node.close();
    if (process.connected) process.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`gps-client failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
