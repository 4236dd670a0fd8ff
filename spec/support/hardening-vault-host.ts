// A host remoting a Vault in its own process, so that a test can check that what peers send
// pollutes nothing on the host's side either. Started with child_process.fork(thisFile, [url]);
// reports {type:'ready', url} over IPC, answers {type:'inspect'} with the Vault's state, the
// process's prototype pollution report and the shapes of the values the Vault received, and
// closes on {type:'close'}.

import { Host, silentLogger } from '../../src/index';
import { Vault, pollutionReport, shapeOf, vaultState } from './hardening-vault';

async function main(): Promise<void> {
  const url = process.argv[2] ?? 'tcp://127.0.0.1:0';
  const host = new Host(url, { logger: silentLogger });
  await host.listening;
  const vault = new Vault();
  host.enableRemoting(vault);
  process.on('message', (m: { type: string }) => {
    if (m.type === 'inspect') {
      process.send!({
        type: 'inspect',
        state: vaultState(vault),
        pollution: pollutionReport(),
        received: vault.received.map(shapeOf),
        anything: shapeOf(vault.anything),
        counts: shapeOf(vault.counts),
      });
    }
    if (m.type === 'close') void host.close().then(() => process.disconnect());
  });
  process.send!({ type: 'ready', url: host.hostUrl });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
