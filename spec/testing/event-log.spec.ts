// collectEvents and expectNoEvent (src/testing/event-log.ts, expect-no-event.ts): recording a
// sequence of events, awaiting the n-th, and asserting an event does not come.

import { expect } from 'chai';
import { collectEvents, expectNoEvent, nextEvent, waitFor } from '../../src/testing';
import { Printer } from '../support/printer';
import { expectTsro, rejectionOf } from '../support/e2e';
import { usePrinterNetwork } from '../support/printer-network';

describe('testing: collectEvents and expectNoEvent', () => {
  const f = usePrinterNetwork();

  it('records events in order, with their arguments, from the start', async () => {
    const r = f.net.node.acquire(Printer);
    const log = collectEvents(r, ['initialized', 'stateChanged', 'inkLevelChanged', 'jammed']);
    await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
    f.printer.inkLevel = 20;
    f.printer.jammed(2, 'x');
    await log.waitForCount('jammed', 1, { timeout: 3000 });
    expect(log.names).to.deep.equal(['initialized', 'stateChanged', 'inkLevelChanged', 'jammed']);
    expect(log.argsOf('jammed')).to.deep.equal([[2, 'x']]);
    expect(log.events[1]).to.deep.equal({ name: 'stateChanged', args: ['valid', 'default'] });
    expect(log.count()).to.equal(4);
    log.stop();
    f.printer.jammed(3, 'y');
    await nextEvent(r, 'jammed', { timeout: 3000 });
    expect(log.count('jammed')).to.equal(1);
  });

  it('waitForCount rejects TIMEOUT saying how many came and what was recorded', async () => {
    const dyn = f.net.node.acquireDynamic('Printer');
    using log = collectEvents(dyn, ['jammed', 'inkLevelChanged']);
    await waitFor(dyn, 'inkLevel', 100, { timeout: 3000 });
    f.printer.jammed(1, 'a');
    await nextEvent(dyn, 'jammed', { timeout: 3000 });
    const err = expectTsro(await rejectionOf(log.waitForCount('jammed', 2, { timeout: 50 })), 'TIMEOUT');
    expect(err.message).to.equal(
      'timed out after 50 ms waiting for 2 "jammed" events of replica "Printer"; got 1; ' +
        "recorded: inkLevelChanged(100), jammed(1, 'a'); state valid, values { inkLevel: 100, busy: false, copies: 1, queue: [] }",
    );
  });

  it('clear forgets what was recorded and keeps recording', async () => {
    const r = f.net.node.acquire(Printer);
    const log = collectEvents(r, ['jammed']);
    await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
    f.printer.jammed(1, 'a');
    await log.waitForCount('jammed', 1, { timeout: 3000 });
    log.clear();
    f.printer.jammed(2, 'b');
    expect(await log.waitForCount('jammed', 1, { timeout: 3000 })).to.deep.equal([[2, 'b']]);
  });

  it('expectNoEvent until a promise: passes when the event does not come before it settles', async () => {
    const r = f.net.node.acquire(Printer);
    await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
    // The reply of a slot call comes after every change the source made before answering.
    expect(await expectNoEvent(r, 'jammed', { until: () => r.add(1, 2) })).to.equal(3);
  });

  it('expectNoEvent fails with an AssertionError naming the event, its arguments and the state', async () => {
    const r = f.net.node.acquire(Printer);
    await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
    f.printer.jammed(7, 'late');
    const err = await rejectionOf(expectNoEvent(r, 'jammed', { until: r.add(1, 1) }));
    expect(err.name).to.equal('AssertionError');
    expect(err.message).to.equal('expected replica "Printer" not to emit "jammed" before the awaited promise settled, but it emitted it 1 time(s): (7, \'late\'); state valid');
  });

  it('expectNoEvent within a window of real time', async () => {
    const r = f.net.node.acquire(Printer);
    await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
    await expectNoEvent(r, 'jammed', { within: 20 });
    setImmediate(() => f.printer.jammed(1, 'x'));
    const err = await rejectionOf(expectNoEvent(r, 'jammed', { within: 200 }));
    expect(err.message).to.match(/^expected replica "Printer" not to emit "jammed" within 200 ms, but it emitted it 1 time\(s\): \(1, 'x'\)/);
  });

  it('expectNoEvent takes exactly one of until and within', async () => {
    const r = f.net.node.acquire(Printer);
    expectTsro(await rejectionOf(expectNoEvent(r, 'jammed', {})), 'TYPE_MISMATCH');
    expectTsro(await rejectionOf(expectNoEvent(r, 'jammed', { within: 5, until: Promise.resolve() })), 'TYPE_MISMATCH');
    expectTsro(await rejectionOf(expectNoEvent(r, 'jammed', { within: -1 })), 'TYPE_MISMATCH');
  });
});
