// SourceBinding on its own: one remoted object and the listeners it sends to, with no
// connection. A property change encoded once for every listener (and refused, unstored, when it
// cannot be carried), signals with their arguments checked, the Init snapshot, slot calls with
// their outcomes (value, refusal, what the slot threw, a promise), sets, the caller a slot sees,
// and dispose.

import { expect } from 'chai';
import { apiOf } from '../../src/api/metadata';
import { currentCaller } from '../../src/host/call-context';
import { SourceBinding, type CallOutcome, type SourceListener } from '../../src/host/source-binding';
import { Property, RemoteObjectType, Signal, Slot } from '../../src/index';
import type { DecodedPacket } from '../../src/protocol/messages';
import { decodePacket } from '../../src/protocol/packet-codec';
import { decodeValue, decodeValues, encodeValue } from '../../src/protocol/value-codec';
import { expectTsro, thrownBy } from '../support/e2e';

@RemoteObjectType('Meter')
class Meter {
  @Property({ type: 'int32' }) reading = 0;
  @Property({ readonly: true }) unit = 'V';
  @Property() anything: unknown = null;
  seenCaller: unknown;
  @Signal() overload(_level: number, _where: string): void {}
  @Slot() scale(x: number, factor = 2): number {
    this.seenCaller = currentCaller();
    return x * factor;
  }
  @Slot() fail(): void {
    throw new RangeError('out of range');
  }
  @Slot() async later(x: number): Promise<number> {
    await Promise.resolve();
    return x + 1;
  }
}

class Listener implements SourceListener {
  readonly frames: Uint8Array[] = [];
  sendEncoded(bytes: Uint8Array): boolean {
    this.frames.push(bytes);
    return true;
  }
  get packets(): DecodedPacket[] {
    return this.frames.map(decodePacket);
  }
}

function bind(): { meter: Meter; binding: SourceBinding } {
  const meter = new Meter();
  return { meter, binding: new SourceBinding(7, 'Meter', apiOf(Meter), meter) };
}

function call(binding: SourceBinding, index: number, args: unknown[], caller?: object): Promise<CallOutcome> {
  return new Promise((resolve) => binding.invoke(index, args, (outcome) => resolve(outcome as CallOutcome), caller));
}

describe('SourceBinding (no connection)', () => {
  it('encodes a property change once and sends the same bytes to every listener', () => {
    const { meter, binding } = bind();
    const a = new Listener();
    const b = new Listener();
    binding.addListener(a);
    binding.addListener(b);
    binding.addListener(a); // once only
    meter.reading = 5;
    expect(a.frames).to.have.length(1);
    expect(b.frames[0]).to.equal(a.frames[0]);
    const change = a.packets[0]!.propertyChange!;
    expect([change.source, change.index, decodeValue(change.value!)]).to.deep.equal([7, 0, 5]);
    meter.reading = 5; // unchanged: nothing
    expect(a.frames).to.have.length(1);
  });

  it('refuses a value that cannot be carried, to the code that set it, and stores nothing', () => {
    const { meter, binding } = bind();
    const l = new Listener();
    binding.addListener(l);
    expectTsro(thrownBy(() => (meter.anything = () => 1)), 'NOT_SERIALIZABLE');
    expect(meter.anything).to.equal(null);
    expect(l.frames).to.deep.equal([]);
  });

  it('sends signals with their arguments checked against the declaration', () => {
    const { meter, binding } = bind();
    const l = new Listener();
    binding.addListener(l);
    meter.overload(3, 'north');
    const signal = l.packets[0]!.signal!;
    expect([signal.index, decodeValues(signal.args)]).to.deep.equal([0, [3, 'north']]);
    expectTsro(thrownBy(() => (meter.overload as (...a: unknown[]) => void)(3)), 'ARGUMENT_COUNT');
    expectTsro(thrownBy(() => (meter.overload as (...a: unknown[]) => void)('3', 'x')), 'TYPE_MISMATCH');
    expect(l.frames).to.have.length(1);
  });

  it('snapshots every property, with the definition when asked', () => {
    const { meter, binding } = bind();
    meter.reading = 9;
    const init = decodePacket(binding.initPacket(true)).init!;
    expect([init.source, decodeValues(init.values)]).to.deep.equal([7, [9, 'V', null]]);
    expect(init.definition?.typeName).to.equal('Meter');
    expect(decodePacket(binding.initPacket(false)).init!.definition).to.equal(null);
  });

  it('runs slots: a value, optional parameters, a promise, what the slot threw, refusals', async () => {
    const { binding } = bind();
    expect(await call(binding, 0, [4])).to.deep.equal({ value: 8, what: 'return value of slot "scale" of source "Meter"' });
    expect(((await call(binding, 0, [4, 3])) as { value: unknown }).value).to.equal(12);
    expect(((await call(binding, 2, [1])) as { value: unknown }).value).to.equal(2);
    const thrown = (await call(binding, 1, [])) as { error: { name?: string; message?: string; code?: string } };
    expect([thrown.error.name, thrown.error.message]).to.deep.equal(['RangeError', 'out of range']);
    const count = (await call(binding, 0, [])) as { error: { code?: string; message?: string } };
    expect(count.error.code).to.equal('ARGUMENT_COUNT');
    expect(count.error.message).to.equal('slot "scale" of source "Meter" takes 1 argument, got 0');
    expect(((await call(binding, 0, ['x'])) as { error: { code?: string } }).error.code).to.equal('TYPE_MISMATCH');
    expect(((await call(binding, 9, [])) as { error: { code?: string } }).error.code).to.equal('UNKNOWN_MEMBER');
  });

  it('shows the caller to a slot while it runs, and no one after', async () => {
    const { meter, binding } = bind();
    const caller = {};
    await call(binding, 0, [1], caller);
    expect(meter.seenCaller).to.equal(caller);
    expect(currentCaller()).to.equal(undefined);
  });

  it('applies sets, and refuses readonly properties and unknown indices', () => {
    const { meter, binding } = bind();
    binding.setProperty(0, encodeValue(3, 'v'));
    expect(meter.reading).to.equal(3);
    expectTsro(thrownBy(() => binding.setProperty(1, encodeValue('A', 'v'))), 'READONLY');
    expectTsro(thrownBy(() => binding.setProperty(5, encodeValue(1, 'v'))), 'UNKNOWN_MEMBER');
    expectTsro(thrownBy(() => binding.setProperty(0, encodeValue('three', 'v'))), 'TYPE_MISMATCH');
    expect([meter.reading, meter.unit]).to.deep.equal([3, 'V']);
  });

  it('sends nothing once disposed, and lets the object change freely', () => {
    const { meter, binding } = bind();
    const l = new Listener();
    binding.addListener(l);
    binding.dispose();
    meter.reading = 1;
    meter.anything = () => 1; // not remoted any more: no carriage check either
    expect(l.frames).to.deep.equal([]);
    expect(binding.listenerCount).to.equal(0);
  });
});
