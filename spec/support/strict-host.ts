// A host in its own process, started with --unhandled-rejections=strict, so that anything a peer
// makes the host throw into a callback kills it where a test sees it. Started with
// child_process.fork(thisFile, [configJson]); config: { url?, sources?: names of fixtures to
// remote, token?: a credential an async authenticate accepts, options?: HostOptions (numbers) }.
// Reports {type:'ready', url} over IPC, forwards what the host logs at warn/error level as
// {type:'log'}, and closes on {type:'close'}.

import { Host, type HostOptions, type Logger } from '../../src/index';
import { Printer } from './printer';
import { Gadget } from './e2e';
import { Hostile } from './hostile';

interface Config {
  url?: string;
  sources?: string[];
  token?: string;
  options?: Record<string, number>;
}

const fixtures: Record<string, () => object> = { Printer: () => new Printer(), Gadget: () => new Gadget(), Hostile: () => new Hostile() };

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as Config;
  const send = (level: string, message: string, error?: unknown): void => {
    process.send?.({ type: 'log', level, message, error: error === undefined ? undefined : String(error) });
  };
  const logger: Logger = {
    warn: (message, error) => send('warn', message, error),
    error: (message, error) => send('error', message, error),
  };
  const token = config.token;
  const host = new Host(config.url ?? 'tcp://127.0.0.1:0', {
    ...(config.options as HostOptions | undefined),
    logger,
    // Answers in a later turn: the source list then goes out from inside a promise callback.
    ...(token === undefined ? {} : { authenticate: async (credential: unknown) => credential === token }),
  });
  await host.listening;
  for (const name of config.sources ?? ['Printer', 'Gadget']) host.enableRemoting(fixtures[name]!());
  process.on('message', (m: { type: string }) => {
    if (m.type === 'close') void host.close().then(() => process.disconnect());
    if (m.type === 'rss') {
      global.gc?.();
      process.send!({ type: 'rss', rss: process.memoryUsage().rss });
    }
  });
  process.send!({ type: 'ready', url: host.hostUrl });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
