// The GPS host process: remotes a simulated receiver and publishes a fixed number of positions.
//
//   node dist/samples/gps/gps-host.js <url> [updates=5] [intervalMs=100]
//
// It prints `GpsReceiver remoted at <url>` once listening (with the real port for
// `tcp://...:0`). Started by the demo (with an IPC channel), it also sends
// `{ type: 'listening', url }`, waits for `{ cmd: 'start' }` before the first position (so the
// client, already subscribed, sees all of them) and for `{ cmd: 'shutdown' }` (or the channel
// closing) before it closes. Started alone, it starts at once and closes a moment after the last
// position. Either way, after the last position it drops the fix: that is how clients know the
// run is over. Ctrl-C (SIGINT) or SIGTERM end it early, cleanly.

import { Host } from 'tsro';
import { shutdownRequested } from '../shutdown-requested';
import { GpsSource } from './gps-source';

const USAGE = 'usage: node dist/samples/gps/gps-host.js <url> [updates=5] [intervalMs=100]';
/** Alone, how long to stay up after the last position so that clients see the fix drop. */
const LINGER_MS = 500;

type Command = { cmd: 'start' } | { cmd: 'shutdown' };

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${what} must be a positive integer, got "${text}"\n${USAGE}`);
  return n;
}

function startRequested(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: Command): void => {
      if (m?.cmd !== 'start') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

/** Resolves after `ms`, or as soon as `stop` settles, whichever comes first; leaves no timer. */
function sleepUnless(ms: number, stop: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void stop.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Runs the receiver for `updates` positions unless told to stop first. */
async function run(receiver: GpsSource, underDemo: boolean, stop: Promise<string>, updates: number, intervalMs: number): Promise<void> {
  if (underDemo) {
    const early = await Promise.race([startRequested().then(() => undefined), stop]);
    if (early !== undefined) {
      console.log(`stopped before the first position: ${early}`);
      return;
    }
  }
  console.log(`publishing ${updates} positions, one every ${intervalMs} ms`);
  const early = await Promise.race([receiver.start({ intervalMs, updates }).then(() => undefined), stop]);
  receiver.stop();
  if (early !== undefined) {
    console.log(`run cut short: ${early}`);
    return;
  }
  console.log(`run complete after ${updates} positions, fix dropped`);
  // Stay up until the demo says so, or (alone) a moment, so that clients see the fix drop.
  if (underDemo) await stop;
  else await sleepUnless(LINGER_MS, stop);
}

async function main(): Promise<void> {
  const [url, updatesText = '5', intervalText = '100'] = process.argv.slice(2);
  if (!url) throw new Error(USAGE);
  const updates = positiveInt(updatesText, 'updates');
  const intervalMs = positiveInt(intervalText, 'intervalMs');
  const underDemo = typeof process.send === 'function';
  const shutdown = shutdownRequested();

  const host = new Host(url);
  const receiver = new GpsSource();
  try {
    await host.listening;
    if (!host.enableRemoting(receiver)) throw new Error('could not remote the receiver');
    console.log(`GpsReceiver remoted at ${host.hostUrl}`);
    process.send?.({ type: 'listening', url: host.hostUrl });
    await run(receiver, underDemo, shutdown.promise, updates, intervalMs);
  } finally {
    receiver.stop();
    shutdown.dispose();
    await host.close();
    console.log('host closed');
    if (process.connected) process.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`gps-host failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
