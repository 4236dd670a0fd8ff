// Model-based fuzzing of a live host: fast-check drives real connections to a host running in
// its own process (--unhandled-rejections=strict) with random peer behaviour -- random announced
// frame limits, sync and async slots, small and large replies and rejections, property sets,
// acquires, releases, pings, any packet in any order (host-only ones, second handshakes,
// garbage), closes at any point -- and after every sequence checks that the host process is
// alive and that a bystander replica on its own connection still works.
//
// Bounded and deterministic in CI: a fixed seed and a few runs of a few dozen commands
// (TSRO_FUZZ_SEED picks another seed, TSRO_MODEL_RUNS more runs, for exploratory fuzzing).

import { expect } from 'chai';
import * as fc from 'fast-check';
import type { Node, Replica } from '../../src/index';
import type { PacketMessage } from '../../src/protocol/messages';
import { encodePacket } from '../../src/protocol/packet-codec';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { RawClient, WAIT_MS, World, frame, packetFrame } from '../support/e2e';
import { within } from '../support/fixtures';
import { samplePackets } from '../support/hardening-values';
import { Printer } from '../support/printer';
import { strictHost, type StrictHost } from '../support/strict-child';

const seedSetting = process.env.TSRO_FUZZ_SEED;
const SEED = seedSetting && seedSetting !== 'random' ? Number(seedSetting) : 20261129;
const RUNS = Number(process.env.TSRO_MODEL_RUNS ?? 40);

/** What the model knows: the peers it opened (some may have been closed by the host since). */
interface Model {
  peers: number;
}

interface Real {
  readonly host: StrictHost;
  /** Size of the host's source list: limits just over it let a peer in with almost no room. */
  readonly listSize: number;
  readonly ids: ReadonlyMap<string, number>;
  readonly peers: RawClient[];
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** Announced frame limits: none, too small to be admitted, just enough for the source list, ... */
const limitOf = (choice: number, listSize: number): number => [0, 40, listSize, listSize + 64, 2000, 1 << 20][choice]!;
const SIZES = [0, 10, 300, 5000, 200_000] as const;
const samples = samplePackets().map((s) => s.packet);

/** Sends on peer `i` (modulo the peers open); nothing if there are none. */
function onPeer(r: Real, i: number, send: (p: RawClient, ids: ReadonlyMap<string, number>) => void): void {
  const open = r.peers.filter((p) => p.isOpen);
  if (open.length === 0) return;
  const peer = open[i % open.length]!;
  try {
    send(peer, r.ids);
  } catch {
    // the socket went away meanwhile: that is the host's right
  }
}

class Connect implements Cmd {
  constructor(readonly limitChoice: number, readonly credentialFirst: boolean) {}
  check(m: Readonly<Model>): boolean {
    return m.peers < 12;
  }
  async run(m: Model, r: Real): Promise<void> {
    const raw = await RawClient.connect(r.host.url);
    r.peers.push(raw);
    m.peers++;
    const handshake: PacketMessage = { handshake: { version: PROTOCOL_VERSION, agent: 'model', maxFrameSize: limitOf(this.limitChoice, r.listSize) } };
    if (this.credentialFirst) raw.send(frame(Buffer.from([0x6a, 0x02, 0x08, 0x01]))); // a Ping before anything
    raw.sendPacket(handshake);
    // Admitted (or refused) before the next command, so that what follows reaches an admitted peer.
    await Promise.race([raw.packet('sourceList', WAIT_MS), raw.whenClosed(WAIT_MS)]).catch(() => {});
  }
  toString(): string {
    return `connect(limit #${this.limitChoice}${this.credentialFirst ? ', ping first' : ''})`;
  }
}

class Call implements Cmd {
  constructor(readonly peer: number, readonly slot: number, readonly size: number, readonly serial: number) {}
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    onPeer(r, this.peer, (p, ids) => {
      // Hostile: sized 0, sizedLater 1, failLong 2, throwLong 3; Gadget: echo 0, echoLater 1.
      if (this.slot < 4) p.sendPacket({ invoke: { source: ids.get('Hostile'), index: this.slot, serial: this.serial, args: [{ int: this.size }] } });
      else p.sendPacket({ invoke: { source: ids.get('Gadget'), index: this.slot - 4, serial: this.serial, args: [{ string: 'e'.repeat(this.size) }] } });
    });
  }
  toString(): string {
    return `call(peer ${this.peer}, slot ${this.slot}, size ${this.size}, serial ${this.serial})`;
  }
}

class SetText implements Cmd {
  constructor(readonly peer: number, readonly size: number) {}
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    onPeer(r, this.peer, (p, ids) => p.sendPacket({ setProperty: { source: ids.get('Hostile'), index: 0, value: { string: 's'.repeat(this.size) }, serial: 7 } }));
  }
  toString(): string {
    return `setText(peer ${this.peer}, size ${this.size})`;
  }
}

