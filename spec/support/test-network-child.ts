// Child process for spec/testing/test-network.spec.ts: opens a TestNetwork over `argv[2]`
// (memory, tcp or local), follows a source, drops the connection, restarts the host, closes,
// then prints what the process still has open. The parent checks that nothing is, and that the
// process exits by itself.

import { TestNetwork, nextEvent, waitFor } from '../../src/testing';
import { Printer } from './printer';

async function main(): Promise<void> {
  const transport = process.argv[2] as 'memory' | 'tcp' | 'local';
  // stdout and stderr are pipes to the parent: open before, and after.
  const before = process.getActiveResourcesInfo();
  const net = await TestNetwork.create({ transport });
  const printer = new Printer();
  net.host.enableRemoting(printer);
  const r = net.node.acquire(Printer);
  await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
  net.dropConnection();
  await nextEvent(r, 'stateChanged', { timeout: 3000, where: (s) => s === 'valid' });
  await net.restartHost();
  await nextEvent(r, 'stateChanged', { timeout: 3000, where: (s) => s === 'valid' });
  printer.inkLevel = 1;
  await waitFor(r, 'inkLevel', 1, { timeout: 3000 });
  await net.close();
  const after = process.getActiveResourcesInfo();
  for (const r of before) after.splice(after.indexOf(r), 1);
  process.stdout.write(JSON.stringify(after));
}

main().catch((err: unknown) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err));
  process.exitCode = 1;
});
