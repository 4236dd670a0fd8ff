// Child of the NATS spec: tries nats:// URLs with the NATS client made to look uninstalled
// (spec/support/without-nats-client preloaded) and prints what each attempt failed with.
import { Host, Node, silentLogger, TsroError } from '../../src/index';

async function outcome(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt();
    return 'ok';
  } catch (err) {
    return err instanceof TsroError ? `${err.code}: ${err.message}` : `not a TsroError: ${String(err)}`;
  }
}

async function main(): Promise<void> {
  const node = new Node({ logger: silentLogger, reconnect: false });
  const host = new Host('nats://127.0.0.1:4222/h', { logger: silentLogger });
  const results = {
    discover: await outcome(() => node.connectToNode('nats://127.0.0.1:4222')),
    connect: await outcome(() => node.connectToNode('nats://127.0.0.1:4222/h')),
    listen: await outcome(() => host.listening),
  };
  await node.close();
  await host.close();
  process.stdout.write(JSON.stringify(results));
}

void main();
