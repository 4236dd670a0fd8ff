// Hosts in child processes (support/child-host.js) for the specs where a host must really die,
// freeze or come back: start one and learn its URL, and wait for one to have exited.

import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { within } from './fixtures';

const CHILD = path.join(__dirname, 'child-host.js');

export interface ChildHost {
  readonly process: ChildProcess;
  readonly url: string;
}

/** Forks child-host.js with `args` (see that file); resolves once it listens. */
export function startChildHost(args: readonly string[]): Promise<ChildHost> {
  const child = fork(CHILD, [...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return within(
    new Promise<ChildHost>((resolve, reject) => {
      child.once('message', (m: { url: string }) => resolve({ process: child, url: m.url }));
      child.once('exit', (code) => reject(new Error(`child host exited with ${code} before it was ready`)));
    }),
    5000,
    'the child host to listen',
  );
}

/** Resolves once `child` has exited (at once if it has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return within(new Promise<void>((resolve) => child.once('exit', () => resolve())), 5000, 'the child to exit');
}
