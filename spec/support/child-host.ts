// A host in its own process, for tests that kill, freeze and restart hosts. Started with
// child_process.fork(thisFile, [url, inkLevel, registryUrl?, sourceName?, kind?]); kind
// "registry" starts a RegistryHost instead. Reports {type:'ready', url} over IPC, then obeys
// {type:'set', name, value} and {type:'close'} messages.

import { Host, RegistryHost, silentLogger } from '../../src/index';
import { Printer } from './printer';

async function main(): Promise<void> {
  const [url, ink, registryUrl, sourceName, kind] = process.argv.slice(2);
  const options = { logger: silentLogger, registryUrl: registryUrl || undefined };
  const host = kind === 'registry' ? new RegistryHost(url!, options) : new Host(url!, options);
  await host.listening;
  const printer = new Printer();
  printer.inkLevel = Number(ink ?? 100);
  if (kind !== 'registry') host.enableRemoting(printer, sourceName || undefined);
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
