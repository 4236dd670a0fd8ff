// Every member of the replica handle classes must be a reserved name, or a source declaring a
// member of that name would silently break typed replicas.

import { expect } from 'chai';
import { RESERVED_NAMES } from '../../src/api/metadata';
import { Node, Property, RemoteObjectType, silentLogger } from '../../src/index';
import { Printer } from '../support/printer';

function membersOf(o: object, stopAt: object): string[] {
  const names = new Set(Object.keys(o));
  for (let p = Object.getPrototypeOf(o) as object | null; p && p !== stopAt; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) names.add(k);
  }
  return [...names];
}

describe('reserved member names', () => {
  it('covers every member of typed and dynamic replica handles', async () => {
    const node = new Node({ logger: silentLogger });
    const typed = node.acquire(Printer);
    const dynamic = node.acquireDynamic('Anything');
    // The typed handle's own generated class holds Printer's members: skip that level.
    const handleLevel = Object.getPrototypeOf(Object.getPrototypeOf(typed)) as object;
    const names = [...membersOf(Object.create(handleLevel) as object, Object.prototype), ...Object.keys(typed), ...membersOf(dynamic, Object.prototype)];
    const missing = names.filter((n) => !RESERVED_NAMES.has(n));
    expect(missing).to.deep.equal([]);
    await node.close();
  });

  it('refuses a remote member with a reserved name', () => {
    expect(() => {
      @RemoteObjectType('Bad')
      class Bad {
        @Property() core = 1;
      }
      return Bad;
    }).to.throw(/"core" cannot be a remote member/).with.property('code', 'DECLARATION_INVALID');
  });
});
