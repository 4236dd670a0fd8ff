// ReplicaCore on its own, with the views of a typed and a dynamic handle and no connection: a
// fake subscription link records what the core's handles send. States before and after Init,
// the events each view fires, changes and signals delivered to every view, detach and
// re-initialization, signature mismatch, checks on what a source sends, persistence saves, and
// waitForSource on fake timers.

import type { StreamControl } from '../../src/replica/call-stream';
import type { ModelReplica } from '../../src/model/model-replica';
import type { PacketMessage } from '../../src/protocol/messages';
import { expect } from 'chai';
import type * as sinon from 'sinon';
import { apiOf } from '../../src/api/metadata';
import { Property, RemoteObjectType, Signal, Slot, silentLogger, type Replica } from '../../src/index';
import { DynamicReplica, DynamicView } from '../../src/replica/dynamic-replica';
import { ReplicaCore, type SubscriptionLink } from '../../src/replica/replica-core';
import type { ReplicaView, ReplicaOwner } from '../../src/replica/replica-view';
import { typedReplicaFor } from '../../src/replica/typed-replica';
import { systemTimers } from '../../src/util/timers';
import { recordEvents } from '../support/e2e';
import { fakeClock } from '../support/links';

@RemoteObjectType('Dial')
class Dial {
  @Property() angle = 10;
  @Property({ persisted: true }) label = 'dial';
  @Signal() turned(_by: number): void {}
  @Slot() reset(): number {
    return 0;
  }
}

@RemoteObjectType('Dial')
class DialV2 {
  @Property() angle = 10;
}

const API = apiOf(Dial);

class Owner implements ReplicaOwner {
  readonly logger = silentLogger;
  readonly timers = systemTimers;
  readonly closed = false;
  readonly released: ReplicaView[] = [];
  releaseHandle(view: ReplicaView): void {
    this.released.push(view);
  }
  acquire<T extends object>(): Replica<T> {
    throw new Error('no child objects here');
  }
  acquireDynamic(): DynamicReplica {
    throw new Error('no child objects here');
  }
  acquireModel(): ModelReplica {
    throw new Error('no models here');
  }
}

class Link implements SubscriptionLink {
  readonly url = 'mem://link';
  readonly calls: unknown[][] = [];
  acquire(): void {}
  release(): void {}
  invoke(sourceId: number, slotIndex: number, args: readonly unknown[]): Promise<unknown> {
    this.calls.push(['invoke', sourceId, slotIndex, [...args]]);
    return Promise.resolve(7);
  }
  setProperty(sourceId: number, index: number): Promise<void> {
    this.calls.push(['set', sourceId, index]);
    return Promise.resolve();
  }
  openStream(): StreamControl {
    throw new Error('no streams here');
  }
  send(packet: PacketMessage): boolean {
    this.calls.push(['send', packet]);
    return true;
  }
}

function typedOn<T extends object>(core: ReplicaCore, owner: Owner, cls: new () => T): Replica<T> {
  const { ctor, View, defaults, api } = typedReplicaFor(cls, owner);
  const view = new View(core, owner, api, defaults);
  const handle = new ctor(view);
  view.attach();
  return handle as unknown as Replica<T>;
}

function dynamicOn(core: ReplicaCore, owner: Owner): DynamicReplica {
  const view = new DynamicView(core, owner);
  const handle = new DynamicReplica(view);
  view.attach();
  return handle;
}

