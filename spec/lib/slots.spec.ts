// Slot calls from typed and dynamic replicas over real sockets: return values, exceptions as
// RemoteError, optional parameters, checks before sending, calls on a replica that is not valid,
// and calls whose connection goes away before the reply (nothing may hang).

import { expect } from 'chai';
import { DisconnectedError, RemoteError, TsroError, type Replica } from '../../src/index';
import { transports, within } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Gadget, WAIT_MS, bindingOf, expectTsro, rejectionOf, sourceEvent } from '../support/e2e';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

/** Calls a typed replica's method with arguments its type does not allow. */
function callUnchecked(r: object, method: string, ...args: unknown[]): Promise<unknown> {
  return (r as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
}

for (const t of transports()) {
  describe(`slots (${t.name})`, () => {
    const f = useWorld(t.url);
    let printer: Printer;
    let gadget: Gadget;
    let r: Replica<Printer>;

    beforeEach(async () => {
      printer = new Printer();
      gadget = new Gadget();
      f.remote(printer);
      f.remote(gadget);
      r = await f.valid(Printer);
    });

    describe('return values', () => {
      it('resolves with an async slot\'s awaited value', async () => {
        expect(await r.print('hello')).to.equal(5);
        expect(printer.queue).to.deep.equal(['hello']);
      });

      it('resolves with a sync slot\'s value', async () => {
        expect(await r.add(2, 3)).to.equal(5);
        expect(await r.add(0.5, 0.25)).to.equal(0.75);
      });

      it('resolves a void slot with undefined', async () => {
        const dyn = await f.validDynamic('Gadget');
        // echo(undefined) returns undefined through an `any` return
        expect(await dyn.invoke('echo', undefined)).to.equal(undefined);
      });

      it('dynamic invoke resolves like the typed call', async () => {
        const dyn = await f.validDynamic('Printer');
        expect(await dyn.invoke('add', 4, 5)).to.equal(9);
        expect(await dyn.invoke('print', 'abc')).to.equal(3);
      });
    });

    describe('errors thrown by the slot', () => {
      it('a slot that throws rejects with RemoteError (code REMOTE, remoteName, remoteMessage)', async () => {
        const err = await rejectionOf(r.fail('out of range'));
        expect(err).to.be.instanceOf(RemoteError);
        const e = err as RemoteError;
        expect(e.code).to.equal('REMOTE');
        expect(e.remoteName).to.equal('RangeError');
        expect(e.remoteMessage).to.equal('out of range');
        expect(e.remoteCode).to.equal(undefined);
        expect(e.message).to.include('RangeError').and.include('out of range');
      });

      it('an async slot that rejects rejects with RemoteError too', async () => {
        const err = await rejectionOf(r.failLater('later'));
        expect(err).to.be.instanceOf(RemoteError);
        const e = err as RemoteError;
        expect(e.code).to.equal('REMOTE');
        expect(e.remoteName).to.equal('TypeError');
        expect(e.remoteMessage).to.equal('later');
      });

      it('the replica and connection keep working after a slot threw', async () => {
        await rejectionOf(r.fail('x'));
        await rejectionOf(r.failLater('y'));
        expect(await r.add(1, 1)).to.equal(2);
        expect(r.state).to.equal('valid');
      });

      it('dynamic invoke of a throwing slot rejects with the same RemoteError', async () => {
        const dyn = await f.validDynamic('Printer');
        const e = (await rejectionOf(dyn.invoke('fail', 'dyn'))) as RemoteError;
        expect(e).to.be.instanceOf(RemoteError);
        expect(e.remoteName).to.equal('RangeError');
        expect(e.remoteMessage).to.equal('dyn');
      });
    });

    describe('optional parameters', () => {
      it('uses the default of a parameter left out', async () => {
        expect(await r.greet('bob')).to.equal('hello bob');
      });

      it('passes an optional parameter when given', async () => {
        expect(await r.greet('bob', 'hi')).to.equal('hi bob');
      });

      it('treats an optional parameter passed as undefined like one left out', async () => {
        expect(await r.greet('bob', undefined)).to.equal('hello bob');
      });

      it('dynamic invoke may leave it out too', async () => {
        const dyn = await f.validDynamic('Printer');
        expect(await dyn.invoke('greet', 'ann')).to.equal('hello ann');
        expect(await dyn.invoke('greet', 'ann', 'hey')).to.equal('hey ann');
      });
    });

    describe('refused before sending', () => {
      it('rejects a wrong argument count with ARGUMENT_COUNT and sends nothing', async () => {
        const invoked = f.w.tap(bindingOf(f.host, 'Printer')!, 'invoke');
        const few = expectTsro(await rejectionOf(callUnchecked(r, 'add', 1)), 'ARGUMENT_COUNT');
        expect(few.message).to.include('add');
        expectTsro(await rejectionOf(callUnchecked(r, 'add', 1, 2, 3)), 'ARGUMENT_COUNT');
        expectTsro(await rejectionOf(callUnchecked(r, 'greet')), 'ARGUMENT_COUNT');
        expectTsro(await rejectionOf(callUnchecked(r, 'greet', 'a', 'b', 'c')), 'ARGUMENT_COUNT');
        expectTsro(await rejectionOf(callUnchecked(r, 'print')), 'ARGUMENT_COUNT');
        // Barrier: a good call arrives; none of the refused ones did.
        expect(await r.add(1, 2)).to.equal(3);
        expect(invoked.count).to.equal(1);
      });

      it('rejects a string for a double parameter with TYPE_MISMATCH', async () => {
        const invoked = f.w.tap(bindingOf(f.host, 'Printer')!, 'invoke');
        const e = expectTsro(await rejectionOf(callUnchecked(r, 'add', '1', 2)), 'TYPE_MISMATCH');
        expect(e.message).to.include('argument 1').and.include('double');
        expectTsro(await rejectionOf(callUnchecked(r, 'print', 42)), 'TYPE_MISMATCH');
        expect(await r.add(1, 2)).to.equal(3);
        expect(invoked.count).to.equal(1);
      });

      it('rejects a string or a fraction for an int32 parameter with TYPE_MISMATCH', async () => {
        const g = await f.valid(Gadget);
        expect(await g.twice(21)).to.equal(42);
        expectTsro(await rejectionOf(callUnchecked(g, 'twice', '21')), 'TYPE_MISMATCH');
        const frac = expectTsro(await rejectionOf(g.twice(2.5)), 'TYPE_MISMATCH');
        expect(frac.message).to.include('int32');
        expectTsro(await rejectionOf(g.twice(2 ** 31)), 'TYPE_MISMATCH');
      });

      it('dynamic invoke checks the same way, and rejects an unknown slot with UNKNOWN_MEMBER', async () => {
        const dyn = await f.validDynamic('Gadget');
        expectTsro(await rejectionOf(dyn.invoke('twice', 'x')), 'TYPE_MISMATCH');
        expectTsro(await rejectionOf(dyn.invoke('twice')), 'ARGUMENT_COUNT');
        expectTsro(await rejectionOf(dyn.invoke('nope')), 'UNKNOWN_MEMBER');
        // Signals, properties and Object.prototype are not slots.
        expectTsro(await rejectionOf(dyn.invoke('sent', 1)), 'UNKNOWN_MEMBER');
        expectTsro(await rejectionOf(dyn.invoke('label')), 'UNKNOWN_MEMBER');
        expectTsro(await rejectionOf(dyn.invoke('toString')), 'UNKNOWN_MEMBER');
        expectTsro(await rejectionOf(dyn.invoke('constructor')), 'UNKNOWN_MEMBER');
      });

      it('a typed replica has methods for slots only: a signal is an event, not a method', () => {
        const members = r as unknown as Record<string, unknown>;
        expect(members.jammed).to.equal(undefined);
        expect(typeof members.print).to.equal('function');
        expect(typeof members.inkLevel).to.equal('number');
      });
    });

    describe('on a replica that is not valid', () => {
      it('rejects with NOT_VALID before initialization', async () => {
        const other = f.w.node();
        const early = other.acquire(Printer);
        expect(early.state).to.equal('default');
        expectTsro(await rejectionOf(early.print('x')), 'NOT_VALID');
      });

      it('rejects with NOT_VALID once suspect', async () => {
        const suspect = nextEvent(r, 'stateChanged');
        f.host.disableRemoting(printer);
        await suspect;
        expectTsro(await rejectionOf(r.add(1, 2)), 'NOT_VALID');
      });

      it('rejects with NOT_VALID after release, while another handle still works', async () => {
        const second = await f.valid(Printer);
        r.release();
        const e = expectTsro(await rejectionOf(r.add(1, 2)), 'NOT_VALID');
        expect(e.message).to.include('released');
        expect(await second.add(1, 2)).to.equal(3);
      });
    });

    describe('when the connection goes away before the reply', () => {
      it('rejects with DISCONNECTED when the host closes', async () => {
        const g = await f.valid(Gadget);
        const entered = sourceEvent(gadget, 'hangEntered');
        const call = g.hang();
        await entered;
        await f.host.close();
        const err = expectTsro(await rejectionOf(call, 'the hanging call'), 'DISCONNECTED');
        expect(err).to.be.instanceOf(DisconnectedError);
        expect(err.message).to.include('hang');
      });

      it('rejects with CLOSED when the node closes', async () => {
        const g = await f.valid(Gadget);
        const entered = sourceEvent(gadget, 'hangEntered');
        const call = g.hang();
        await entered;
        await f.node.close();
        const err = expectTsro(await rejectionOf(call, 'the hanging call'), 'CLOSED');
        expect(err).to.be.instanceOf(DisconnectedError);
      });

      it('rejects every pending call, not just one', async () => {
        const g = await f.valid(Gadget);
        let entered = 0;
        const allEntered = new Promise<void>((resolve) =>
          gadget.on('hangEntered', () => {
            if (++entered === 3) resolve();
          }),
        );
        const calls = [g.hang(), g.hang(), g.hang()];
        await within(allEntered, WAIT_MS, 'three hanging calls to arrive');
        await f.host.close();
        for (const c of calls) expectTsro(await rejectionOf(c, 'a hanging call'), 'DISCONNECTED');
      });

      it('a call that reaches the host after its source was disabled rejects with a clear error', async () => {
        // The call is queued on the node's side before it hears that the source went away.
        const call = r.add(1, 2);
        f.host.disableRemoting(printer);
        const err = await rejectionOf(call, 'the call to a disabled source');
        expect(err).to.be.instanceOf(TsroError);
        expect(err.message).to.match(/source/i);
        const remote = err as RemoteError;
        if (remote.code === 'REMOTE') expect(remote.remoteCode).to.be.oneOf(['UNKNOWN_SOURCE', 'UNKNOWN_MEMBER', 'NOT_VALID']);
        else expect(remote.code).to.be.oneOf(['NOT_VALID', 'UNKNOWN_SOURCE', 'DISCONNECTED']);
      });

      it('a call made after the node closed rejects at once', async () => {
        await f.node.close();
        expectTsro(await rejectionOf(r.add(1, 2)), ['NOT_VALID', 'CLOSED', 'DISCONNECTED']);
      });
    });

    describe('concurrency', () => {
      it('many concurrent calls resolve each with its own result', async () => {
        const g = await f.valid(Gadget);
        const n = 500;
        const sync = Array.from({ length: n }, (_, i) => r.add(i, i * 1000));
        const async = Array.from({ length: n }, (_, i) => g.slowAdd(i, 1));
        const greetings = Array.from({ length: 50 }, (_, i) => (i % 2 ? r.greet(`n${i}`, 'hi') : r.greet(`n${i}`)));
        expect(await Promise.all(sync)).to.deep.equal(Array.from({ length: n }, (_, i) => i + i * 1000));
        expect(await Promise.all(async)).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
        expect(await Promise.all(greetings)).to.deep.equal(Array.from({ length: 50 }, (_, i) => `${i % 2 ? 'hi' : 'hello'} n${i}`));
      });

      it('concurrent calls from two nodes do not mix replies', async () => {
        const other = await f.w.connectedNode(f.host);
        const r2 = other.acquire(Printer);
        expect(await r2.waitForSource(WAIT_MS)).to.equal(true);
        const a = Array.from({ length: 100 }, (_, i) => r.add(i, 0));
        const b = Array.from({ length: 100 }, (_, i) => r2.add(i, 0.5));
        expect(await Promise.all(a)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
        expect(await Promise.all(b)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 0.5));
      });
    });
  });
}
