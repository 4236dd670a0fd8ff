// The client side: a typed replica and a dynamic one, exercising what a user relies on first.
import { once } from 'node:events';
import { Node, RemoteError, type Replica } from 'tsro';
import { nextEvent } from 'tsro/testing';
import { Thermostat } from './thermostat.js';

/** Compiled with each consumer configuration, never run: every line below must be an error. */
export function refusedByTheCompiler(t: Replica<Thermostat>): void {
  // @ts-expect-error a signal is an event of the replica, not a method
  t.alarm(1, 'x');
  // @ts-expect-error a slot is not an event
  t.on('boost', () => {});
  // @ts-expect-error alarm's listener takes (number, string)
  t.on('alarm', (level: string) => level);
}

function check(what: string, ok: boolean, detail?: unknown): void {
  if (!ok) throw new Error(`consumer check failed: ${what}${detail === undefined ? '' : ` (got ${JSON.stringify(detail)})`}`);
}

export async function runClient(url: string): Promise<string[]> {
  const done: string[] = [];
  const node = new Node();
  try {
    await node.connectToNode(url);
    const t = node.acquire(Thermostat);
    check('typed replica becomes valid', await t.waitForSource(5000));
    check('field replicates', t.reading === 20.5, t.reading);
    check('readonly field replicates', t.heating === false, t.heating);
    check('getter-only property replicates', t.fahrenheit === 69, t.fahrenheit);
    check('accessor property replicates', t.mode === 'auto', t.mode);
    done.push('initial values');

    const modeChanged = new Promise<string>((resolve) => t.once('modeChanged', resolve));
    t.mode = 'ECO';
    check("the class's setter ran for a replica's set", (await modeChanged) === 'eco');
    done.push('accessor set');

    const fChanged = new Promise<number>((resolve) => t.once('fahrenheitChanged', resolve));
    const alarm = nextEvent(t, 'alarm', { timeout: 5000 });
    check('slot result', (await t.boost(5)) === 25.5);
    check('notifyPropertyChanged replicates a getter', (await fChanged) === 78);
    const [level, text] = await alarm;
    check('signal arguments', level === 2 && text === 'too hot', [level, text]);
    done.push('slot, signal, getter change');

    const dyn = node.acquireDynamic('Thermostat');
    check('dynamic replica becomes valid', await dyn.waitForSource(5000));
    check('dynamic get', dyn.get<number>('reading') === 25.5, dyn.get('reading'));
    const changed = once(dyn, 'targetChanged'); // a dynamic replica is a node:events emitter
    await dyn.set('target', 22);
    check('dynamic set replicates', (await changed)[0] === 22);
    try {
      await dyn.set('target', 99);
      check('validate refuses an out-of-range set', false);
    } catch (err) {
      check('refusal arrives as RemoteError', err instanceof RemoteError && /outside 5\.\.30/.test(err.message), String(err));
    }
    check('refused set changed nothing', dyn.get('target') === 22);
    done.push('dynamic replica, validation');
    t.release();
    dyn.release();
  } finally {
    await node.close();
  }
  return done;
}
