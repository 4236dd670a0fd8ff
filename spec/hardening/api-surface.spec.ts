// "Only the declared API": a peer reaches the decorated properties, signals and slots of a source
// and nothing else. Checked over a raw protocol client (no client-side checks in the way), through
// the node's connection with the replica's checks bypassed (so the host's own checks answer, as a
// RemoteError with remoteCode), and through typed and dynamic replicas. Values built to pollute
// prototypes (`__proto__`, `constructor.prototype` keys) arrive as plain own keys and pollute
// nothing, on either side, also with the host in another process.

import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { RemoteError, TsroError, UsageError, type DynamicReplica, type Host, type Node, type Replica } from '../../src/index';
import type { NodeConnection } from '../../src/node/node-connection';
import type { DecodedPacket } from '../../src/protocol/messages';
import { decodeValue, encodeValue, type ValueMessage } from '../../src/protocol/value-codec';
import { within } from '../support/fixtures';
import { RawClient, WAIT_MS, World, connectionOf, expectTsro, rejectionOf, thrownBy } from '../support/e2e';
import { difference } from '../support/hardening-values';
import { Vault, pollutionReport, shapeOf, vaultState } from '../support/hardening-vault';
import { nextEvent } from '../../src/testing';

/** Names that exist on every object (or on the Vault) but are no part of its remote API. */
const NOT_API = [
  'constructor', '__proto__', 'prototype', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
  'propertyIsEnumerable', '__defineGetter__', '__lookupGetter__', 'then',
  // Undecorated members of the Vault and its EventEmitter base.
  'secret', 'compromised', 'journal', 'received', 'emit', 'on', 'addListener', 'removeAllListeners', 'setMaxListeners',
];

const DECLARED = {
  properties: ['level', 'keeper', 'anything', 'counts', 'point'],
  signals: ['opened'],
  slots: ['deposit', 'echo', 'tally', 'norm'],
};

/** A Struct Value built by hand, key by key: what a hostile peer would send. */
function struct(fields: [string, ValueMessage][]): ValueMessage {
  return { object: { fields: fields.map(([key, value]) => ({ key, value })) } };
}

const POLLUTE = struct([['polluted', { int: 1 }]]);

/** Payloads, as hand-built wire Values and as the JavaScript values a replica would send. */
const PAYLOADS: { name: string; wire: ValueMessage; js: () => unknown }[] = [
  { name: '{"__proto__": {"polluted": 1}}', wire: struct([['__proto__', POLLUTE]]), js: () => JSON.parse('{"__proto__": {"polluted": 1}}') },
  {
    name: '{"constructor": {"prototype": {"polluted": 1}}}',
    wire: struct([['constructor', struct([['prototype', POLLUTE]])]]),
    js: () => JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}'),
  },
  {
    name: 'nested {"a": [{"__proto__": {"polluted": 1}}]}',
    wire: struct([['a', { list: { items: [struct([['__proto__', POLLUTE]])] } }]]),
    js: () => JSON.parse('{"a": [{"__proto__": {"polluted": 1}}]}'),
  },
  {
    name: '{"__proto__": {"__proto__": {"polluted": 1}}, "toString": 1, "hasOwnProperty": 2}',
    wire: struct([['__proto__', struct([['__proto__', POLLUTE]])], ['toString', { int: 1 }], ['hasOwnProperty', { int: 2 }]]),
    js: () => JSON.parse('{"__proto__": {"__proto__": {"polluted": 1}}, "toString": 1, "hasOwnProperty": 2}'),
  },
  {
    name: 'Map {"__proto__" => {"polluted": 1}}',
    wire: { map: { entries: [{ key: { string: '__proto__' }, value: POLLUTE }] } },
    js: () => new Map([['__proto__', { polluted: 1 }]]),
  },
];

/** Asserts a decoded payload kept its dangerous keys as plain own data, with Object.prototype. */
function expectInert(value: unknown, what: string): void {
  expect(value !== null && typeof value === 'object', `${what}: an object or Map`).to.equal(true);
  const check = (v: unknown, at: string): void => {
    if (v === null || typeof v !== 'object') return;
    if (v instanceof Map) {
      for (const [k, x] of v) check(x, `${at}.get(${String(k)})`);
      return;
    }
    if (!Array.isArray(v)) expect(Object.getPrototypeOf(v), `${what}${at}: prototype`).to.equal(Object.prototype);
    expect((v as Record<string, unknown>).polluted, `${what}${at}: .polluted shows through`).to.satisfy(
      (p: unknown) => p === undefined || Object.prototype.hasOwnProperty.call(v, 'polluted'),
    );
    for (const k of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k)!;
      expect('value' in d && d.enumerable, `${what}${at}[${k}] is an own enumerable data property`).to.equal(true);
      check(d.value, `${at}[${JSON.stringify(k)}]`);
    }
  };
  check(value, '');
}

