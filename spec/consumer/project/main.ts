// Runs the user's host and client in one process and prints what passed.
import { startHost } from './host.js';
import { runClient } from './client.js';

async function main(): Promise<void> {
  const { host } = await startHost();
  try {
    const done = await runClient(host.hostUrl);
    console.log(`CONSUMER OK ${JSON.stringify(done)}`);
  } finally {
    await host.close();
  }
}

// A rejection nobody handles ends the process with its stack and exit code 1.
void main();
