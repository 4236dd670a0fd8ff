// The printer service's tests, written with tsro/testing: they drive a PrinterService through
// the same replicas its clients use, with no sockets, sleeps or casts. This one file runs under
// mocha (npm test loads it from spec/samples/printer-example.spec.ts) and under node's own test
// runner (`node --test dist/samples/printer/printer.test.js`): it takes describe/it from mocha's
// globals when mocha is running it, else from node:test. A suite written for one runner needs
// only that runner's import; tsro/testing itself depends on none.

import assert from 'node:assert/strict';
import { RemoteError, type Replica } from 'tsro';
import { collectEvents, expectNoEvent, nextEvent, TestClock, TestNetwork, waitFor } from 'tsro/testing';
import { PrinterApi } from './printer-api';
import { PrinterService } from './printer-service';

type Suite = (name: string, fn: () => void) => void;
type Test = (name: string, fn: () => Promise<void>) => void;
type Hook = (fn: () => Promise<void>) => void;
const runner = (typeof (globalThis as { describe?: unknown }).describe === 'function'
  ? globalThis
  : // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:test')) as { describe: Suite; it: Test; beforeEach: Hook; afterEach: Hook };
const { describe, it, beforeEach, afterEach } = runner;

const WAIT = { timeout: 3000 };

describe('printer sample, tested with tsro/testing', () => {
  let net: TestNetwork;
  let service: PrinterService;
  let printer: Replica<PrinterApi>;

  beforeEach(async () => {
    net = await TestNetwork.create();
    service = new PrinterService(1); // 1 ms a page
    net.host.enableRemoting(service);
    printer = net.node.acquire(PrinterApi);
    await waitFor(printer, 'inkLevel', 100, WAIT);
  });
  afterEach(() => net.close());

  it('prints a document: one page per 40 characters, 5% ink a page', async () => {
    assert.equal(await printer.print('x'.repeat(100)), 3);
    assert.equal(await waitFor(printer, 'inkLevel', 85, WAIT), 85);
    assert.equal(service.jobsPrinted, 1);
  });

  it('is busy while it prints, and says so before it answers', async () => {
    const busy = collectEvents(printer, ['busyChanged']);
    await printer.print('hello');
    // The reply follows every change the source made before answering.
    assert.deepEqual(busy.argsOf('busyChanged'), [[true], [false]]);
    assert.equal(printer.busy, false);
  });

  it('jams on the second page of every second job, and carries on', async () => {
    await expectNoEvent(printer, 'jammed', { until: printer.print('x'.repeat(80)) });
    const jam = nextEvent(printer, 'jammed', WAIT);
    assert.equal(await printer.print('x'.repeat(80)), 2);
    assert.deepEqual(await jam, [2, 'paper jam']);
  });

  it('refuses a job the ink does not cover, with the service error', async () => {
    service.inkLevel = 5;
    await waitFor(printer, 'inkLevel', 5, WAIT);
    await assert.rejects(printer.print('x'.repeat(41)), (err: unknown) => {
      assert.ok(err instanceof RemoteError);
      assert.equal(err.remoteName, 'OutOfInkError');
      assert.equal(err.remoteMessage, '2 pages need 10% ink, 5% left');
      return true;
    });
  });

  it('takes a refill from any client', async () => {
    await printer.print('x');
    printer.inkLevel = 100;
    await waitFor(printer, 'inkLevel', 100, WAIT);
    assert.equal(service.inkLevel, 100);
  });

  it('a dynamic replica, acquired by name, sees the same printer', async () => {
    const dyn = net.node.acquireDynamic('Printer');
    await waitFor(dyn, 'inkLevel', 100, WAIT);
    assert.equal(await dyn.invoke('print', 'abc'), 1);
    assert.equal(await waitFor(dyn, 'inkLevel', (x: number) => x < 100, WAIT), 95);
  });

  it('survives a lost connection: a job in flight fails, the replica recovers', async () => {
    // A job that waits until the test lets it go, so the connection is surely lost mid-job.
    let letGo = (): void => {};
    const held = new (class extends PrinterService {
      override async print(doc: string): Promise<number> {
        await new Promise<void>((resolve) => (letGo = resolve));
        return super.print(doc);
      }
    })(1);
    net.host.enableRemoting(held, 'HeldPrinter');
    const other = net.node.acquire(PrinterApi, 'HeldPrinter');
    await waitFor(other, 'inkLevel', 100, WAIT);
    const job = other.print('stuck');
    await expectNoEvent(other, 'busyChanged', { until: printer.print('meanwhile') });
    net.dropConnection();
    await assert.rejects(job, { code: 'DISCONNECTED' });
    letGo();
    await nextEvent(printer, 'stateChanged', { ...WAIT, where: (state) => state === 'valid' });
    assert.equal(await printer.print('after'), 1);
  });

  it('after a host restart, clients see the printer again with its state', async () => {
    await printer.print('x'.repeat(40));
    await net.restartHost();
    await nextEvent(printer, 'stateChanged', { ...WAIT, where: (state) => state === 'valid' });
    assert.equal(printer.inkLevel, 95);
    assert.equal(await printer.print('x'), 1);
  });
});

describe('printer sample: time under the test clock', () => {
  it('a client waiting for a printer that is not there gives up when its timeout passes', async () => {
    const clock = new TestClock();
    const net = await TestNetwork.create({ timers: clock });
    try {
      const printer = net.node.acquire(PrinterApi);
      const found = printer.waitForSource(10_000);
      await clock.advance(9_999);
      assert.equal(printer.state, 'default');
      await clock.advance(1);
      assert.equal(await found, false);
      net.host.enableRemoting(new PrinterService(1));
      assert.equal(await waitFor(printer, 'inkLevel', 100, WAIT), 100);
    } finally {
      await net.close();
    }
  });
});