describe('hardening: only the declared API', function () {
  this.timeout(20_000);

  let w: World;
  let host: Host;
  let vault: Vault;
  let node: Node;
  let baseline: ReturnType<typeof pollutionReport>;

  beforeEach(async () => {
    baseline = pollutionReport();
    w = new World();
    host = await w.host('tcp://127.0.0.1:0');
    vault = new Vault();
    expect(host.enableRemoting(vault)).to.equal(true);
    node = await w.connectedNode(host);
  });

  afterEach(async () => {
    expect(pollutionReport(), 'Object.prototype / Array.prototype are untouched').to.deep.equal(baseline);
    await w.close();
  });

  /** A raw client past its handshake, and the Vault's source id. */
  async function rawClient(): Promise<{ raw: RawClient; id: number }> {
    const raw = await w.raw(host.hostUrl);
    const list = await raw.handshake();
    const id = list.sourceList!.sources!.find((s) => s.name === 'Vault')!.id!;
    return { raw, id };
  }

  /** Sends the packets with serials 1..n, waits for every answer, returns the replies by serial. */
  async function replies(raw: RawClient, nonce: number): Promise<Map<number, NonNullable<DecodedPacket['reply']>>> {
    await raw.roundTrip(nonce);
    return new Map(raw.packets.filter((p) => p.kind === 'reply').map((p) => [p.reply!.serial!, p.reply!]));
  }

  function connection(): { conn: NodeConnection; id: number } {
    const conn = connectionOf(node, host.hostUrl)!;
    const id = [...conn.offers.values()].find((s) => s.name === 'Vault')!.id;
    return { conn, id };
  }

  describe('the API definition a peer is given', () => {
    it('lists only the decorated members: nothing of Object.prototype, the constructor or undecorated members', async () => {
      const { raw, id } = await rawClient();
      raw.sendPacket({ acquire: { source: id, wantDefinition: true } });
      const init = (await raw.packet('init')).init!;
      const def = init.definition!;
      expect(def.typeName).to.equal('Vault');
      expect((def.properties ?? []).map((p) => p.name)).to.deep.equal(DECLARED.properties);
      expect((def.signals ?? []).map((p) => p.name)).to.deep.equal(DECLARED.signals);
      expect((def.slots ?? []).map((p) => p.name)).to.deep.equal(DECLARED.slots);
      // One value per declared property, nothing else of the object.
      expect(init.values).to.have.length(DECLARED.properties.length);

      const dyn = node.acquireDynamic('Vault');
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      expect(dyn.propertyNames).to.deep.equal(DECLARED.properties);
      expect(dyn.api!.slots.map((s) => s.name)).to.deep.equal(DECLARED.slots);
      for (const name of NOT_API) {
        expect(dyn.api!.slotByName.has(name), `slot ${name}`).to.equal(false);
        expect(dyn.api!.propertyByName.has(name), `property ${name}`).to.equal(false);
        expect(dyn.api!.signalByName.has(name), `signal ${name}`).to.equal(false);
      }
    });

    it('a typed replica has no undecorated members of the class', async () => {
      const typed = node.acquire(Vault);
      expect(await typed.waitForSource(WAIT_MS)).to.equal(true);
      const t = typed as unknown as Record<string, unknown>;
      expect(t.secret).to.equal(undefined);
      expect(t.compromised).to.equal(undefined);
      expect(t.journal).to.equal(undefined);
      expect(vault.compromised).to.equal(false);
    });
  });

  describe('over a raw connection, by index', () => {
    it('refuses slot and property indices past the declared ones with UNKNOWN_MEMBER; the source is untouched', async () => {
      const before = vaultState(vault);
      const { raw, id } = await rawClient();
      const badSlots = [DECLARED.slots.length, DECLARED.slots.length + 1, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
      const badProps = [DECLARED.properties.length, 99, 2 ** 31, 2 ** 32 - 1];
      let serial = 1;
      const expected = new Map<number, string>();
      for (const index of badSlots) {
        for (const args of [[], [{ int: 1 }], [{ int: 1 }, { string: 'x' }]] as ValueMessage[][]) {
          expected.set(serial, 'UNKNOWN_MEMBER');
          raw.sendPacket({ invoke: { source: id, index, serial: serial++, args } });
        }
      }
      for (const index of badProps) {
        expected.set(serial, 'UNKNOWN_MEMBER');
        raw.sendPacket({ setProperty: { source: id, index, serial: serial++, value: { int: 5 } } });
      }
      // The right indices on a source id that does not exist.
      expected.set(serial, 'UNKNOWN_SOURCE');
      raw.sendPacket({ invoke: { source: id + 1000, index: 0, serial: serial++, args: [{ int: 1 }, { string: 'x' }] } });
      expected.set(serial, 'UNKNOWN_SOURCE');
      raw.sendPacket({ setProperty: { source: id + 1000, index: 0, serial: serial++, value: { int: 5 } } });
      const got = await replies(raw, 1);
      for (const [s, code] of expected) {
        expect(got.get(s)?.error?.code, `reply to #${s}`).to.equal(code);
        expect(got.get(s)!.error!.message).to.be.a('string').and.not.equal('');
      }
      expect(raw.isOpen, 'refusals do not cost the connection').to.equal(true);
      expect(vaultState(vault)).to.deep.equal(before);
    });

    it('refuses a set of the readonly property with READONLY, whatever the value', async () => {
      const before = vaultState(vault);
      const { raw, id } = await rawClient();
      const keeper = DECLARED.properties.indexOf('keeper');
      const values: ValueMessage[] = [{ string: 'mallory' }, { int: 1 }, {}, { null: 0 }, struct([['__proto__', POLLUTE]])];
      values.forEach((value, i) => raw.sendPacket({ setProperty: { source: id, index: keeper, serial: i + 1, value } }));
      const got = await replies(raw, 2);
      for (let i = 1; i <= values.length; i++) expect(got.get(i)?.error?.code, `set #${i}`).to.equal('READONLY');
      expect(vault.keeper).to.equal('alice');
      expect(vaultState(vault)).to.deep.equal(before);
    });

    it('refuses wrong argument counts and types by the declared parameter types: RemoteError ARGUMENT_COUNT / TYPE_MISMATCH', async () => {
      const before = vaultState(vault);
      const { conn, id } = connection();
      const slot = (name: string): number => DECLARED.slots.indexOf(name);
      const cases: [string, unknown[], string][] = [
        ['deposit', [], 'ARGUMENT_COUNT'],
        ['deposit', [1], 'ARGUMENT_COUNT'],
        ['deposit', [1, 'a', 'extra'], 'ARGUMENT_COUNT'],
        ['deposit', ['1', 'a'], 'TYPE_MISMATCH'],
        ['deposit', [1.5, 'a'], 'TYPE_MISMATCH'],
        ['deposit', [2 ** 31, 'a'], 'TYPE_MISMATCH'],
        ['deposit', [NaN, 'a'], 'TYPE_MISMATCH'],
        ['deposit', [1n, 'a'], 'TYPE_MISMATCH'],
        ['deposit', [null, 'a'], 'TYPE_MISMATCH'],
        ['deposit', [undefined, 'a'], 'TYPE_MISMATCH'],
        ['deposit', [[1], 'a'], 'TYPE_MISMATCH'],
        ['deposit', [{ valueOf: 1 }, 'a'], 'TYPE_MISMATCH'],
        ['deposit', [1, 2], 'TYPE_MISMATCH'],
        ['deposit', [1, new Uint8Array([97])], 'TYPE_MISMATCH'],
        ['echo', [], 'ARGUMENT_COUNT'],
        ['echo', [1, 2], 'ARGUMENT_COUNT'],
        ['tally', [{ a: 'x' }], 'TYPE_MISMATCH'],
        ['tally', [{ a: 2 ** 60 }], 'TYPE_MISMATCH'],
        ['tally', [new Map([[1, 1n]])], 'TYPE_MISMATCH'],
        ['tally', [[1n]], 'TYPE_MISMATCH'],
        ['tally', ['{}'], 'TYPE_MISMATCH'],
        ['norm', [{ x: 1 }], 'TYPE_MISMATCH'],
        ['norm', [{ x: 1, y: 2, z: 3 }], 'TYPE_MISMATCH'],
        ['norm', [{ x: '1', y: 2 }], 'TYPE_MISMATCH'],
        ['norm', [new Map<string, number>([['x', 1], ['y', 2]])], 'TYPE_MISMATCH'],
        ['norm', [JSON.parse('{"x": 1, "y": 2, "__proto__": {"polluted": 1}}')], 'TYPE_MISMATCH'],
        ['norm', [null], 'TYPE_MISMATCH'],
      ];
      for (const [name, args, code] of cases) {
        // NodeConnection.invoke sends as given: the replica's own checks are not in the way.
        const err = await rejectionOf(conn.invoke(id, slot(name), args, name, 'Vault'), `${name}(${args.map(String).join(', ')})`);
        const e = expectTsro(err, 'REMOTE') as RemoteError;
        expect(e).to.be.instanceOf(RemoteError);
        expect(e.remoteCode, `${name}(${args.map(String).join(', ')}): ${e.message}`).to.equal(code);
        expect(e.remoteMessage).to.include(name);
      }
      expect(vaultState(vault)).to.deep.equal(before);
      // The same connection still works.
      expect(await conn.invoke(id, slot('deposit'), [5, 'ok'], 'deposit', 'Vault')).to.equal('ok:5');
    });

    it('refuses property values of the wrong type: RemoteError TYPE_MISMATCH (READONLY, UNKNOWN_MEMBER)', async () => {
      const before = vaultState(vault);
      const { conn, id } = connection();
      const prop = (name: string): number => DECLARED.properties.indexOf(name);
      const cases: [number, unknown, string][] = [
        [prop('level'), 'x', 'TYPE_MISMATCH'],
        [prop('level'), 1.5, 'TYPE_MISMATCH'],
        [prop('level'), 2 ** 31, 'TYPE_MISMATCH'],
        [prop('level'), null, 'TYPE_MISMATCH'],
        [prop('level'), undefined, 'TYPE_MISMATCH'],
        [prop('level'), 5n, 'TYPE_MISMATCH'],
        [prop('counts'), { a: 'x' }, 'TYPE_MISMATCH'],
        [prop('counts'), { a: 1.5 }, 'TYPE_MISMATCH'],
        [prop('counts'), [1], 'TYPE_MISMATCH'],
        [prop('point'), { x: 1 }, 'TYPE_MISMATCH'],
        [prop('point'), { x: 1, y: 2, z: 3 }, 'TYPE_MISMATCH'],
        [prop('point'), JSON.parse('{"x": 1, "y": 2, "__proto__": {"polluted": 1}}'), 'TYPE_MISMATCH'],
        [prop('keeper'), 'mallory', 'READONLY'],
        [DECLARED.properties.length, 1, 'UNKNOWN_MEMBER'],
      ];
      for (const [index, value, code] of cases) {
        const what = `set #${index} to ${String(value)}`;
        const e = expectTsro(await rejectionOf(conn.setProperty(id, index, encodeValue(value, what), what), what), 'REMOTE') as RemoteError;
        expect(e.remoteCode, `${what}: ${e.message}`).to.equal(code);
      }
      expect(vaultState(vault)).to.deep.equal(before);
    });
  });

  describe('through a dynamic replica', () => {
    let dyn: DynamicReplica;

    beforeEach(async () => {
      dyn = node.acquireDynamic('Vault');
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
    });

    it('invoke() of anything but a declared slot rejects with UNKNOWN_MEMBER; the source is untouched', async () => {
      const before = vaultState(vault);
      const names = [...NOT_API, ...DECLARED.signals, ...DECLARED.properties, '', 'Deposit', 'deposit ', '0', '__defineSetter__'];
      for (const name of names) {
        const err = await rejectionOf(dyn.invoke(name, 1, 'x'), `invoke(${JSON.stringify(name)})`);
        expect(err, name).to.be.instanceOf(UsageError);
        expect((err as TsroError).code, name).to.equal('UNKNOWN_MEMBER');
        expect(err.message, name).to.include('Vault');
      }
      expect(vaultState(vault)).to.deep.equal(before);
      expect(vault.compromised).to.equal(false);
      // And the declared ones work.
      expect(await dyn.invoke('deposit', 3, 'n')).to.equal('n:3');
    });

    it('set() of a readonly or unknown property rejects with READONLY / UNKNOWN_MEMBER; get() of a non-property throws', async () => {
      const before = vaultState(vault);
      expectTsro(await rejectionOf(dyn.set('keeper', 'mallory')), 'READONLY');
      for (const name of [...NOT_API, ...DECLARED.slots, ...DECLARED.signals]) {
        expectTsro(await rejectionOf(dyn.set(name, 1), `set(${name})`), 'UNKNOWN_MEMBER');
        expectTsro(thrownBy(() => dyn.get(name), `get(${name})`), 'UNKNOWN_MEMBER');
      }
      expect(vaultState(vault)).to.deep.equal(before);
    });

    it('wrong argument counts and types are refused before sending (ARGUMENT_COUNT / TYPE_MISMATCH)', async () => {
      const before = vaultState(vault);
      expectTsro(await rejectionOf(dyn.invoke('deposit', 1)), 'ARGUMENT_COUNT');
      expectTsro(await rejectionOf(dyn.invoke('deposit', 1, 'a', 'b')), 'ARGUMENT_COUNT');
      expectTsro(await rejectionOf(dyn.invoke('deposit', 1.5, 'a')), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(dyn.invoke('norm', { x: 1 })), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(dyn.set('level', 'x')), 'TYPE_MISMATCH');
      expect(vaultState(vault)).to.deep.equal(before);
    });
  });

  describe('values built to pollute prototypes', () => {
    it('sent raw as slot arguments and property values: received as plain own keys, nothing polluted', async () => {
      const { raw, id } = await rawClient();
      const echo = DECLARED.slots.indexOf('echo');
      const anything = DECLARED.properties.indexOf('anything');
      let serial = 1;
      for (const p of PAYLOADS) {
        const s = serial++;
        raw.sendPacket({ invoke: { source: id, index: echo, serial: s, args: [p.wire] } });
        const got = await replies(raw, s);
        expect(got.get(s)?.error, p.name).to.equal(null);
        expectInert(decodeValue(got.get(s)!.value ?? {}), `echo reply of ${p.name}`);
        expectInert(vault.received.at(-1), `slot argument ${p.name}`);
        // Exactly the payload: the dangerous keys arrived as own keys, none dropped or applied.
        expect(difference(p.js(), vault.received.at(-1)), p.name).to.equal(undefined);
        const t = serial++;
        raw.sendPacket({ setProperty: { source: id, index: anything, serial: t, value: p.wire } });
        expect((await replies(raw, t)).get(t)?.error, p.name).to.equal(null);
        expectInert(vault.anything, `property value ${p.name}`);
        expect(pollutionReport(), p.name).to.deep.equal(baseline);
      }
      // Map-typed: the int64 coercion copies the object (the path most likely to assign keys).
      const tally = DECLARED.slots.indexOf('tally');
      raw.sendPacket({ invoke: { source: id, index: tally, serial: 100, args: [struct([['__proto__', { int: 1 }], ['a', { int: 2 }]])] } });
      const counts = DECLARED.properties.indexOf('counts');
      raw.sendPacket({ setProperty: { source: id, index: counts, serial: 101, value: struct([['__proto__', { int: 3 }]]) } });
      const got = await replies(raw, 100);
      expect(got.get(100)?.error).to.equal(null);
      expect(decodeValue(got.get(100)!.value ?? {})).to.equal(2);
      const tallied = vault.received.at(-1) as Record<string, unknown>;
      expect(shapeOf(tallied)).to.deep.include({ ownKeys: ['__proto__', 'a'], proto: 'Object.prototype' });
      expect(Object.getOwnPropertyDescriptor(tallied, '__proto__')!.value).to.equal(1n);
      expect(got.get(101)?.error).to.equal(null);
      expect(shapeOf(vault.counts)).to.deep.include({ ownKeys: ['__proto__'], proto: 'Object.prototype' });
      expect(pollutionReport()).to.deep.equal(baseline);
    });

    it('sent through typed and dynamic replicas: nothing polluted on either side, replicas see plain own keys', async () => {
      const typed: Replica<Vault> = node.acquire(Vault);
      const dyn = node.acquireDynamic('Vault');
      expect(await typed.waitForSource(WAIT_MS)).to.equal(true);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      for (const p of PAYLOADS) {
        const back = await typed.echo(p.js());
        expectInert(back, `typed echo of ${p.name}`);
        expect(difference(p.js(), back), p.name).to.equal(undefined);
        expectInert(vault.received.at(-1), `source received ${p.name} (typed)`);
        expect(difference(p.js(), vault.received.at(-1)), p.name).to.equal(undefined);
        expectInert(await dyn.invoke('echo', p.js()), `dynamic echo of ${p.name}`);
        expectInert(vault.received.at(-1), `source received ${p.name} (dynamic)`);

        vault.anything = 0;
        await within(nextEvent(typed, 'anythingChanged'), WAIT_MS);
        const changed = nextEvent(typed, 'anythingChanged');
        typed.anything = p.js();
        await changed;
        expectInert(vault.anything, `source property after typed set of ${p.name}`);
        expectInert(typed.anything, `typed replica property ${p.name}`);
        expectInert(dyn.get('anything'), `dynamic replica property ${p.name}`);

        await dyn.set('anything', p.js());
        expectInert(vault.anything, `source property after dynamic set of ${p.name}`);
        expect(pollutionReport(), p.name).to.deep.equal(baseline);
      }
      // Set on the source itself: every replica decodes it as plain own keys.
      const changed = nextEvent(typed, 'countsChanged');
      vault.counts = JSON.parse('{"__proto__": 7, "constructor": 8}') as Record<string, number>;
      await changed;
      expect(shapeOf(typed.counts)).to.deep.include({ ownKeys: ['__proto__', 'constructor'], proto: 'Object.prototype' });
      expect(pollutionReport()).to.deep.equal(baseline);
    });

    it('with the host in another process: nothing polluted in either process', async function () {
      this.timeout(30_000);
      const child: ChildProcess = fork(path.join(__dirname, '../support/hardening-vault-host.js'), ['tcp://127.0.0.1:0'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      w.defer(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill();
      });
      const message = (type: string): Promise<Record<string, unknown>> =>
        within(
          new Promise((resolve) => {
            const on = (m: Record<string, unknown>): void => {
              if (m.type !== type) return;
              child.off('message', on);
              resolve(m);
            };
            child.on('message', on);
          }),
          10_000,
          `"${type}" from the child host`,
        );
      const { url } = (await message('ready')) as { url: string };
      child.send({ type: 'inspect' });
      const start = await message('inspect');

      const remote = w.node();
      await remote.connectToNode(url);
      const typed = remote.acquire(Vault);
      const dyn = remote.acquireDynamic('Vault');
      expect(await typed.waitForSource(WAIT_MS)).to.equal(true);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      const raw = await w.raw(url);
      const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Vault')!.id!;
      let serial = 1;
      for (const p of PAYLOADS) {
        expectInert(await typed.echo(p.js()), `typed echo of ${p.name}`);
        expectInert(await dyn.invoke('echo', p.js()), `dynamic echo of ${p.name}`);
        raw.sendPacket({ invoke: { source: id, index: DECLARED.slots.indexOf('echo'), serial: serial++, args: [p.wire] } });
        raw.sendPacket({ setProperty: { source: id, index: DECLARED.properties.indexOf('anything'), serial: serial++, value: p.wire } });
        await dyn.set('anything', p.js());
        expectInert(dyn.get('anything'), `dynamic replica property ${p.name}`);
      }
      await raw.roundTrip(1);
      expect(raw.packets.filter((p) => p.kind === 'reply').every((p) => p.reply!.error === null)).to.equal(true);

      child.send({ type: 'inspect' });
      const end = await message('inspect');
      expect(end.pollution, 'the host process: Object.prototype / Array.prototype untouched').to.deep.equal(start.pollution);
      expect((end.pollution as { polluted: unknown }).polluted).to.equal(undefined);
      expect(pollutionReport(), 'this process').to.deep.equal(baseline);
      // The host's Vault received every payload as plain own keys, and nothing else changed.
      const received = end.received as { ownKeys?: string[]; proto?: string; polluted?: unknown }[];
      expect(received).to.have.length(PAYLOADS.length * 3);
      for (const r of received) {
        if (r.proto !== undefined) {
          expect(r.proto).to.equal('Object.prototype');
          expect(r.polluted).to.equal(undefined);
        }
      }
      const state = end.state as { compromised: boolean; keeper: string; protoIsVault: boolean };
      expect(state.compromised).to.equal(false);
      expect(state.keeper).to.equal('alice');
      expect(state.protoIsVault).to.equal(true);
      child.send({ type: 'close' });
      await within(new Promise((resolve) => child.once('exit', resolve)), 10_000, 'the child host to exit');
    });
  });
});
