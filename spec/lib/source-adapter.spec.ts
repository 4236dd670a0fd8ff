// Source adapters (adaptSource, QtRO's SourceAPI): an object that is not decorated, remoted
// through a decorated API class. Over real sockets: replicas see the target's values (renamed,
// converted), its change events, its forwarded events as signals; slots and replicas' sets reach
// the target. Locally: the declaration checks, refresh(), listener bookkeeping and the types.

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import {
  Property,
  RemoteError,
  RemoteObjectType,
  Signal,
  Slot,
  adaptSource,
  type DynamicReplica,
  type Host,
  type Node,
  type Replica,
  type SourceAdapter,
} from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { transports, until } from '../support/fixtures';
import { bindingOf, expectTsro, recordEvents, rejectionOf, thrownBy } from '../support/e2e';
import { nextEvent, waitFor } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

interface JamEvent {
  readonly page: number;
  readonly reason: string;
}

/** Legacy code: not decorated; announces some changes with `<member>Changed` events. */
class LegacyPrinter extends EventEmitter {
  ink = 87.6; // percent, fractional
  color = true;
  busy = false;
  tray: string[] = ['A4'];
  printed: string[] = [];
  private copyCount = 1;

  /** Clamps to 10 copies. */
  get copies(): number {
    return this.copyCount;
  }
  set copies(n: number) {
    this.copyCount = Math.min(n, 10);
  }

  setInk(value: number): void {
    this.ink = value;
    this.emit('inkChanged', value);
  }

  /** Uses ink, and says nothing about it. */
  printDocument(doc: string): { pages: number } {
    this.printed.push(doc);
    this.ink -= 5;
    return { pages: doc.length };
  }

  async printLater(doc: string): Promise<{ pages: number }> {
    await Promise.resolve();
    return this.printDocument(doc);
  }

  /** Uses ink, then fails. */
  cleanHeads(): void {
    this.ink -= 10;
    throw new Error('heads still dirty');
  }

  jam(page: number, reason: string): void {
    this.emit('paperJam', { page, reason } satisfies JamEvent);
  }
}

/** The API replicas see. */
@RemoteObjectType('AdaptedPrinter')
class PrinterApi {
  @Property({ type: 'int32' }) inkLevel = 100;
  @Property() mode: string = 'color';
  @Property({ type: 'int32' }) copies = 1;
  @Property({ readonly: true }) busy: boolean = false;
  @Property({ type: { array: 'string' } }) tray: string[] = [];
  @Signal({ params: ['int32', 'string'] }) jammed(_page: number, _reason: string): void {}
  @Slot({ returns: 'int32' }) async print(_doc: string): Promise<number> {
    throw new Error('adapted');
  }
  @Slot({ returns: 'int32' }) async printLater(_doc: string): Promise<number> {
    throw new Error('adapted');
  }
  @Slot({ returns: 'string' }) summary(): string {
    throw new Error('adapted');
  }
  @Slot() clean(): void {}
}

function adaptPrinter(legacy: LegacyPrinter): SourceAdapter<PrinterApi> {
  return adaptSource(PrinterApi, legacy, {
    properties: {
      inkLevel: { from: 'ink', toRemote: (v) => Math.round(v) },
      mode: { from: 'color', toRemote: (c) => (c ? 'color' : 'mono'), fromRemote: (m) => m === 'color' },
    },
    slots: {
      print: { from: 'printDocument', toRemote: (r) => r.pages },
      printLater: { toRemote: (r) => r.pages },
      summary: (p) => `${Math.round(p.ink)}% ${p.color ? 'color' : 'mono'}`,
      clean: { from: 'cleanHeads' },
    },
    signals: { jammed: { event: 'paperJam', args: (e: JamEvent) => [e.page, e.reason] } },
  });
}

/** Every event the adapter listens to on a LegacyPrinter. */
const PRINTER_EVENTS = ['inkChanged', 'colorChanged', 'copiesChanged', 'busyChanged', 'trayChanged', 'paperJam'];

function listenerCounts(target: EventEmitter, events: readonly string[]): Record<string, number> {
  return Object.fromEntries(events.map((e) => [e, target.listenerCount(e)]));
}

