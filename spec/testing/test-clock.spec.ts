// TestClock (src/testing/test-clock.ts): a Timers implementation the test moves by hand, driving
// tsro's waits, reconnect backoff and heartbeats without fake global timers.

import { expect } from 'chai';
import { nextEvent, TestClock, TestNetwork, waitFor } from '../../src/testing';
import { Printer } from '../support/printer';
import { expectTsro, thrownBy } from '../support/e2e';

describe('testing: TestClock', () => {
  it('runs timers in due order as time moves, including those set by a timer', () => {
    const clock = new TestClock(1000);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      ran.push(`a@${clock.now()}`);
      clock.setTimeout(() => ran.push(`c@${clock.now()}`), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => ran.push('never'), 15);
    clock.clearTimeout(cancelled);
    expect(clock.pendingTimers).to.equal(2);
    expect(clock.nextTimerIn).to.equal(10);
    expect(clock.tick(9)).to.equal(0);
    expect(clock.tick(11)).to.equal(3);
    expect(ran).to.deep.equal(['a@1010', 'c@1015', 'b@1020']);
    expect(clock.now()).to.equal(1020);
    expect(clock.pendingTimers).to.equal(0);
    expect(clock.nextTimerIn).to.equal(undefined);
  });

  it('refuses to move time backwards or by a non-number', () => {
    const clock = new TestClock();
    expectTsro(thrownBy(() => clock.tick(-1)), 'TYPE_MISMATCH');
    expectTsro(thrownBy(() => clock.tick(NaN)), 'TYPE_MISMATCH');
  });

  it('runAll stops at a timer that always re-arms itself, with LIMIT_EXCEEDED', async () => {
    const clock = new TestClock();
    const rearm = (): void => void clock.setTimeout(rearm, 1);
    rearm();
    let error: unknown;
    await clock.runAll(50).catch((e: unknown) => (error = e));
    expectTsro(error, 'LIMIT_EXCEEDED');
  });

  it('drives waitForSource: it resolves false when the clock passes its timeout', async () => {
    const clock = new TestClock();
    const net = await TestNetwork.create({ timers: clock });
    try {
      const dyn = net.node.acquireDynamic('Nobody');
      const waited = dyn.waitForSource(5000);
      await clock.advance(4999);
      clock.tick(1);
      expect(await waited).to.equal(false);
    } finally {
      await net.close();
    }
  });

  it('drives the reconnect backoff: the node comes back only when the clock reaches the delay', async () => {
    const clock = new TestClock();
    const net = await TestNetwork.create({ timers: clock, node: { reconnect: { initialDelay: 1000, maxDelay: 1000 } } });
    try {
      const printer = new Printer();
      net.host.enableRemoting(printer);
      const r = net.node.acquire(Printer);
      await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
      const suspect = nextEvent(r, 'stateChanged', { timeout: 3000 });
      net.dropConnection();
      expect(await suspect).to.deep.equal(['suspect', 'valid']);
      await clock.advance(999);
      expect(r.state).to.equal('suspect');
      const valid = nextEvent(r, 'stateChanged', { timeout: 3000 });
      await clock.advance(1);
      expect(await valid).to.deep.equal(['valid', 'suspect']);
    } finally {
      await net.close();
    }
  });
});
