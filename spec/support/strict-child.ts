// Starts spec/support/strict-host.ts in a child process with --unhandled-rejections=strict and
// gives a test what it needs to prove the host survived: its URL, what it logged, and a check
// that the process is alive and still serves a bystander node.

import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Node } from '../../src/index';
import { within } from './fixtures';
import { Printer } from './printer';
import { Gadget, WAIT_MS, type World } from './e2e';

export interface StrictHostConfig {
  url?: string;
  sources?: string[];
  token?: string;
  options?: Record<string, number>;
  /** Extra node flags for the child, e.g. a small heap. */
  execArgv?: string[];
}

export interface StrictHost {
  readonly url: string;
  readonly child: ChildProcess;
  /** What the host logged (warn and error), in order. */
  readonly logs: { level: string; message: string; error?: string }[];
  /** Resolves with how the process ended, if it does. */
  readonly exited: Promise<string>;
  /** The child's resident set size, after a garbage collection. */
  rss(): Promise<number>;
  /** Fails the test unless the process is alive and a fresh node can call a Printer slot on it. */
  expectServing(bystander?: Node): Promise<void>;
}

export async function strictHost(w: World, config: StrictHostConfig = {}): Promise<StrictHost> {
  const { execArgv = [], ...hostConfig } = config;
  const child = fork(path.join(__dirname, 'strict-host.js'), [JSON.stringify(hostConfig)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--unhandled-rejections=strict', '--enable-source-maps', '--expose-gc', ...execArgv],
  });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}`)));
  w.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.send({ type: 'close' });
      // A grace period for a clean exit, then SIGKILL; the timer goes as soon as the child exits.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (grace = setTimeout(resolve, 2000)))]);
      clearTimeout(grace);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
  const logs: StrictHost['logs'] = [];
  const url = await within(
    new Promise<string>((resolve, reject) => {
      child.on('message', (m: { type: string; url?: string; level?: string; message?: string; error?: string }) => {
        if (m.type === 'ready') resolve(m.url!);
        if (m.type === 'log') logs.push({ level: m.level!, message: m.message!, error: m.error });
      });
      void exited.then((how) => reject(new Error(`the strict host ended before listening (${how})`)));
    }),
    10_000,
    'the strict child host',
  );
  return {
    url,
    child,
    logs,
    exited,
    rss(): Promise<number> {
      return within(
        new Promise<number>((resolve) => {
          const on = (m: { type: string; rss?: number }): void => {
            if (m.type !== 'rss') return;
            child.off('message', on);
            resolve(m.rss!);
          };
          child.on('message', on);
          child.send({ type: 'rss' });
        }),
        WAIT_MS,
        'the child host\'s RSS',
      );
    },
    async expectServing(bystander?: Node): Promise<void> {
      expect(child.exitCode, 'the host process is alive').to.equal(null);
      expect(child.signalCode, 'the host process is alive').to.equal(null);
      const node = bystander ?? w.node({ reconnect: false, credential: config.token });
      if (!bystander) await within(node.connectToNode(url), WAIT_MS, 'a bystander to connect');
      if (config.sources && !config.sources.includes('Printer')) {
        const r = node.acquire(Gadget);
        expect(await r.waitForSource(WAIT_MS), 'the bystander replica is valid').to.equal(true);
        expect(await within(r.twice(21), WAIT_MS, 'a bystander call'), 'a bystander call').to.equal(42);
        if (!bystander) r.release();
      } else {
        const r = node.acquire(Printer);
        expect(await r.waitForSource(WAIT_MS), 'the bystander replica is valid').to.equal(true);
        expect(await within(r.add(2, 3), WAIT_MS, 'a bystander call'), 'a bystander call').to.equal(5);
        if (!bystander) r.release();
      }
      expect(child.exitCode, 'the host process is alive').to.equal(null);
    },
  };
}
