// The host side of the user's project: remotes a Thermostat on an ephemeral loopback port.
import { Host } from 'tsro';
import { Thermostat } from './thermostat.js';

export async function startHost(): Promise<{ host: Host; thermostat: Thermostat }> {
  const host = new Host('tcp://127.0.0.1:0');
  await host.listening;
  const thermostat = new Thermostat();
  if (!host.enableRemoting(thermostat)) throw new Error('enableRemoting returned false');
  return { host, thermostat };
}
