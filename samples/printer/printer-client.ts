// The printer client process: drives the printer through a typed replica, then looks at it once
// through a dynamic replica, the way a generic tool that has no PrinterApi class would.
//
//   node dist/samples/printer/printer-client.js <url>
//
// It prints the printer's ink level and busy changes as they arrive, the result of each print
// job, the `jammed` signal, what a refused set and a failing slot look like (READONLY,
// RemoteError), and exits 0 when done (1 on anything unexpected).

import { Node, RemoteError, TsroError, type Replica } from 'tsro';
import { PrinterApi } from './printer-api';

const USAGE = 'usage: node dist/samples/printer/printer-client.js <url>';
const WAIT_MS = 5000;

const JOBS = [
  'Hello, remote world!', // 1 page
  `Quarterly report: ${'figures and more figures '.repeat(4).trim()}`, // 3 pages; job 2 jams
  'Shopping list: milk, eggs, bread', // 1 page
];
const TOO_BIG = `The complete works: ${'words '.repeat(20).trim()}`; // 4 pages, 20% ink

const quote = (doc: string): string => JSON.stringify(doc.length > 24 ? `${doc.slice(0, 24)}...` : doc);
const pagesText = (n: unknown): string => `${String(n)} page${n === 1 ? '' : 's'}`;

/** Resolves once `check()` holds, re-checking on each `event`; rejects after WAIT_MS. */
function until(replica: Replica<PrinterApi>, event: 'inkLevelChanged' | 'busyChanged', check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      replica.off(event, onEvent);
      reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${event}`));
    }, WAIT_MS);
    const onEvent = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      replica.off(event, onEvent);
      resolve();
    };
    replica.on(event, onEvent);
  });
}

async function typedReplicaTour(node: Node, url: string): Promise<Replica<PrinterApi>> {
  await node.connectToNode(url);
  console.log(`connected to ${url}`);

  // Typed replica: the source name "Printer" comes from the class; fields show the class's
  // defaults until the source's values arrive.
  const printer = node.acquire(PrinterApi);
  console.log(`acquired "${printer.name}": state ${printer.state}, default ink level ${printer.inkLevel}%`);
  printer.on('inkLevelChanged', (ink) => console.log(`ink level: ${ink}%`));
  printer.on('busyChanged', (busy) => console.log(busy ? 'busy' : 'idle'));
  printer.on('jammed', (page, reason) => console.log(`jammed on page ${page}: ${reason} (cleared, printing goes on)`));

  if (!(await printer.waitForSource(WAIT_MS))) throw new Error(`the source "Printer" did not show up within ${WAIT_MS} ms`);
  console.log(`replica valid: ink level ${printer.inkLevel}%, busy ${printer.busy}`);

  // Slots are methods returning promises of what the source's method returned.
  for (const doc of JOBS) {
    const pages = await printer.print(doc);
    console.log(`print(${quote(doc)}) -> ${pagesText(pages)}`);
  }

  // A readonly property cannot be set from a replica: refused here, synchronously.
  try {
    printer.busy = true;
  } catch (err) {
    if (!(err instanceof TsroError)) throw err;
    console.log(`setting busy refused: ${err.code}: ${err.message}`);
  }

  // A writable one is forwarded to the source; the replica's value follows when the change
  // comes back.
  printer.inkLevel = 10;
  console.log(`asked for ink level 10%; the replica still shows ${printer.inkLevel}% until the source applies it`);
  await until(printer, 'inkLevelChanged', () => printer.inkLevel === 10);
  console.log(`source applied it: ink level ${printer.inkLevel}%`);

  // What a slot throws arrives as a RemoteError carrying the original name and message.
  try {
    const pages = await printer.print(TOO_BIG);
    throw new Error(`print(${quote(TOO_BIG)}) should have run out of ink, printed ${pagesText(pages)}`);
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    console.log(`print(${quote(TOO_BIG)}) failed: ${err.code} ${err.remoteName}: ${err.remoteMessage}`);
  }
  return printer;
}

async function dynamicReplicaTour(monitor: Node, url: string, printer: Replica<PrinterApi>): Promise<void> {
  // A second node, as a separate tool would be: no class, the API comes with the source.
  await monitor.connectToNode(url);
  const dyn = monitor.acquireDynamic('Printer');
  console.log(`dynamic replica: state ${dyn.state}, ${dyn.propertyNames.length} properties known`);
  if (!(await dyn.waitForSource(WAIT_MS))) throw new Error(`the dynamic replica did not initialize within ${WAIT_MS} ms`);
  const api = dyn.api!;
  console.log(
    `dynamic replica valid: properties ${dyn.propertyNames.join(', ')}; ` +
      `slots ${api.slots.map((s) => s.name).join(', ')}; signals ${api.signals.map((s) => s.name).join(', ')}`,
  );
  console.log(`dynamic replica reads inkLevel=${String(dyn.get('inkLevel'))} busy=${String(dyn.get('busy'))}`);
  const doc = 'Sent through a dynamic replica';
  const pages = await dyn.invoke('print', doc);
  console.log(`dyn.invoke("print", ${quote(doc)}) -> ${pagesText(pages)}`);
  // The typed replica (another connection) sees the same change.
  const ink = dyn.get('inkLevel');
  await until(printer, 'inkLevelChanged', () => printer.inkLevel === ink);
  console.log(`both replicas agree: ink level ${String(ink)}%`);
  dyn.release();
}

async function main(): Promise<void> {
  const [url] = process.argv.slice(2);
  if (!url) throw new Error(USAGE);
  const node = new Node();
  const monitor = new Node();
  try {
    const printer = await typedReplicaTour(node, url);
    await dynamicReplicaTour(monitor, url, printer);
    printer.release();
    console.log('done');
  } finally {
    await monitor.close();
    await node.close();
    if (process.connected) process.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`printer-client failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
