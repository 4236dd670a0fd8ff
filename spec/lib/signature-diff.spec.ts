// What a signatureMismatch says: diffApis over every kind of difference the signature covers
// (type name; properties, signals, slots added, removed, changed in type, mode, parameters,
// required count, return type, stream; moved), and end to end over loopback sockets: a typed
// replica whose class does not match learns what differs (replica.signatureMismatch, the
// `signatureMismatch` event, one warning in the node's log) before waitForSource resolves false;
// the node asks the host for the source's API once (an Acquire with the definition, then a
// Release), not at all when a dynamic handle already has it, and says so when the host refuses.

import { expect } from 'chai';
import { Property, RemoteObjectType, Signal, Slot } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { diffApis, describeDifference, type ApiDifference } from '../../src/api/api-diff';
import { transports } from '../support/fixtures';
import { Printer, PrinterWithStringInk } from '../support/printer';
import { WAIT_MS, bindingOf, whenOffered } from '../support/e2e';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

@RemoteObjectType('Meter')
class Meter {
  @Property({ type: 'int32' }) level = 1;
  @Property({ readonly: true }) unit: string = 'V';
  @Property() label: string = '';
  @Signal() overload(_level: number, _at: string): Signal {}
  @Slot() scale(factor: number, offset: number = 0): number {
    return factor + offset;
  }
  @Slot() reset(): void {}
}

/** Every kind of change against Meter, one per member. */
@RemoteObjectType('Meter')
class MeterChanged {
  @Property({ type: 'double' }) level = 1; // type
  @Property() unit: string = 'V'; // mode: writable, not readonly
  // label removed
  @Property() serial: string = ''; // added
  @Signal() overload(_level: number): Signal {} // parameters
  @Slot() scale(factor: number, offset: number): number {
    return factor + offset; // required count
  }
  @Slot({ returns: 'bool' }) reset(): boolean {
    return true; // return type
  }
}

/** Meter's slots in the other order. */
@RemoteObjectType('Meter')
class MeterReordered {
  @Property({ type: 'int32' }) level = 1;
  @Property({ readonly: true }) unit: string = 'V';
  @Property() label: string = '';
  @Signal() overload(_level: number, _at: string): Signal {}
  @Slot() reset(): void {}
  @Slot() scale(factor: number, offset: number = 0): number {
    return factor + offset;
  }
}

@RemoteObjectType('Gauge')
class Gauge {
  @Property({ type: 'int32' }) level = 1;
  @Slot({ returns: { stream: 'int32' } }) async *ticks(n: number): AsyncIterable<number> {
    yield n;
  }
}

@RemoteObjectType('Gauge')
class GaugePlain {
  @Property({ type: 'int32' }) level = 1;
  @Slot({ returns: 'int32' }) async ticks(n: number): Promise<number> {
    return n;
  }
}

/** Meter's members under another type name. */
@RemoteObjectType('Meter2')
class MeterRenamed extends Meter {}

const INK_DIFFERENCE: ApiDifference = {
  kind: 'property',
  name: 'inkLevel',
  change: 'changed',
  aspects: ['type'],
  replica: 'property inkLevel: string (writable)',
  source: 'property inkLevel: any (writable)',
};