describe('ReplicaCore (no connection)', () => {
  let owner: Owner;
  let link: Link;
  let core: ReplicaCore;

  beforeEach(() => {
    owner = new Owner();
    link = new Link();
    core = new ReplicaCore('Dial');
  });

  it('starts typed handles "default" and dynamic ones "uninitialized", and makes both valid on Init', () => {
    const typed = typedOn(core, owner, Dial);
    const dyn = dynamicOn(core, owner);
    expect([typed.state, dyn.state, typed.angle]).to.deep.equal(['default', 'uninitialized', 10]);
    const typedLog = recordEvents(typed, ['initialized', 'stateChanged', 'angleChanged', 'labelChanged']);
    const dynLog = recordEvents(dyn, ['initialized', 'stateChanged', 'angleChanged', 'labelChanged']);
    core.announce(API.signature);
    core.subscribe({ connection: link, sourceId: 3, signature: API.signature }, API);
    core.initialize([10, 'front'], undefined);
    expect([typed.state, dyn.state, typed.label, dyn.get('label')]).to.deep.equal(['valid', 'valid', 'front', 'front']);
    // Typed: only what differs from its defaults changes; dynamic: everything.
    expect(typedLog).to.deep.equal([
      { event: 'initialized', args: [] },
      { event: 'stateChanged', args: ['valid', 'default'] },
      { event: 'labelChanged', args: ['front'] },
    ]);
    expect(dynLog.map((e) => e.event)).to.deep.equal(['initialized', 'stateChanged', 'angleChanged', 'labelChanged']);
  });

  it('delivers changes and signals to every handle, and calls through the subscription', async () => {
    const typed = typedOn(core, owner, Dial);
    const dyn = dynamicOn(core, owner);
    core.subscribe({ connection: link, sourceId: 3, signature: API.signature }, API);
    core.initialize([10, 'a'], undefined);
    const typedLog = recordEvents(typed, ['angleChanged', 'turned']);
    const dynLog = recordEvents(dyn, ['angleChanged', 'turned']);
    core.propertyChanged(0, 45);
    core.signalEmitted(0, [5]);
    expect(typedLog).to.deep.equal([{ event: 'angleChanged', args: [45] }, { event: 'turned', args: [5] }]);
    expect(dynLog).to.deep.equal(typedLog);
    expect(typed.angle).to.equal(45);
    expect(await typed.reset()).to.equal(7);
    expect(await dyn.invoke('reset')).to.equal(7);
    typed.angle = 50;
    expect(link.calls).to.deep.equal([['invoke', 3, 0, []], ['invoke', 3, 0, []], ['set', 3, 0]]);
  });

  it('goes "suspect" on detach, refuses calls, and is valid again on the next Init', async () => {
    const typed = typedOn(core, owner, Dial);
    core.subscribe({ connection: link, sourceId: 3, signature: API.signature }, API);
    core.initialize([1, 'a'], undefined);
    core.detach();
    expect([typed.state, typed.angle]).to.deep.equal(['suspect', 1]);
    const refused = await typed.reset().then(() => 'resolved', (e: Error & { code?: string }) => e.code);
    expect(refused).to.equal('NOT_VALID');
    core.subscribe({ connection: link, sourceId: 8, signature: API.signature }, API);
    core.initialize([2, 'a'], undefined);
    expect([typed.state, typed.angle]).to.deep.equal(['valid', 2]);
  });

  it('puts a typed handle of another signature in "signatureMismatch", not a dynamic one', () => {
    const other = typedOn(core, owner, DialV2);
    const dyn = dynamicOn(core, owner);
    core.announce(API.signature);
    expect(core.accepts(API.signature), 'the dynamic handle can use it').to.equal(true);
    core.subscribe({ connection: link, sourceId: 3, signature: API.signature }, undefined);
    core.initialize([10, 'a'], API);
    expect([other.state, dyn.state]).to.deep.equal(['signatureMismatch', 'valid']);
    expect(other.angle, 'keeps its class defaults').to.equal(10);
  });

  it('refuses what a source may not send: values without an API, the wrong count, unknown members', () => {
    dynamicOn(core, owner);
    core.subscribe({ connection: link, sourceId: 3, signature: API.signature }, undefined);
    expect(() => core.initialize([1, 'a'], undefined)).to.throw(/without a known API/).with.property('code', 'PROTOCOL_ERROR');
    expect(() => core.initialize([1], API)).to.throw(/sent 1 property values, its API has 2/);
    core.initialize([1, 'a'], API);
    expect(() => core.propertyChanged(5, 1)).to.throw(/unknown property #5/);
    expect(() => core.signalEmitted(3, [])).to.throw(/unknown signal #3/);
    expect(() => core.initialize([1, 'a'], apiOf(DialV2))).to.throw(/does not match its announced signature/);
  });

  it('saves persisted properties after Init and after a change of one, not of the others', () => {
    typedOn(core, owner, Dial);
    let saves = 0;
    core.persistWith({ signature: API.signature, indices: [1], save: () => saves++ });
    core.subscribe({ connection: link, sourceId: 3, signature: API.signature }, API);
    core.initialize([1, 'a'], undefined);
    core.propertyChanged(0, 2);
    core.propertyChanged(1, 'b');
    expect(saves).to.equal(2);
  });

  it('tells the owner when a handle is released, and forgets its view', () => {
    const typed = typedOn(core, owner, Dial);
    const dyn = dynamicOn(core, owner);
    expect(core.handleCount).to.equal(2);
    typed.release();
    typed.release();
    expect(core.handleCount).to.equal(1);
    expect(owner.released).to.have.length(1);
    dyn[Symbol.dispose]();
    expect(core.handleCount).to.equal(0);
    expect(() => (typed.angle = 3)).to.throw(/was released/);
  });

  describe('waitForSource (fake timers)', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => (clock = fakeClock()));
    afterEach(() => clock.restore());

    it('resolves false after its time, true at the Init that comes first', async () => {
      const late = typedOn(core, owner, Dial);
      const timedOut = late.waitForSource(1000);
      await clock.tickAsync(1000);
      expect(await timedOut).to.equal(false);
      const inTime = late.waitForSource(1000);
      await clock.tickAsync(500);
      core.subscribe({ connection: link, sourceId: 3, signature: API.signature }, API);
      core.initialize([1, 'a'], undefined);
      expect(await inTime).to.equal(true);
      expect(clock.countTimers(), 'no timer left behind').to.equal(0);
    });
  });
});