for (const t of transports()) {
  describe(`source adapters (${t.name})`, () => {
    const f = useWorld(t.url);
    let legacy: LegacyPrinter;
    let adapter: SourceAdapter<PrinterApi>;
    let r: Replica<PrinterApi>;
    let dyn: DynamicReplica;

    beforeEach(async () => {
      legacy = new LegacyPrinter();
      adapter = adaptPrinter(legacy);
      f.w.defer(() => adapter.dispose());
      f.remote(adapter);
      r = await f.valid(PrinterApi);
      dyn = await f.validDynamic('AdaptedPrinter');
    });

    it('is remoted under the API class\'s type name and signature', () => {
      expect(adapter).to.be.instanceOf(PrinterApi);
      const binding = bindingOf(f.host, 'AdaptedPrinter')!;
      expect(binding.api.signature).to.equal(apiOf(PrinterApi).signature);
      expect(r.state).to.equal('valid'); // a typed replica of the API class matched it
      expect(dyn.propertyNames).to.deep.equal(['inkLevel', 'mode', 'copies', 'busy', 'tray']);
    });

    it('typed and dynamic replicas see the target\'s values, renamed and converted', () => {
      const expected = { inkLevel: 88, mode: 'color', copies: 1, busy: false, tray: ['A4'] };
      expect({ inkLevel: r.inkLevel, mode: r.mode, copies: r.copies, busy: r.busy, tray: r.tray }).to.deep.equal(expected);
      expect(Object.fromEntries(dyn.propertyNames.map((n) => [n, dyn.get(n)]))).to.deep.equal(expected);
      expect(adapter.inkLevel).to.equal(88);
    });

    it('the target\'s change events reach replicas, only when the value changed', async () => {
      const typedLog = recordEvents(r, ['inkLevelChanged', 'busyChanged']);
      const onDyn = nextEvent(dyn, 'inkLevelChanged');
      legacy.setInk(42.4);
      expect(await onDyn).to.deep.equal([42]);
      await waitFor(r, 'inkLevel', 42);
      legacy.setInk(41.9); // still 42 once rounded: no change
      legacy.busy = true;
      legacy.emit('busyChanged');
      await waitFor(r, 'busy', true);
      expect(typedLog.map((e) => [e.event, e.args[0]])).to.deep.equal([
        ['inkLevelChanged', 42],
        ['busyChanged', true],
      ]);
    });

    it('a renamed slot calls the target\'s method and converts its result; its changes arrive before the reply', async () => {
      expect(await r.print('hello')).to.equal(5);
      expect(legacy.printed).to.deep.equal(['hello']);
      expect(r.inkLevel).to.equal(83); // printDocument said nothing: the adapter re-read it
      expect(await dyn.invoke('printLater', 'abc')).to.equal(3);
      expect(dyn.get('inkLevel')).to.equal(78);
    });

    it('a slot that throws rejects with the target\'s error; what it changed still reaches replicas', async () => {
      const e = expectTsro(await rejectionOf(r.clean()), 'REMOTE') as RemoteError;
      expect(e.remoteMessage).to.equal('heads still dirty');
      expect(r.inkLevel).to.equal(78);
    });

    it('a slot given as a function gets the target and the arguments', async () => {
      expect(await r.summary()).to.equal('88% color');
      legacy.color = false;
      expect(await dyn.invoke('summary')).to.equal('88% mono');
    });

    it('a replica\'s set is converted and written to the target', async () => {
      r.mode = 'mono';
      await waitFor(r, 'mode', 'mono');
      expect(legacy.color).to.equal(false);
      expect(adapter.mode).to.equal('mono');
      await dyn.set('inkLevel', 50);
      expect(legacy.ink).to.equal(50);
      await waitFor(r, 'inkLevel', 50);
    });

    it('after a set, replicas see what the target actually holds', async () => {
      const typedLog = recordEvents(r, ['copiesChanged']);
      await dyn.set('copies', 25); // the target clamps to 10
      expect(legacy.copies).to.equal(10);
      expect(dyn.get('copies')).to.equal(10);
      await waitFor(r, 'copies', 10);
      expect(typedLog.map((e) => e.args[0])).to.deep.equal([10]);
    });

    it('a set the target refuses reaches the replica as an error, and nothing changes', async () => {
      Object.defineProperty(legacy, 'ink', {
        get: () => 87.6,
        set: () => {
          throw new RangeError('ink is not settable today');
        },
      });
      const e = expectTsro(await rejectionOf(dyn.set('inkLevel', 10)), 'REMOTE') as RemoteError;
      expect(e.remoteName).to.equal('RangeError');
      expect(e.remoteMessage).to.equal('ink is not settable today');
      expect(dyn.get('inkLevel')).to.equal(88);
    });

    it('a readonly property stays readonly for replicas', () => {
      expectTsro(thrownBy(() => ((r as { busy: boolean }).busy = true)), 'READONLY');
    });

    it('forwards a target event as a signal, arguments converted', async () => {
      const onTyped = nextEvent(r, 'jammed');
      const onDyn = nextEvent(dyn, 'jammed');
      legacy.jam(3, 'paper feed');
      expect(await onTyped).to.deep.equal([3, 'paper feed']);
      expect(await onDyn).to.deep.equal([3, 'paper feed']);
    });

    it('a forwarded event whose arguments do not fit the signal throws to the code that emitted it', async () => {
      const log = recordEvents(r, ['jammed']);
      expectTsro(thrownBy(() => legacy.emit('paperJam', { page: 1.5, reason: 'x' })), 'TYPE_MISMATCH');
      legacy.jam(2, 'ok'); // barrier
      await until(r, 'jammed', () => log.length > 0);
      expect(log.map((l) => l.args)).to.deep.equal([[2, 'ok']]);
    });

    it('refresh() picks up changes the target did not announce', async () => {
      const typedLog = recordEvents(r, ['inkLevelChanged', 'trayChanged', 'busyChanged']);
      legacy.ink = 12;
      legacy.tray.push('A3'); // in place
      adapter.refresh();
      await waitFor(r, 'tray', (t) => t.length === 2);
      expect(r.inkLevel).to.equal(12);
      expect(r.tray).to.deep.equal(['A4', 'A3']);
      adapter.refresh(); // nothing changed: nothing sent
      legacy.busy = true;
      adapter.refresh();
      await waitFor(r, 'busy', true);
      expect(typedLog.map((e) => e.event)).to.deep.equal(['inkLevelChanged', 'trayChanged', 'busyChanged']);
    });

    it('dispose() removes every listener it added; the target is left alone after it', async () => {
      const fresh = new LegacyPrinter();
      const before = listenerCounts(fresh, PRINTER_EVENTS);
      const second = adaptPrinter(fresh);
      expect(listenerCounts(fresh, PRINTER_EVENTS)).to.deep.equal(Object.fromEntries(PRINTER_EVENTS.map((e) => [e, before[e]! + 1])));
      second.dispose();
      expect(listenerCounts(fresh, PRINTER_EVENTS)).to.deep.equal(before);
      second.dispose(); // idempotent

      // The remoted one: events no longer reach replicas; calls and sets are refused.
      adapter.dispose();
      expect(listenerCounts(legacy, PRINTER_EVENTS)).to.deep.equal(Object.fromEntries(PRINTER_EVENTS.map((e) => [e, 0])));
      legacy.setInk(1);
      legacy.jam(1, 'x');
      const call = expectTsro(await rejectionOf(r.print('late')), 'REMOTE') as RemoteError;
      expect(call.remoteCode).to.equal('CLOSED');
      const set = expectTsro(await rejectionOf(dyn.set('copies', 3)), 'REMOTE') as RemoteError;
      expect(set.remoteCode).to.equal('CLOSED');
      expectTsro(thrownBy(() => adapter.refresh()), 'CLOSED');
      expect(legacy.printed).to.deep.equal([]);
      expect(legacy.copies).to.equal(1);
      expect(r.inkLevel).to.equal(88); // its last value; still remoted until disableRemoting
      expect(r.state).to.equal('valid');
    });
  });
}

