// The printer host process: remotes a PrinterService until told to stop.
//
//   node dist/samples/printer/printer-host.js <url>
//
// It prints `Printer remoted at <url>` once listening (with the real port for `tcp://...:0`).
// Started by the demo (with an IPC channel) it also sends `{ type: 'listening', url }` and runs
// until `{ cmd: 'shutdown' }` or until the channel closes; alone, until Ctrl-C (SIGINT) or SIGTERM.

import { Host } from 'tsro';
import { shutdownRequested } from '../shutdown-requested';
import { PrinterService } from './printer-service';

const USAGE = 'usage: node dist/samples/printer/printer-host.js <url>';

async function main(): Promise<void> {
  const [url] = process.argv.slice(2);
  if (!url) throw new Error(USAGE);
  const shutdown = shutdownRequested();
  const host = new Host(url);
  const printer = new PrinterService();
  try {
    await host.listening;
    if (!host.enableRemoting(printer)) throw new Error('could not remote the printer');
    console.log(`Printer remoted at ${host.hostUrl}`);
    process.send?.({ type: 'listening', url: host.hostUrl });
    const why = await shutdown.promise;
    console.log(`${why}: ${printer.jobsPrinted} jobs printed, ${printer.inkLevel}% ink left`);
  } finally {
    shutdown.dispose();
    await host.close();
    console.log('host closed');
    if (process.connected) process.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`printer-host failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