describe('diffApis: what differs between a replica class and its source', () => {
  it('lists added, removed and changed members of every kind, with the aspects that differ', () => {
    const diff = diffApis(apiOf(Meter), apiOf(MeterChanged));
    expect(diff).to.deep.equal([
      { kind: 'property', name: 'level', change: 'changed', aspects: ['type'], replica: 'property level: int32 (writable)', source: 'property level: double (writable)' },
      { kind: 'property', name: 'unit', change: 'changed', aspects: ['mode'], replica: 'property unit: string (readonly)', source: 'property unit: string (writable)' },
      { kind: 'property', name: 'label', change: 'removed', aspects: [], replica: 'property label: string (writable)' },
      { kind: 'property', name: 'serial', change: 'added', aspects: [], source: 'property serial: string (writable)' },
      { kind: 'signal', name: 'overload', change: 'changed', aspects: ['parameters'], replica: 'signal overload(double, string)', source: 'signal overload(double)' },
      { kind: 'slot', name: 'scale', change: 'changed', aspects: ['required'], replica: 'slot scale(double, double?): double', source: 'slot scale(double, double): double' },
      { kind: 'slot', name: 'reset', change: 'changed', aspects: ['returns'], replica: 'slot reset(): void', source: 'slot reset(): bool' },
    ]);
    expect(diff.map(describeDifference)).to.include.members([
      'property level: int32 (writable) in the replica\'s class, property level: double (writable) at the source',
      "the replica's class has property label: string (writable), the source does not",
      "the source has property serial: string (writable), the replica's class does not",
    ]);
  });

  it('says which members moved when only the order differs', () => {
    expect(apiOf(Meter).signature).to.not.equal(apiOf(MeterReordered).signature);
    const diff = diffApis(apiOf(Meter), apiOf(MeterReordered));
    expect(diff.map((d) => [d.kind, d.name, d.change, d.positions])).to.deep.equal([
      ['slot', 'scale', 'moved', { replica: 0, source: 1 }],
      ['slot', 'reset', 'moved', { replica: 1, source: 0 }],
    ]);
    expect(describeDifference(diff[0]!)).to.equal("slot scale is slot #0 in the replica's class, #1 at the source");
  });

  it('tells a stream slot from a plain one, and another type name', () => {
    expect(diffApis(apiOf(Gauge), apiOf(GaugePlain))).to.deep.equal([
      { kind: 'slot', name: 'ticks', change: 'changed', aspects: ['returns'], replica: 'slot ticks(double): stream int32', source: 'slot ticks(double): int32' },
    ]);
    expect(diffApis(apiOf(Meter), apiOf(MeterRenamed))).to.deep.equal([
      { kind: 'typeName', name: 'Meter', change: 'changed', aspects: [], replica: 'Meter', source: 'Meter2' },
    ]);
  });

  it('finds nothing between equal APIs', () => {
    expect(diffApis(apiOf(Printer), apiOf(Printer))).to.deep.equal([]);
  });
});

