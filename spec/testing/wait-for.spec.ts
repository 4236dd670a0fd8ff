// waitFor (src/testing/wait-for.ts): resolves with a property's value once the replica is valid
// and the value equals (deeply) or passes a predicate; TIMEOUT failures name the replica, the
// property, the values seen and the state.

import { expect } from 'chai';
import { nextEvent, waitFor, waitForState } from '../../src/testing';
import { Printer } from '../support/printer';
import { expectTsro, rejectionOf } from '../support/e2e';
import { usePrinterNetwork } from '../support/printer-network';

describe('testing: waitFor', () => {
  const f = usePrinterNetwork();

  it('waits for the replica to be valid, then resolves with a value that already matches', async () => {
    const r = f.net.node.acquire(Printer);
    expect(r.state).to.equal('default');
    expect(await waitFor(r, 'inkLevel', 100, { timeout: 3000 })).to.equal(100);
    expect(r.state).to.equal('valid');
  });

  it('resolves once a later change matches a predicate, with that value', async () => {
    const r = f.net.node.acquire(Printer);
    await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
    const low = waitFor(r, 'inkLevel', (v) => v < 10, { timeout: 3000 });
    f.printer.inkLevel = 50;
    f.printer.inkLevel = 5;
    expect(await low).to.equal(5);
  });

  it('compares deeply', async () => {
    const dyn = f.net.node.acquireDynamic('Printer');
    const queued = waitFor(dyn, 'queue', ['a', 'b'], { timeout: 3000 });
    f.printer.queue = ['a'];
    f.printer.queue = ['a', 'b'];
    expect(await queued).to.deep.equal(['a', 'b']);
  });

  it('on a dynamic replica, a predicate with an annotated parameter types the result', async () => {
    const dyn = f.net.node.acquireDynamic('Printer');
    const v: number = await waitFor(dyn, 'inkLevel', (x: number) => x === 100, { timeout: 3000 });
    expect(v).to.equal(100);
  });

  it('rejects TIMEOUT naming the replica, property, expected value, values seen and state', async () => {
    const dyn = f.net.node.acquireDynamic('Printer');
    await waitFor(dyn, 'inkLevel', 100, { timeout: 3000 });
    const waiting = waitFor(dyn, 'inkLevel', 0, { timeout: 200 });
    f.printer.inkLevel = 40;
    await nextEvent(dyn, 'inkLevelChanged', { timeout: 3000 });
    const err = expectTsro(await rejectionOf(waiting), 'TIMEOUT');
    expect(err.message).to.equal(
      'timed out after 200 ms waiting for "inkLevel" of replica "Printer" to equal 0; values seen: 100, 40; ' +
        'state valid, values { inkLevel: 40, busy: false, copies: 1, queue: [] }',
    );
  });

  it('on a typed replica, the message shows the watched property; a predicate is named as such', async () => {
    const r = f.net.node.acquire(Printer);
    const err = expectTsro(await rejectionOf(waitFor(r, 'inkLevel', (v) => v > 100, { timeout: 100 })), 'TIMEOUT');
    expect(err.message).to.equal(
      'timed out after 100 ms waiting for "inkLevel" of replica "Printer" to pass the predicate; values seen: 100; ' +
        'state changes meanwhile: valid; state valid, values { inkLevel: 100 }',
    );
  });

  it('says so when the replica never became valid', async () => {
    const dyn = f.net.node.acquireDynamic('Nobody');
    const err = expectTsro(await rejectionOf(waitFor(dyn, 'x', 1, { timeout: 50 })), 'TIMEOUT');
    expect(err.message).to.equal('timed out after 50 ms waiting for "x" of replica "Nobody" to equal 1; the replica was never valid meanwhile; state uninitialized');
  });

  it('rejects UNKNOWN_MEMBER for a property the source does not have', async () => {
    const dyn = f.net.node.acquireDynamic('Printer');
    const err = expectTsro(await rejectionOf(waitFor(dyn, 'toner', 1, { timeout: 3000 })), 'UNKNOWN_MEMBER');
    expect(err.message).to.equal('waitFor: source "Printer" has no property "toner" (it has inkLevel, busy, copies, queue)');
  });

  it('rejects with what the predicate throws', async () => {
    const r = f.net.node.acquire(Printer);
    const err = await rejectionOf(
      waitFor(
        r,
        'inkLevel',
        (v) => {
          throw new Error(`bad ${v}`);
        },
        { timeout: 3000 },
      ),
    );
    expect(err.message).to.equal('bad 100');
  });

  it('leaves no listener behind', async () => {
    const r = f.net.node.acquire(Printer);
    await waitFor(r, 'inkLevel', 100, { timeout: 3000 });
    await rejectionOf(waitFor(r, 'inkLevel', 1, { timeout: 10 }));
    const counts = r as unknown as { listenerCount(e: string): number };
    expect([counts.listenerCount('inkLevelChanged'), counts.listenerCount('stateChanged')]).to.deep.equal([0, 0]);
  });

  it('an AbortSignal cancels the wait', async () => {
    const r = f.net.node.acquire(Printer);
    const ac = new AbortController();
    const waiting = waitFor(r, 'inkLevel', 1, { timeout: 3000, signal: ac.signal });
    ac.abort(new Error('stop'));
    expect((await rejectionOf(waiting)).message).to.equal('stop');
  });

  it('refuses what is not a replica with TYPE_MISMATCH', async () => {
    const err = expectTsro(await rejectionOf(waitFor(f.net.node as never, 'x', 1)), 'TYPE_MISMATCH');
    expect(err.message).to.equal('waitFor takes a replica, got the Node');
  });

  it('waitForState resolves at once in that state, or when it is reached', async () => {
    const r = f.net.node.acquire(Printer);
    expect(await waitForState(r, 'default')).to.equal('default');
    expect(await waitForState(r, (s) => s === 'valid', { timeout: 3000 })).to.equal('valid');
    const suspect = waitForState(r, 'suspect', { timeout: 3000 });
    f.net.dropConnection();
    expect(await suspect).to.equal('suspect');
  });

  it('waitForState rejects TIMEOUT naming the states the replica went through', async () => {
    const r = f.net.node.acquire(Printer);
    const err = expectTsro(await rejectionOf(waitForState(r, 'suspect', { timeout: 200 })), 'TIMEOUT');
    expect(err.message).to.equal('timed out after 200 ms waiting for replica "Printer" to reach state \'suspect\'; it went through valid; state valid');
  });
});
