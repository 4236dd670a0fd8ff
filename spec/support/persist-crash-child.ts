// Child process for the persisted-store crash test: saves ever newer versions to the file given
// as argv[2], reporting each one over IPC once it is on disk, until the parent SIGKILLs it.
// Each version is self-checking: version i holds `i`, a byte array whose size and content
// derive from i, and a string naming i, so a torn or mixed file cannot pass for a version.

import { FilePersistedStore } from '../../src/persistence/file-persisted-store';

/** The values of version `i` (shared with the spec that checks them). */
export function crashVersion(i: number): unknown[] {
  const size = 64 * 1024 + ((i * 7919) % (512 * 1024));
  const bytes = Buffer.alloc(size, i & 0xff);
  return [i, bytes, `version ${i}`, new Map<unknown, unknown>([[BigInt(i) * 10n ** 20n, new Date(i)]])];
}

async function main(): Promise<void> {
  const store = new FilePersistedStore(process.argv[2]);
  // A new version every turn of the event loop, so that a write is nearly always in flight
  // (each write carries the latest version; the versions saved meanwhile are skipped).
  for (let i = 1; ; i++) {
    void store.save('crash', 'sig', crashVersion(i)).then(() => process.send!({ written: i }));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
