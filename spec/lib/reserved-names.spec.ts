// Replica handles carry only their public API, so the names a remote member may not use are
// that API and JavaScript's own: every member of the handle classes must be listed (except
// node:events' interface, which only dynamic replicas have: they reach remote members by name) (or a source
// declaring one would silently break typed replicas), nothing else is, and members named like
// the internals the handles used to carry work end to end.

import { expect } from 'chai';
import { RESERVED_NAMES } from '../../src/api/metadata';
import { Node, Property, RemoteObjectType, Signal, Slot, silentLogger, type Replica } from '../../src/index';

import { Printer } from '../support/printer';
import { WAIT_MS, World } from '../support/e2e';
import { nextEvent } from '../../src/testing';

function membersOf(o: object, stopAt: object): string[] {
  const names = new Set(Object.keys(o));
  for (let p = Object.getPrototypeOf(o) as object | null; p && p !== stopAt; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) names.add(k);
  }
  return [...names];
}

/** Members named like the internals replica handles had before they moved behind #private. */
@RemoteObjectType('Internals')
class Internals {
  @Property() owner = 'owner';
  @Property() released = 1;
  @Property() emit = false;
  @Signal() presentedValue(_n: number): void {}
  @Slot() call(a: number, b: number): number {
    return a + b;
  }
  @Slot() attach(s: string): string {
    return `attached ${s}`;
  }
  @Slot() defaults(): string[] {
    return ['d'];
  }
  @Slot() snapshot(): number[] {
    return [1, 2];
  }
  @Slot() core(): string {
    return this.owner;
  }
  @Slot() classApi(): string {
    return 'classApi';
  }
}

describe('reserved member names', () => {
  it('covers every member of typed and dynamic replica handles, and only the public API', async () => {
    const node = new Node({ logger: silentLogger });
    const typed = node.acquire(Printer);
    const dynamic = node.acquireDynamic('Anything');
    // The typed handle's own generated class holds Printer's members: skip that level.
    const handleLevel = Object.getPrototypeOf(Object.getPrototypeOf(typed)) as object;
    // node:events' interface is the dynamic replica's alone (a typed handle has on/once/off):
    // a dynamic replica reaches remote members by name, so those names stay free for sources.
    const emitterOnly = ['addListener', 'removeListener', 'prependListener', 'prependOnceListener', 'removeAllListeners', 'listeners', 'rawListeners', 'eventNames', 'emit', 'setMaxListeners', 'getMaxListeners'];
    const typedNames = membersOf(Object.create(handleLevel) as object, Object.prototype);
    expect(typedNames.filter((n) => emitterOnly.includes(n)), 'typed handles do not have them').to.deep.equal([]);
    const dynamicNames = membersOf(dynamic, Object.prototype);
    expect(emitterOnly.filter((n) => !dynamicNames.includes(n)), 'dynamic handles have all of them').to.deep.equal([]);
    const names = new Set([...typedNames, ...Object.keys(typed), ...dynamicNames.filter((n) => !emitterOnly.includes(n))]);
    expect([...names].filter((n) => !RESERVED_NAMES.has(n))).to.deep.equal([]);
    expect(Object.keys(typed), 'a typed handle has no own enumerable state').to.deep.equal([]);
    expect(Object.keys(dynamic), 'a dynamic handle has no own enumerable state').to.deep.equal([]);
    const javascript = ['constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'then'];
    const unused = [...RESERVED_NAMES].filter((n) => !names.has(n) && !javascript.includes(n));
    expect(unused, 'reserved names that no handle uses').to.deep.equal([]);
    await node.close();
  });

  it('refuses a remote member with a reserved name', () => {
    expect(() => {
      @RemoteObjectType('Bad')
      class Bad {
        @Property() state = 1;
      }
      return Bad;
    }).to.throw(/"state" cannot be a remote member/).with.property('code', 'DECLARATION_INVALID');
  });

  describe('members named like replica internals', () => {
    let w: World;
    let source: Internals;
    let node: Node;

    beforeEach(async () => {
      w = new World();
      const host = await w.host();
      source = new Internals();
      expect(host.enableRemoting(source)).to.equal(true);
      node = await w.connectedNode(host);
    });
    afterEach(() => w.close());

    it('work on a typed replica', async () => {
      const r: Replica<Internals> = node.acquire(Internals);
      expect(r.owner, 'default before initialization').to.equal('owner');
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await r.call(2, 3)).to.equal(5);
      expect(await r.attach('x')).to.equal('attached x');
      expect(await r.defaults()).to.deep.equal(['d']);
      expect(await r.classApi()).to.equal('classApi');
      expect(await r.snapshot()).to.deep.equal([1, 2]);
      expect(r.released).to.equal(1);
      const changed = nextEvent(r, 'ownerChanged');
      r.owner = 'remote';
      expect(await changed).to.deep.equal(['remote']);
      expect(r.owner).to.equal('remote');
      expect(await r.core()).to.equal('remote');
      const signal = nextEvent(r, 'presentedValue');
      source.presentedValue(7);
      expect(await signal).to.deep.equal([7]);
      expect(r.state).to.equal('valid');
    });

    it('work on a dynamic replica', async () => {
      const d = node.acquireDynamic('Internals');
      expect(await d.waitForSource(WAIT_MS)).to.equal(true);
      expect(await d.invoke('call', 4, 5)).to.equal(9);
      expect(await d.invoke('snapshot')).to.deep.equal([1, 2]);
      expect(await d.invoke('core')).to.equal('owner');
      expect(await d.invoke('attach', 'y')).to.equal('attached y');
      expect(await d.invoke('defaults')).to.deep.equal(['d']);
      expect(d.get('released')).to.equal(1);
      expect(d.get('emit')).to.equal(false);
      const changed = nextEvent(d, 'emitChanged');
      await d.set('emit', true);
      expect(await changed).to.deep.equal([true]);
    });
  });
});