class Acquire implements Cmd {
  constructor(readonly peer: number, readonly source: string, readonly release: boolean) {}
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    onPeer(r, this.peer, (p, ids) =>
      p.sendPacket(this.release ? { release: { source: ids.get(this.source) } } : { acquire: { source: ids.get(this.source), wantDefinition: true } }),
    );
  }
  toString(): string {
    return `${this.release ? 'release' : 'acquire'}(peer ${this.peer}, ${this.source})`;
  }
}

class AnyPacket implements Cmd {
  constructor(readonly peer: number, readonly sample: number, readonly garbage: Uint8Array | undefined) {}
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    onPeer(r, this.peer, (p) => p.send(this.garbage ?? packetFrame(samples[this.sample % samples.length]!)));
  }
  toString(): string {
    return this.garbage ? `garbage(peer ${this.peer}, ${Buffer.from(this.garbage).toString('hex').slice(0, 40)})` : `packet(peer ${this.peer}, sample ${this.sample % samples.length})`;
  }
}

class Close implements Cmd {
  constructor(readonly peer: number, readonly half: boolean) {}
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    onPeer(r, this.peer, (p) => (this.half ? p.socket.end() : p.destroy()));
  }
  toString(): string {
    return `${this.half ? 'end' : 'destroy'}(peer ${this.peer})`;
  }
}

class Pause implements Cmd {
  constructor(readonly peer: number) {}
  check(): boolean {
    return true;
  }
  async run(_m: Model, r: Real): Promise<void> {
    onPeer(r, this.peer, (p) => p.socket.pause());
  }
  toString(): string {
    return `stopReading(peer ${this.peer})`;
  }
}

const peer = fc.nat(11);
const connect = fc.tuple(fc.nat(5), fc.nat(5)).map(([l, ping]) => new Connect(l, ping === 0));
const commands = [
  connect,
  connect,
  connect,
  fc.tuple(peer, fc.nat(5), fc.constantFrom(...SIZES), fc.nat(3)).map(([p, s, n, serial]) => new Call(p, s, n, serial)),
  fc.tuple(peer, fc.constantFrom(...SIZES)).map(([p, n]) => new SetText(p, n)),
  fc.tuple(peer, fc.constantFrom('Hostile', 'Gadget', 'Printer'), fc.boolean()).map(([p, s, rel]) => new Acquire(p, s, rel)),
  fc.tuple(peer, fc.nat(), fc.option(fc.uint8Array({ minLength: 1, maxLength: 12 }), { freq: 4 })).map(
    ([p, s, g]) => new AnyPacket(p, s, g ?? undefined),
  ),
  fc.tuple(peer, fc.boolean()).map(([p, half]) => new Close(p, half)),
  peer.map((p) => new Pause(p)),
];

describe('hardening: model-based fuzzing of a live host with random peers', function () {
  this.timeout(120_000);

  let w: World;
  let host: StrictHost;
  let ids: Map<string, number>;
  let listSize: number;
  let bystander: Node;
  let printer: Replica<Printer>;

  before(async () => {
    w = new World();
    host = await strictHost(w, { sources: ['Printer', 'Gadget', 'Hostile'], options: { maxInFlightCalls: 8 } });
    const probe = await w.raw(host.url);
    const list = await probe.handshake();
    ids = new Map(list.sourceList!.sources!.map((s) => [s.name!, s.id!]));
    listSize = encodePacket(list).length;
    probe.destroy();
    bystander = w.node({ reconnect: false });
    await bystander.connectToNode(host.url);
    printer = bystander.acquire(Printer);
    expect(await printer.waitForSource(WAIT_MS)).to.equal(true);
  });

  after(() => w.close());

  it(`the host stays up and a bystander keeps working, whatever the peers do (${RUNS} runs, seed ${SEED})`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30 }), async (cmds) => {
        run++;
        const real: Real = { host, ids, listSize, peers: [] };
        try {
          await fc.asyncModelRun(() => ({ model: { peers: 0 }, real }), cmds);
          // Let the host work through what was sent, then prove it is alive and serving.
          await within(printer.add(run, 1), WAIT_MS, 'the bystander\'s call');
          expect(host.child.exitCode, 'the host process is alive').to.equal(null);
          expect(printer.isReplicaValid(), 'the bystander replica is valid').to.equal(true);
        } finally {
          for (const p of real.peers) p.destroy();
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    await host.expectServing();
    expect(host.logs.filter((l) => l.level === 'error'), 'nothing logged at error level').to.deep.equal([]);
  });
});
