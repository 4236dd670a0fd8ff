// A host in its own process, for tests that kill, freeze and restart hosts. Started with
// child_process.fork(thisFile, [url, inkLevel]); reports {type:'ready', url} over IPC, then
// obeys {type:'set', name, value} and {type:'close'} messages.

import { Host, silentLogger } from '../../index';
import { Printer } from './printer';

async function main(): Promise<void> {
  const [url, ink] = process.argv.slice(2);
  const host = new Host(url!, { logger: silentLogger });
  await host.listening;
  const printer = new Printer();
  printer.inkLevel = Number(ink ?? 100);
  host.enableRemoting(printer);
  process.on('message', (m: { type: string; name?: string; value?: unknown }) => {
    if (m.type === 'set') (printer as unknown as Record<string, unknown>)[m.name!] = m.value;
    if (m.type === 'close') void host.close().then(() => process.disconnect());
  });
  process.send!({ type: 'ready', url: host.hostUrl });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
