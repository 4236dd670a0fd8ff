// nextEvent (src/testing/next-event.ts): resolves with the arguments of the next emission, typed
// on typed replicas; `where` filters; TIMEOUT failures name the replica, the event, what it
// emitted instead and its state; works on dynamic replicas, Nodes and plain emitters.

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { nextEvent, TestNetwork } from '../../src/testing';
import { Printer } from '../support/printer';
import { expectTsro, rejectionOf } from '../support/e2e';
import { usePrinterNetwork } from '../support/printer-network';

describe('testing: nextEvent', () => {
  const f = usePrinterNetwork();

  it('resolves with the arguments of a signal, as a tuple', async () => {
    const r = f.net.node.acquire(Printer);
    await nextEvent(r, 'initialized', { timeout: 3000 });
    const jam = nextEvent(r, 'jammed', { timeout: 3000 });
    f.printer.jammed(3, 'paper');
    const [page, reason] = await jam;
    expect([page, reason]).to.deep.equal([3, 'paper']);
  });

  it('on a dynamic replica, resolves with the arguments of a signal', async () => {
    const dyn = f.net.node.acquireDynamic('Printer');
    await nextEvent(dyn, 'initialized', { timeout: 3000 });
    const jam = nextEvent<[number, string]>(dyn, 'jammed', { timeout: 3000 });
    f.printer.jammed(4, 'ink');
    expect(await jam).to.deep.equal([4, 'ink']);
  });

  it('where: skips emissions that do not match', async () => {
    const r = f.net.node.acquire(Printer);
    await nextEvent(r, 'initialized', { timeout: 3000 });
    const jam = nextEvent(r, 'jammed', { timeout: 3000, where: (page) => page > 2 });
    f.printer.jammed(1, 'a');
    f.printer.jammed(2, 'b');
    f.printer.jammed(3, 'c');
    expect(await jam).to.deep.equal([3, 'c']);
  });

  it('rejects TIMEOUT naming the replica, the event and its state and values', async () => {
    const dyn = f.net.node.acquireDynamic('Printer');
    await nextEvent(dyn, 'initialized', { timeout: 3000 });
    const err = expectTsro(await rejectionOf(nextEvent(dyn, 'jammed', { timeout: 30 })), 'TIMEOUT');
    expect(err.message).to.equal(
      'timed out after 30 ms waiting for "jammed" of replica "Printer"; it did not emit "jammed"; ' +
        "state valid, values { inkLevel: 100, busy: false, copies: 1, queue: [] }",
    );
  });

  it('with where, the TIMEOUT message lists the emissions that did not match', async () => {
    const r = f.net.node.acquire(Printer);
    await nextEvent(r, 'initialized', { timeout: 3000 });
    const jam = nextEvent(r, 'jammed', { timeout: 200, where: (page) => page > 5 });
    f.printer.jammed(1, 'a');
    f.printer.jammed(2, 'b');
    const err = expectTsro(await rejectionOf(jam), 'TIMEOUT');
    expect(err.message).to.equal(
      'timed out after 200 ms waiting for "jammed" of replica "Printer"; ' + "it emitted \"jammed\" 2 time(s), none matching: (1, 'a'), (2, 'b'); state valid",
    );
  });

  it('the TIMEOUT message shows the state changes that happened meanwhile', async () => {
    const r = f.net.node.acquire(Printer);
    await nextEvent(r, 'initialized', { timeout: 3000 });
    const waiting = nextEvent(r, 'jammed', { timeout: 300 });
    f.net.disconnect();
    const err = expectTsro(await rejectionOf(waiting), 'TIMEOUT');
    expect(err.message).to.match(/; state changes meanwhile: suspect; state suspect$/);
  });

  it('rejects with what `where` throws (an assertion inside it fails the test at once)', async () => {
    const r = f.net.node.acquire(Printer);
    await nextEvent(r, 'initialized', { timeout: 3000 });
    const jam = nextEvent(r, 'jammed', {
      timeout: 3000,
      where: (page) => {
        expect(page).to.equal(1);
        return true;
      },
    });
    f.printer.jammed(2, 'x');
    expect((await rejectionOf(jam)).message).to.equal('expected 2 to equal 1');
  });

  it('an AbortSignal cancels the wait and removes its listener', async () => {
    const r = f.net.node.acquire(Printer);
    const ac = new AbortController();
    const waiting = nextEvent(r, 'jammed', { timeout: 3000, signal: ac.signal });
    ac.abort(new Error('no longer needed'));
    expect((await rejectionOf(waiting)).message).to.equal('no longer needed');
    expect((r as unknown as EventEmitter).listenerCount('jammed')).to.equal(0);
  });

  it('leaves no listener behind, whether it resolved or timed out', async () => {
    const r = f.net.node.acquire(Printer);
    await nextEvent(r, 'initialized', { timeout: 3000 });
    const jam = nextEvent(r, 'jammed', { timeout: 3000 });
    f.printer.jammed(1, 'x');
    await jam;
    await rejectionOf(nextEvent(r, 'jammed', { timeout: 10 }));
    const counts = r as unknown as { listenerCount(e: string): number };
    expect([counts.listenerCount('jammed'), counts.listenerCount('stateChanged')]).to.deep.equal([0, 0]);
  });

  it('works on a Node and on a plain EventEmitter', async () => {
    const nodeErr = expectTsro(await rejectionOf(nextEvent(f.net.node, 'remoteObjectAdded', { timeout: 10 })), 'TIMEOUT');
    expect(nodeErr.message).to.equal('timed out after 10 ms waiting for "remoteObjectAdded" of the Node; it did not emit "remoteObjectAdded"');
    const emitter = new EventEmitter();
    const ev = nextEvent<[number]>(emitter, 'x');
    emitter.emit('x', 5);
    expect(await ev).to.deep.equal([5]);
    const err = expectTsro(await rejectionOf(nextEvent(emitter, 'y', { timeout: 10 })), 'TIMEOUT');
    expect(err.message).to.equal('timed out after 10 ms waiting for "y" of the EventEmitter; it did not emit "y"');
  });

  it('refuses a timeout that is not a positive number with TYPE_MISMATCH', () => {
    const emitter = new EventEmitter();
    for (const timeout of [0, -1, NaN, Infinity]) {
      expect(() => nextEvent(emitter, 'x', { timeout })).to.throw(/timeout must be a positive number of milliseconds/);
    }
  });
});
