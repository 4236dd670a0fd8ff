// The registry of the sample network: node dist/samples/registry/registry.js <url>

import { RegistryHost } from 'tsro';
import { shutdownRequested } from '../shutdown-requested';
import { reportListening } from './process-control';

async function main(): Promise<void> {
  const registry = new RegistryHost(process.argv[2] ?? 'tcp://127.0.0.1:0');
  await registry.listening;
  console.log(`registry at ${registry.hostUrl}`);
  reportListening(registry.hostUrl);
  const shutdown = shutdownRequested();
  await shutdown.promise;
  shutdown.dispose();
  await registry.close();
  console.log('registry closed');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
