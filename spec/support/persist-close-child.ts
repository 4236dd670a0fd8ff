// Child process for spec/hardening/persist-close.spec.ts: a node with a FilePersistedStore
// (argv[3]) follows the Dial of the host at argv[2] until it shows argv[4], then closes and
// calls process.exit(0) at once: what close() resolved for must already be on disk.

import { Node, silentLogger } from '../../src/index';
import { FilePersistedStore } from '../../src/persistence/file-persisted-store';
import { Dial } from './dial';

async function main(): Promise<void> {
  const [url, file, want] = process.argv.slice(2);
  const node = new Node({ logger: silentLogger, persistedStore: new FilePersistedStore(file!) });
  await node.connectToNode(url!);
  const dial = node.acquire(Dial);
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (dial.level === Number(want)) resolve();
    };
    dial.on('levelChanged', check);
    dial.on('initialized', check);
    check();
  });
  await node.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