for (const t of transports().filter((x) => x.name !== 'ws')) {
  describe(`signatureMismatch says what differs (${t.name})`, () => {
    const f = useWorld(t.url);
    let printer: Printer;

    beforeEach(() => {
      printer = f.remote(new Printer());
    });

    it('before waitForSource resolves false: replica.signatureMismatch, the event, one warning; the host keeps no subscription', async () => {
      await whenOffered(f.node, 'Printer');
      const binding = bindingOf(f.host, 'Printer')!;
      const inits = f.w.tap(binding, 'initPacket');
      const r = f.node.acquire(PrinterWithStringInk);
      expect(r.state).to.equal('signatureMismatch');
      expect(r.signatureMismatch, 'not known before the source API arrives').to.equal(undefined);
      const event = nextEvent(r, 'signatureMismatch');
      expect(await r.waitForSource(WAIT_MS)).to.equal(false);
      const mismatch = r.signatureMismatch!;
      expect(mismatch.differences).to.deep.equal([INK_DIFFERENCE]);
      expect(mismatch.name).to.equal('Printer');
      expect(mismatch.replicaSignature).to.equal(apiOf(PrinterWithStringInk).signature);
      expect(mismatch.sourceSignature).to.equal(apiOf(Printer).signature);
      expect(mismatch.sourceKnown).to.equal(true);
      expect(mismatch.message).to.equal(
        `the typed replica of "Printer" does not match the source's API, and applies nothing: property inkLevel: string (writable) in the replica's class, property inkLevel: any (writable) at the source`,
      );
      expect(await event).to.deep.equal([mismatch]);
      const line = await f.w.nodeLog.waitFor(/does not match the source's API/);
      expect(line.message).to.equal(mismatch.message);
      expect(f.w.nodeLog.lines.find((l) => l.message === line.message)!.level).to.equal('warn');
      // One Init (with the definition) to learn the API, then released: no subscription is left.
      expect(inits.count).to.equal(1);
      expect(inits.calls[0]![0]).to.equal(true);
      const other = await f.validDynamic('Printer');
      expect(binding.listenerCount, 'only the dynamic replica is subscribed').to.equal(1);
      other.release();
      expect(r.state).to.equal('signatureMismatch');
    });

    it('asks the host once for handles acquired together, and not again for a later one', async () => {
      await whenOffered(f.node, 'Printer');
      const inits = f.w.tap(bindingOf(f.host, 'Printer')!, 'initPacket');
      const a = f.node.acquire(PrinterWithStringInk);
      const b = f.node.acquire(PrinterWithStringInk);
      expect(await a.waitForSource(WAIT_MS)).to.equal(false);
      expect(await b.waitForSource(WAIT_MS)).to.equal(false);
      expect(b.signatureMismatch!.differences).to.deep.equal([INK_DIFFERENCE]);
      const c = f.node.acquire(PrinterWithStringInk);
      expect(await c.waitForSource(WAIT_MS)).to.equal(false);
      expect(c.signatureMismatch!.differences).to.deep.equal([INK_DIFFERENCE]);
      expect(inits.count).to.equal(1);
      // One warning per class and source signature: a and b are told together, c on its own.
      expect(f.w.nodeLog.lines.filter((l) => /does not match/.test(l.message))).to.have.length(2);
    });

    it("uses the API a dynamic handle already has: no request of its own", async () => {
      const dyn = await f.validDynamic('Printer');
      const inits = f.w.tap(bindingOf(f.host, 'Printer')!, 'initPacket');
      const r = f.node.acquire(PrinterWithStringInk);
      expect(await r.waitForSource(WAIT_MS)).to.equal(false);
      expect(r.signatureMismatch!.differences).to.deep.equal([INK_DIFFERENCE]);
      expect(inits.count).to.equal(0);
      expect(dyn.state).to.equal('valid');
    });

    it('is explained when the source appears after the replica, and forgotten once a matching source is valid', async () => {
      const r = f.node.acquire(PrinterWithStringInk, 'Later');
      expect(r.state).to.equal('default');
      const waiting = r.waitForSource(WAIT_MS);
      const event = nextEvent(r, 'signatureMismatch');
      f.host.enableRemoting(new Printer(), 'Later');
      expect(await waiting).to.equal(false);
      const [mismatch] = await event;
      expect(mismatch.differences, mismatch.message).to.deep.equal([INK_DIFFERENCE]);
      expect(mismatch.sourceKnown).to.equal(true);
      expect(r.signatureMismatch).to.equal(mismatch);

      f.host.disableRemoting('Later');
      const initialized = nextEvent(r, 'initialized');
      f.host.enableRemoting(new PrinterWithStringInk(), 'Later');
      await initialized;
      expect(r.state).to.equal('valid');
      expect(r.signatureMismatch).to.equal(undefined);
    });

    it('says what differs is not known when the host refuses to send the API', async () => {
      printer.queue = ['x'.repeat(4000)];
      const cramped = await f.w.connectedNode(f.host, { maxFrameSize: 1024, reconnect: false });
      await whenOffered(cramped, 'Printer');
      const r = cramped.acquire(PrinterWithStringInk);
      expect(await r.waitForSource(WAIT_MS)).to.equal(false);
      const mismatch = r.signatureMismatch!;
      expect(mismatch.differences).to.deep.equal([]);
      expect(mismatch.sourceKnown).to.equal(false);
      expect(mismatch.message).to.match(/does not match the source's API, and applies nothing: what differs is not known: .*cannot initialize a replica of "Printer"/);
      expect(r.state).to.equal('signatureMismatch');
    });
  });
}
