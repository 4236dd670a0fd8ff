// The run-time side of the replica type tests (spec/types/replica-events-types.ts), over tcp on
// loopback: signals declared with the `Signal` return type arrive as events on a typed replica,
// which has no such method; a service class that implements an API class is acquired by the API
// class; a dynamic replica is a node:events emitter: events.once and events.on take it and
// leave no listener behind, and the rest of that interface behaves as node:events' does.

import { expect } from 'chai';
import { on, once } from 'node:events';
import type { DynamicReplica } from '../../src/index';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';
import { Thermostat, ThermostatService } from '../support/typed-thermostat';
import { TCP_ANY } from '../support/fixtures';

describe('replica events', () => {
  const f = useWorld(() => TCP_ANY);
  let service: ThermostatService;

  beforeEach(() => {
    service = f.remote(new ThermostatService());
  });

  describe('typed replicas of an API class', () => {
    it('hear signals declared with the Signal return type as events, and have no method of that name', async () => {
      const t = await f.valid(Thermostat);
      const alarm = nextEvent(t, 'alarm');
      service.alarm(3, 'too hot');
      expect(await alarm).to.deep.equal([3, 'too hot']);
      expect((t as unknown as Record<string, unknown>).alarm).to.equal(undefined);
      expect((t as unknown as Record<string, unknown>).reset).to.equal(undefined);
    });

    it("call the service's implementation of the API class's slots, and show none of the service's own members", async () => {
      const t = await f.valid(Thermostat);
      const changed = nextEvent(t, 'temperatureChanged');
      await t.setTarget(25);
      expect(await changed).to.deep.equal([25]);
      expect(await t.calibrate(2)).to.equal(2);
      expect('logState' in t).to.equal(false);
      expect('sensorId' in t).to.equal(false);
    });
  });

  describe('dynamic replicas with node:events', () => {
    let dyn: DynamicReplica;

    beforeEach(async () => {
      dyn = await f.validDynamic('TypesThermostat');
    });

    it('events.once resolves with the signal arguments and removes its listeners', async () => {
      const alarm = once(dyn, 'alarm');
      expect(dyn.listenerCount('alarm')).to.equal(1);
      service.alarm(2, 'warm');
      expect(await alarm).to.deep.equal([2, 'warm']);
      expect(dyn.listenerCount('alarm')).to.equal(0);
      expect(dyn.listenerCount('error'), 'node:events listens to "error" too, and removes it').to.equal(0);
      expect(dyn.eventNames()).to.deep.equal([]);
    });

    it('events.once with a signal rejects when it aborts and removes its listeners', async () => {
      const ac = new AbortController();
      const waiting = once(dyn, 'alarm', { signal: ac.signal });
      ac.abort();
      const err = await waiting.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.have.property('name', 'AbortError');
      expect(dyn.eventNames()).to.deep.equal([]);
    });

    it('events.on iterates signals and property changes; breaking out removes its listeners', async () => {
      const seen: unknown[][] = [];
      const iterating = (async () => {
        for await (const args of on(dyn, 'alarm')) {
          seen.push(args as unknown[]);
          if (seen.length === 2) break;
        }
      })();
      service.alarm(1, 'a');
      service.alarm(2, 'b');
      await iterating;
      expect(seen).to.deep.equal([
        [1, 'a'],
        [2, 'b'],
      ]);
      expect(dyn.eventNames()).to.deep.equal([]);

      const changes = on(dyn, 'temperatureChanged');
      service.temperature = 30;
      expect((await changes.next()).value).to.deep.equal([30]);
      await changes.return!();
      expect(dyn.listenerCount('temperatureChanged')).to.equal(0);
    });

    it("has node:events' emitter interface: prepend, listeners, rawListeners, removeAllListeners, local emit", () => {
      const order: string[] = [];
      const a = (): void => void order.push('a');
      const b = (): void => void order.push('b');
      const c = (): void => void order.push('c');
      dyn.addListener('alarm', a).prependListener('alarm', b).prependOnceListener('alarm', c);
      expect(dyn.listeners('alarm')).to.deep.equal([c, b, a]);
      const raw = dyn.rawListeners('alarm');
      expect(raw).to.have.length(3);
      expect(raw[0]).to.not.equal(c);
      expect(raw.slice(1)).to.deep.equal([b, a]);
      expect(dyn.emit('alarm', 1, 'local'), 'emit: true when the event has listeners').to.equal(true);
      expect(dyn.emit('alarm', 1, 'local')).to.equal(true);
      expect(order).to.deep.equal(['c', 'b', 'a', 'b', 'a']);
      expect(dyn.emit('nobody')).to.equal(false);
      dyn.removeListener('alarm', b);
      expect(dyn.listeners('alarm')).to.deep.equal([a]);
      dyn.on('reset', a);
      expect(dyn.eventNames().sort()).to.deep.equal(['alarm', 'reset']);
      dyn.removeAllListeners('alarm');
      expect(dyn.eventNames()).to.deep.equal(['reset']);
      dyn.removeAllListeners();
      expect(dyn.eventNames()).to.deep.equal([]);
      expect(dyn.getMaxListeners()).to.equal(0);
      expect(dyn.setMaxListeners(5).getMaxListeners()).to.equal(5);
      expect(() => dyn.setMaxListeners(-1)).to.throw(/non-negative integer/).with.property('code', 'TYPE_MISMATCH');
    });

    it('emit is local: its listeners hear it, and hear the source as before', async () => {
      const heard: unknown[][] = [];
      dyn.on('alarm', (...args: unknown[]) => void heard.push(args));
      dyn.emit('alarm', 9, 'fake');
      const real = nextEvent(dyn, 'alarm');
      service.alarm(1, 'real');
      await real;
      expect(heard).to.deep.equal([
        [9, 'fake'],
        [1, 'real'],
      ]);
    });
  });
});