describe('source adapters: declaration checks', () => {
  @RemoteObjectType('Lamp')
  class LampApi {
    @Property() on_: boolean = false;
    @Property({ type: 'int32' }) level = 0;
    @Property({ readonly: true, type: 'int32' }) hours = 0;
    @Signal() burnedOut(): void {}
    @Slot() toggle(): void {}
  }

  it('names every member the target lacks (DECLARATION_INVALID)', () => {
    const e = expectTsro(
      thrownBy(() => adaptSource(PrinterApi, { ink: 1, color: true, copies: 1, busy: false, print: () => 1 }, { properties: { inkLevel: { from: 'ink' } } })),
      'DECLARATION_INVALID',
    );
    expect(e.message).to.include('PrinterApi');
    expect(e.message).to.include('property "mode" reads target member "mode", which the target does not have');
    expect(e.message).to.include('property "tray" reads target member "tray"');
    expect(e.message).to.include('slot "printLater" calls target method "printLater", which the target does not have');
    expect(e.message).to.include('slot "summary"');
    expect(e.message).not.to.include('"inkLevel"');
    expect(e.message).not.to.include('slot "print"');
  });

  it('names a renamed member the target lacks', () => {
    const legacy = new LegacyPrinter();
    const e = expectTsro(
      thrownBy(() =>
        adaptSource(PrinterApi, legacy, {
          properties: { mode: { from: 'color' } },
          // @ts-expect-error -- not a method of LegacyPrinter
          slots: { print: { from: 'printPdf' }, summary: () => '' },
        }),
      ),
      'DECLARATION_INVALID',
    );
    expect(e.message).to.include('slot "print" calls target method "printPdf"');
    expect(e.message).to.include('property "inkLevel" reads target member "inkLevel"');
  });

  it('refuses a property mapped to a method, and a writable property mapped to a member that cannot be assigned', () => {
    const target = {
      on_: false,
      level: 1,
      hours: 3,
      toggle(): void {},
    };
    // @ts-expect-error -- toggle is a method, not a value
    const e1 = expectTsro(thrownBy(() => adaptSource(LampApi, target, { properties: { on_: { from: 'toggle' } } })), 'DECLARATION_INVALID');
    expect(e1.message).to.include('property "on_" reads target member "toggle", which is a method');
    const frozen = Object.defineProperty({ on_: false, hours: 3, toggle(): void {} }, 'level', { get: () => 1, enumerable: true });
    const e2 = expectTsro(thrownBy(() => adaptSource(LampApi, frozen)), 'DECLARATION_INVALID');
    expect(e2.message).to.include('writable property "level" writes target member "level", which cannot be assigned');
    // a readonly property may come from a getter
    const fine = Object.defineProperty({ on_: false, level: 1, toggle(): void {} }, 'hours', { get: () => 5, enumerable: true });
    expect(adaptSource(LampApi, fine).hours).to.equal(5);
  });

  it('refuses a mapping of members the API does not declare', () => {
    const target = { on_: false, level: 1, hours: 3, toggle(): void {}, dim: 0 };
    const e = expectTsro(
      thrownBy(() =>
        adaptSource(LampApi, target, {
          // @ts-expect-error -- not a property of LampApi
          properties: { brightness: { from: 'dim' } },
          slots: { burnedOut: () => undefined }, // a signal, not a slot
        }),
      ),
      'DECLARATION_INVALID',
    );
    expect(e.message).to.include('properties.brightness (not a property of LampApi)');
    expect(e.message).to.include('slots.burnedOut (not a slot of LampApi)');
  });

  it('refuses signals forwarded from a target that has no on/off', () => {
    const target = { on_: false, level: 1, hours: 3, toggle(): void {} };
    const e = expectTsro(thrownBy(() => adaptSource(LampApi, target, { signals: { burnedOut: { event: 'dead' } } })), 'DECLARATION_INVALID');
    expect(e.message).to.include('signals "burnedOut" are forwarded from target events, but the target has no on/off methods');
  });

  it('refuses an API that declares refresh or dispose', () => {
    @RemoteObjectType('Cache')
    class CacheApi {
      @Property() size: number = 0;
      @Slot() refresh(): void {}
    }
    const e = expectTsro(thrownBy(() => adaptSource(CacheApi, { size: 1, refresh(): void {} })), 'DECLARATION_INVALID');
    expect(e.message).to.include('"refresh"');
  });

  it('a target value that does not fit the declared type is TYPE_MISMATCH, naming the member', () => {
    const target = { on_: 'yes', level: 1, hours: 3, toggle(): void {} };
    const e = expectTsro(thrownBy(() => adaptSource(LampApi, target)), 'TYPE_MISMATCH');
    expect(e.message).to.include('property "on_" of LampApi (from target member "on_")');
  });
});

describe('source adapters: behaviour on the adapter itself', () => {
  @RemoteObjectType('Gauge')
  class GaugeApi extends EventEmitter {
    @Property({ type: 'int32' }) value = 0;
    @Property({ type: 'int32', sourceOnlySetter: true }) limit = 0;
    @Property({ constant: true }) unit: string = '';
    @Property({ type: { map: 'double' } }) readings = new Map<string, number>();
  }
  interface GaugeApi {
    pushLimit(value: number): void;
  }

  /** A plain object: no events at all. */
  function plainGauge(): { value: number; limit: number; unit: string; readings: Map<string, number> } {
    return { value: 1, limit: 5, unit: 'bar', readings: new Map([['a', 1]]) };
  }

  /** The adapter's property changes (the API class is an EventEmitter: it hears its own). */
  function changes(adapter: GaugeApi): { event: string; value: unknown }[] {
    const log: { event: string; value: unknown }[] = [];
    for (const event of ['valueChanged', 'limitChanged', 'unitChanged', 'readingsChanged']) {
      adapter.on(event, (value: unknown) => log.push({ event, value }));
    }
    return log;
  }

  it('reads every property at creation, constant ones included', () => {
    const g = adaptSource(GaugeApi, plainGauge());
    expect([g.value, g.limit, g.unit, [...g.readings]]).to.deep.equal([1, 5, 'bar', [['a', 1]]]);
  });

  it('refresh() applies what changed, once, including containers changed in place; constants are left alone', () => {
    const target = plainGauge();
    const g = adaptSource(GaugeApi, target);
    const log = changes(g);
    g.refresh();
    expect(log).to.deep.equal([]);
    target.value = 2;
    target.readings.set('b', 2);
    target.unit = 'psi';
    g.refresh();
    g.refresh();
    expect(log.map((l) => l.event)).to.deep.equal(['valueChanged', 'readingsChanged']);
    expect(g.value).to.equal(2);
    expect([...g.readings]).to.deep.equal([['a', 1], ['b', 2]]);
    expect(g.unit).to.equal('bar');
  });

  it('refresh() tries every property and throws the first error', () => {
    const target = plainGauge();
    const g = adaptSource(GaugeApi, target);
    (target as { value: unknown }).value = 'high';
    target.limit = 9;
    expectTsro(thrownBy(() => g.refresh()), 'TYPE_MISMATCH');
    expect(g.limit).to.equal(9);
    expect(g.value).to.equal(1);
  });

  it('converts a member that is not renamed, both ways', () => {
    const target = plainGauge();
    const g = adaptSource(GaugeApi, target, { properties: { value: { toRemote: (v) => v * 10, fromRemote: (v) => v / 10 } } });
    expect(g.value).to.equal(10);
    g.value = 30;
    expect(target.value).to.equal(3);
    expect(g.value).to.equal(30);
  });

  it('assignments and push slots on the adapter write through to the target', () => {
    const target = plainGauge();
    const g = adaptSource(GaugeApi, target);
    g.value = 7;
    g.pushLimit(8);
    expect([target.value, target.limit]).to.deep.equal([7, 8]);
    expect([g.value, g.limit]).to.deep.equal([7, 8]);
  });

  it('listens to a custom change event, shared by several properties, and to none with changedEvent: false', () => {
    class Legacy extends EventEmitter {
      value = 1;
      limit = 5;
      unit = 'bar';
      readings = new Map<string, number>();
    }
    const target = new Legacy();
    const g = adaptSource(GaugeApi, target, { changedEvent: () => 'change' });
    expect(target.eventNames()).to.deep.equal(['change']);
    expect(target.listenerCount('change')).to.equal(1);
    target.value = 3;
    target.limit = 4;
    target.emit('change');
    expect([g.value, g.limit]).to.deep.equal([3, 4]);
    g.dispose();
    expect(target.eventNames()).to.deep.equal([]);

    const perMember = adaptSource(GaugeApi, target, { changedEvent: (name) => `${name}Change` });
    expect(target.eventNames()).to.deep.equal(['valueChange', 'limitChange', 'readingsChange']); // not the constant
    perMember[Symbol.dispose]();
    expect(target.eventNames()).to.deep.equal([]);

    adaptSource(GaugeApi, target, { changedEvent: false });
    expect(target.eventNames()).to.deep.equal([]);

    const bad = (from: string): string => (from === 'limit' ? (undefined as unknown as string) : `${from}Changed`);
    const e = expectTsro(thrownBy(() => adaptSource(GaugeApi, target, { changedEvent: bad })), 'DECLARATION_INVALID');
    expect(e.message).to.include('changedEvent("limit") must return an event name');
    expect(target.eventNames()).to.deep.equal([]);
  });

  it('an API class without @RemoteObjectType keeps its type name and signature', () => {
    class Plain {
      @Property() x: number = 0;
    }
    const a = adaptSource(Plain, { x: 3 });
    const api = apiOf(a.constructor as typeof Plain);
    expect(api.typeName).to.equal('Plain');
    expect(api.signature).to.equal(apiOf(Plain).signature);
  });

  it('types: conversions are checked against the renamed member and the API property', () => {
    const legacy = new LegacyPrinter();
    const ok = (): unknown =>
      adaptSource(PrinterApi, legacy, {
        properties: {
          // @ts-expect-error -- toRemote must give a number for inkLevel
          inkLevel: { from: 'ink', toRemote: (v) => `${v}` },
          // @ts-expect-error -- fromRemote must give what `color` holds (boolean)
          mode: { from: 'color', toRemote: (c) => (c ? 'color' : 'mono'), fromRemote: (m) => m },
        },
        slots: {
          // @ts-expect-error -- the target's result is { pages }, not a number
          print: { from: 'printDocument', toRemote: (r: number) => r },
          summary: (p) => p.color.toString(),
        },
      });
    expect(ok).to.be.a('function'); // compiled, not run
  });
});
