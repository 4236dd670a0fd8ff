// Property-based fuzzing of everything that reads bytes from a peer: the frame decoder, the packet
// decoders (general and hot), the value codec, and a real Host's message handling end to end.
// The rule under test: hostile input either decodes or fails with a TsroError of a protocol code
// (never another exception type, never a hang, never a preallocation sized by the attacker), and
// on a live host it closes only the offending connection.
//
// Bounded: run counts are sized so that the whole file stays well under 30 s. A failing property
// prints its seed and shrunk counterexample; rerun with that seed to reproduce.
//
// The seed is fixed so that CI is deterministic; TSRO_FUZZ_SEED=<n> picks another one and
// TSRO_FUZZ_SEED=random a fresh one per run (for exploratory fuzzing; counterexamples found that
// way become fixed regression tests, as in spec/protocol/hot-decoder.spec.ts).

import { expect } from 'chai';
import * as fc from 'fast-check';
import { ProtocolError, TsroError, type Host, type Node, type Replica } from '../../src/index';
import { decodeHotPacket, type HotPacketHandler } from '../../src/protocol/hot-decoder';
import { encodeInvoke, encodePropertyChange, encodeReplyValue, encodeSignal } from '../../src/protocol/hot-packets';
import type { DecodedPacket, PacketMessage } from '../../src/protocol/messages';
import { decodePacket, encodePacket } from '../../src/protocol/packet-codec';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { schema } from '../../src/protocol/schema';
import { decodeValue, decodeValues, encodeValue, type ValueMessage } from '../../src/protocol/value-codec';
import { DEFAULT_MAX_FRAME_SIZE } from '../../src/transport/node/frame-channel';
import { FrameDecoder } from '../../src/transport/frame-decoder';
import { generalView, hotRecorder } from '../support/hot-packets';
import { within } from '../support/fixtures';

const seedSetting = process.env.TSRO_FUZZ_SEED;
if (seedSetting !== 'random') fc.configureGlobal({ seed: seedSetting ? Number(seedSetting) : 20261124 });
import { Printer } from '../support/printer';
import { nextEvent } from '../../src/testing';
import {
  Gadget,
  RawClient,
  Tap,
  WAIT_MS,
  World,
  fakeHost,
  frame,
  handshakeFrame,
  hostConnectionCount,
  packetFrame,
  varint,
  closedConnections,
  listenerOf,
} from '../support/e2e';
import {
  carriableValue,
  chunk,
  difference,
  listDifference,
  mutate,
  mutatedFrame,
  mutation,
  sampleFrames,
  samplePackets,
} from '../support/hardening-values';

const PROTOCOL_CODES = ['PROTOCOL_ERROR', 'FRAME_TOO_LARGE', 'PROTOCOL_MISMATCH'];

/** Runs `fn`; returns what it threw (undefined if nothing). */
function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** Asserts that `err` is nothing, or a TsroError with one of `codes`. */
function expectProtocolFailureOrNothing(err: unknown, codes: readonly string[], what: string): void {
  if (err === undefined) return;
  if (!(err instanceof TsroError)) {
    expect.fail(`${what} threw a ${(err as Error)?.constructor?.name ?? typeof err} instead of a TsroError: ${String(err)}`);
  }
  expect(codes, `${what} threw ${err.code}: ${err.message}`).to.include(err.code);
}

// ---- the frame decoder ---------------------------------------------------------------------------

/** A deliberately naive, whole-buffer reading of a frame stream: what the decoder must agree with. */
function referenceFrames(
  bytes: Uint8Array,
  max: number,
): { frames: Uint8Array[]; error?: 'PROTOCOL_ERROR' | 'FRAME_TOO_LARGE'; consumed: number } {
  const frames: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const start = pos;
    if (pos === bytes.length) return { frames, consumed: start };
    let length = 0;
    for (let i = 0; ; i++) {
      if (pos === bytes.length) return { frames, consumed: start };
      const b = bytes[pos++]!;
      if (i === 4 && b > 0x0f) return { frames, error: 'PROTOCOL_ERROR', consumed: start };
      length += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) break;
    }
    if (length > max) return { frames, error: 'FRAME_TOO_LARGE', consumed: start };
    if (bytes.length - pos < length) return { frames, consumed: start };
    frames.push(bytes.subarray(pos, pos + length));
    pos += length;
  }
}

function encodeStream(bodies: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(bodies.flatMap((b) => [varint(b.length), Buffer.from(b)]));
}

/** Pushes chunks in order; returns what push threw, if anything. */
function feed(decoder: FrameDecoder, chunks: readonly Uint8Array[]): unknown {
  for (const c of chunks) {
    const err = caught(() => decoder.push(c));
    if (err !== undefined) {
      // Dead for good: the same error again, whatever comes next.
      expect(caught(() => decoder.push(Uint8Array.of(0)))).to.equal(err);
      return err;
    }
  }
  return undefined;
}

function collector(max: number): { decoder: FrameDecoder; frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  const decoder = new FrameDecoder(max, (f) => frames.push(Uint8Array.from(f)), 'fuzz');
  return { decoder, frames };
}

function sameFrames(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  expect(actual.length, 'number of frames delivered').to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Buffer.compare(Buffer.from(actual[i]!), Buffer.from(expected[i]!)), `frame ${i}`).to.equal(0);
  }
}

const cutsArb = fc.array(fc.nat(), { maxLength: 30 });
const bodyArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 127, maxLength: 130 }) },
  { weight: 1, arbitrary: fc.integer({ min: 16380, max: 16390 }).map((n) => new Uint8Array(n).fill(n & 0xff)) },
);
const maxArb = fc.constantFrom(0, 1, 100, 1024, DEFAULT_MAX_FRAME_SIZE, 0xffffffff);

describe('hardening: fuzzing', function () {
  this.timeout(60_000);

  describe('FrameDecoder', () => {
    it('delivers exactly the frames of a valid stream, however it is chunked', () => {
      fc.assert(
        fc.property(fc.array(bodyArb, { maxLength: 12 }), cutsArb, fc.boolean(), (bodies, cuts, empties) => {
          const bytes = encodeStream(bodies);
          let chunks = chunk(bytes, cuts);
          if (empties) chunks = chunks.flatMap((c) => [new Uint8Array(0), c]);
          const { decoder, frames } = collector(1 << 20);
          expect(feed(decoder, chunks)).to.equal(undefined);
          sameFrames(frames, bodies);
          expect(decoder.bufferedBytes).to.equal(0);
        }),
        { numRuns: 1000 },
      );
    });

    it('delivers the complete frames of a truncated stream and waits for the rest without throwing', () => {
      fc.assert(
        fc.property(fc.array(bodyArb, { minLength: 1, maxLength: 8 }), fc.nat(), cutsArb, (bodies, cutAt, cuts) => {
          const bytes = encodeStream(bodies);
          const cut = cutAt % (bytes.length + 1);
          const head = bytes.subarray(0, cut);
          const ref = referenceFrames(head, 1 << 20);
          const { decoder, frames } = collector(1 << 20);
          expect(feed(decoder, chunk(head, cuts))).to.equal(undefined);
          sameFrames(frames, ref.frames);
          // What is held back is at most the incomplete tail; never more than was received.
          expect(decoder.bufferedBytes).to.be.at.most(cut - ref.consumed);
          // The rest of the stream completes it exactly.
          expect(feed(decoder, chunk(bytes.subarray(cut), cuts))).to.equal(undefined);
          sameFrames(frames, bodies);
        }),
        { numRuns: 1000 },
      );
    });

    it('reads random bytes exactly as a whole-buffer reference does: frames, or PROTOCOL_ERROR / FRAME_TOO_LARGE', () => {
      const bytesArb = fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        // Streams made mostly of small length prefixes, so that frames do complete.
        fc.array(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }).map((a) => Uint8Array.from(a)),
        // Long and oversized prefixes.
        fc.array(fc.constantFrom(0x80, 0xff, 0x8f, 0x0f, 0x10, 0x00, 0x01), { maxLength: 12 }).map((a) => Uint8Array.from(a)),
      );
      fc.assert(
        fc.property(bytesArb, maxArb, cutsArb, (bytes, max, cuts) => {
          const ref = referenceFrames(bytes, max);
          const { decoder, frames } = collector(max);
          const err = feed(decoder, chunk(bytes, cuts));
          sameFrames(frames, ref.frames);
          if (ref.error === undefined) {
            expect(err, String(err)).to.equal(undefined);
          } else {
            expect(err).to.be.instanceOf(ProtocolError);
            expect((err as ProtocolError).code).to.equal(ref.error);
          }
          for (const f of frames) expect(f.length).to.be.at.most(max);
        }),
        { numRuns: 1500 },
      );
    });

    it('refuses a claimed 2 GiB frame with FRAME_TOO_LARGE as soon as the prefix is read, allocating nothing', () => {
      const prefix = varint(2 ** 31);
      for (const cuts of [[], [1], [1, 2, 3, 4]]) {
        const { decoder, frames } = collector(DEFAULT_MAX_FRAME_SIZE);
        const err = feed(decoder, chunk(Buffer.concat([prefix, Buffer.alloc(16)]), cuts));
        expect(err).to.be.instanceOf(ProtocolError);
        expect((err as ProtocolError).code).to.equal('FRAME_TOO_LARGE');
        expect((err as ProtocolError).message).to.include(String(2 ** 31));
        expect(frames).to.deep.equal([]);
      }
      // Prefixes no uint32 can hold.
      for (const bad of [[0xff, 0xff, 0xff, 0xff, 0x10], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]]) {
        const { decoder, frames } = collector(0xffffffff);
        const err = feed(decoder, [Uint8Array.from(bad)]);
        expect((err as ProtocolError).code).to.equal('PROTOCOL_ERROR');
        expect(frames).to.deep.equal([]);
      }
    });

    it('buffers only what arrived of a huge frame it accepts: memory does not balloon', () => {
      const before = process.memoryUsage().arrayBuffers;
      const { decoder, frames } = collector(0xffffffff);
      decoder.push(varint(2 ** 31));
      decoder.push(varint(0)); // one body byte (0x00)
      const piece = Buffer.alloc(64 * 1024, 7);
      for (let i = 0; i < 16; i++) decoder.push(piece);
      expect(frames).to.deep.equal([]);
      expect(decoder.bufferedBytes).to.equal(1 + 16 * piece.length);
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(grown, `arrayBuffers grew by ${grown} bytes`).to.be.below(16 * 1024 * 1024);
    });
  });

  // ---- packet decoders ---------------------------------------------------------------------------

  describe('decodePacket and decodeHotPacket', () => {
    const frames = sampleFrames();

    /** Decodes the packet's values as the node and host do; none of it may throw anything but PROTOCOL_ERROR. */
    function decodeContents(p: DecodedPacket): void {
      const m = p[p.kind] as Record<string, unknown>;
      if (m.value) decodeValue(m.value as ValueMessage);
      if (Array.isArray(m.args)) decodeValues(m.args as ValueMessage[]);
      if (Array.isArray(m.values)) decodeValues(m.values as ValueMessage[]);
    }

    /**
     * Checks one frame against both decoders. Returns 'utf8' when the hot decoder delivered a
     * frame the general decoder refuses for invalid UTF-8 (a divergence the hot decoder's UTF-8
     * check rules out; the test below requires none), else undefined.
     */
    function check(bytes: Uint8Array): 'utf8' | undefined {
      let packet: DecodedPacket | undefined;
      const generalErr = caught(() => {
        packet = decodePacket(bytes);
      });
      expectProtocolFailureOrNothing(generalErr, ['PROTOCOL_ERROR'], 'decodePacket');
      if (packet) {
        expect(packet.kind).to.be.a('string');
        expectProtocolFailureOrNothing(caught(() => decodeContents(packet!)), ['PROTOCOL_ERROR'], 'decoding the values');
      }
      const { handler, seen } = hotRecorder();
      let took: boolean | undefined;
      const hotErr = caught(() => {
        took = decodeHotPacket(bytes, handler);
      });
      expectProtocolFailureOrNothing(hotErr, ['PROTOCOL_ERROR'], 'decodeHotPacket');
      if (hotErr !== undefined || took === false) {
        expect(seen, 'nothing is delivered when the hot path declines or fails').to.deep.equal([]);
        return undefined;
      }
      expect(took).to.equal(true);
      expect(seen).to.have.length(1);
      if (!packet) {
        // The general decoder refused what the hot one delivered.
        expect((generalErr as Error).message, 'the only divergence allowed here is invalid UTF-8').to.match(/utf-8/i);
        return 'utf8';
      }
      const expected = generalView(packet);
      const hot = seen[0]!;
      expect(hot.slice(0, -1)).to.deep.equal(expected.slice(0, -1));
      const last = hot.length - 1;
      const d = Array.isArray(expected[last]) && (hot[0] === 'signal' || hot[0] === 'invoke' || hot[0] === 'streamItems')
        ? listDifference(expected[last] as unknown[], hot[last] as unknown[])
        : difference(expected[last], hot[last]);
      expect(d, 'the hot decoder delivers what the general decoder yields').to.equal(undefined);
      return undefined;
    }

    it('decodes every sample packet, and the hot path agrees with the general one', () => {
      // The samples cover every kind of packet the schema has.
      const kinds = new Set(samplePackets().map((p) => p.kind));
      expect([...kinds].sort()).to.deep.equal([...(schema.Packet as unknown as { oneofs: { kind: { oneof: string[] } } }).oneofs.kind.oneof].sort());
      for (const f of frames) expect(check(f)).to.equal(undefined);
    });

    it('random bytes: a packet, or PROTOCOL_ERROR; never another exception', () => {
      const hotStart = fc.constantFrom(0x0a, 0x12, 0x1a, 0x22, 0x32, 0x62, 0x7a);
      const arb = fc.oneof(
        fc.uint8Array({ maxLength: 120 }),
        // Start like a hot packet, so the hot decoder gets past its first byte.
        fc.tuple(hotStart, fc.integer({ min: 0, max: 127 }), fc.uint8Array({ maxLength: 120 })).map(([k, n, rest]) =>
          Uint8Array.from([k, n, ...rest]),
        ),
      );
      fc.assert(
        fc.property(arb, (bytes) => {
          check(bytes);
        }),
        { numRuns: 10000 },
      );
    });

    it('mutated valid frames of every packet kind: a packet, or PROTOCOL_ERROR; the hot path agrees', () => {
      let divergences = 0;
      fc.assert(
        fc.property(mutatedFrame(frames), (bytes) => {
          if (check(bytes) === 'utf8') divergences++;
        }),
        { numRuns: 8000 },
      );
      // Reported here; the UTF-8 test below fails on any.
      if (divergences > 0) console.log(`      (hot/general UTF-8 divergences seen: ${divergences})`);
    });

    // The hot decoder refuses invalid UTF-8 in a string Value with PROTOCOL_ERROR, as the general
    // decoder does, so a hot packet it decodes is always exactly what the general decoder yields.
    it('the hot decoder refuses invalid UTF-8 in a string exactly as the general decoder does', () => {
      const value = Buffer.from([0x1a, 0x02, 0xff, 0xfe]); // Value{string: <invalid UTF-8>}
      const body = Buffer.concat([Buffer.from([0x08, 0x01, 0x1a, value.length]), value]);
      const bytes = Buffer.concat([Buffer.from([0x0a, body.length]), body]); // Packet{propertyChange}
      expect((caught(() => decodePacket(bytes)) as TsroError).code).to.equal('PROTOCOL_ERROR');
      const { handler, seen } = hotRecorder();
      const err = caught(() => decodeHotPacket(bytes, handler));
      expect(err).to.be.instanceOf(ProtocolError);
      expect((err as ProtocolError).code).to.equal('PROTOCOL_ERROR');
      expect(seen).to.deep.equal([]);
      fc.assert(
        fc.property(mutatedFrame(frames), (b) => {
          expect(check(b)).to.equal(undefined);
        }),
        { numRuns: 8000 },
      );
    });

    it('never hangs: a frame of nested garbage decodes or fails quickly', () => {
      // Deep nesting is the cheapest way to make a recursive decoder work hard.
      let nested = Uint8Array.from([0x08, 0x01]);
      for (let i = 0; i < 200; i++) {
        // Value{list: ValueList{items: [nested]}}
        const items = Uint8Array.from([0x0a, ...varint(nested.length), ...nested]);
        nested = Uint8Array.from([0x4a, ...varint(items.length), ...items]);
      }
      const body = Uint8Array.from([0x08, 0x01, 0x1a, ...varint(nested.length), ...nested]);
      const bytes = Uint8Array.from([0x0a, ...varint(body.length), ...body]);
      const started = Date.now();
      check(bytes);
      expect(Date.now() - started).to.be.below(1000);
    });
  });

  // ---- the value codec -----------------------------------------------------------------------

  describe('value codec', () => {
    const uint32 = fc.integer({ min: 0, max: 0xffffffff });

    it('round-trips every carriable value exactly: encodeValue -> Value.encode -> decode -> decodeValue', () => {
      fc.assert(
        fc.property(carriableValue, (value) => {
          const bytes = schema.Value.encode(encodeValue(value, 'fuzz')).finish();
          const back = decodeValue(schema.Value.decode(bytes) as unknown as ValueMessage);
          const d = difference(value, back);
          expect(d, d).to.equal(undefined);
        }),
        { numRuns: 3000 },
      );
    });

    it('round-trips through the hot packet encoders and decodeHotPacket, matching the general decoder', () => {
      const args = fc.array(carriableValue, { maxLength: 4 });
      fc.assert(
        fc.property(uint32, uint32, uint32, carriableValue, args, (source, index, serial, value, list) => {
          const got: unknown[][] = [];
          const handler: HotPacketHandler = {
            propertyChange: (...a) => got.push(['propertyChange', ...a]),
            signal: (...a) => got.push(['signal', ...a]),
            invoke: (...a) => got.push(['invoke', ...a]),
            replyValue: (...a) => got.push(['replyValue', ...a]),
          };
          const cases: [Uint8Array, unknown[]][] = [
            [encodePropertyChange(source, index, value, 'p'), ['propertyChange', source, index, value]],
            [encodeSignal(source, index, list, 's'), ['signal', source, index, list]],
            [encodeInvoke(source, index, serial, list, 'i'), ['invoke', source, index, serial, list]],
            [encodeReplyValue(serial, value, 'r'), ['replyValue', serial, value]],
          ];
          for (const [bytes, expected] of cases) {
            got.length = 0;
            expect(decodeHotPacket(bytes, handler)).to.equal(true);
            expect(got).to.have.length(1);
            const seen = got[0]!;
            expect(seen.slice(0, -1)).to.deep.equal(expected.slice(0, -1));
            const last = expected.length - 1;
            const d = Array.isArray(expected[last]) && (expected[0] === 'signal' || expected[0] === 'invoke')
              ? listDifference(expected[last] as unknown[], seen[last] as unknown[])
              : difference(expected[last], seen[last]);
            expect(d, d).to.equal(undefined);
            // The general decoder reads the same bytes to the same values.
            const p = decodePacket(bytes);
            const m = p[p.kind] as { value?: ValueMessage; args?: ValueMessage[] };
            const g = m.args ? listDifference(expected[last] as unknown[], decodeValues(m.args)) : difference(expected[last], decodeValue(m.value ?? {}));
            expect(g, g).to.equal(undefined);
          }
        }),
        { numRuns: 1000 },
      );
    });
  });

  // ---- a real host, fed hostile bytes -----------------------------------------------------------

  describe('a Host fed hostile bytes', () => {
    let w: World;
    let host: Host;
    let printer: Printer;
    let gadget: Gadget;
    let printerId: number;
    let gadgetId: number;
    let bystander: Node;
    let r: Replica<Printer>;
    let ended: Tap<[{ label: string }, unknown]>;
    let connectionsAtStart: number;

    before(async () => {
      w = new World();
      host = await w.host('tcp://127.0.0.1:0');
      ended = w.tap(listenerOf(host), 'connectionEnded');
      printer = new Printer();
      gadget = new Gadget();
      host.enableRemoting(printer);
      host.enableRemoting(gadget);
      bystander = await w.connectedNode(host);
      r = bystander.acquire(Printer);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      const probe = await RawClient.connect(host.hostUrl);
      const list = await probe.handshake();
      printerId = list.sourceList!.sources!.find((s) => s.name === 'Printer')!.id!;
      gadgetId = list.sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
      probe.destroy();
      await probe.whenClosed();
      await ended.until(() => hostConnectionCount(host) === 1);
      connectionsAtStart = hostConnectionCount(host);
    });

    after(async () => {
      // Every hostile connection is gone: only the bystander's is left.
      expect(hostConnectionCount(host)).to.equal(connectionsAtStart);
      await w.close();
    });

    /** The well-behaved node still gets correct answers: a call, and a property change. */
    async function bystanderFine(): Promise<void> {
      expect(r.state).to.equal('valid');
      const a = 1 + Math.floor(Math.random() * 1000);
      expect(await within(r.add(a, 1) as Promise<number>, WAIT_MS, 'the bystander\'s call')).to.equal(a + 1);
      const changed = nextEvent(r, 'copiesChanged', { timeout: WAIT_MS });
      printer.copies = (printer.copies % 1000) + 1;
      expect(await changed).to.deep.equal([printer.copies]);
      expect(r.copies).to.equal(printer.copies);
    }

    /** The source object is still in a state its declaration allows. */
    function sourceSane(): void {
      expect(printer.busy, 'a readonly property no remote may set').to.equal(false);
      expect(Number.isInteger(printer.copies) && (printer.copies | 0) === printer.copies).to.equal(true);
      expect(printer.queue).to.be.an('array');
      for (const q of printer.queue) expect(q).to.be.a('string');
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    }

    /** Matches this raw client's connection in the host's labels and log lines. */
    function peerPattern(port: number): RegExp {
      return new RegExp(`peer 127\\.0\\.0\\.1:${port}(?!\\d)`);
    }

    /** Log lines about the connection of the raw client on local `port`, from line `from` on. */
    function linesFor(port: number, from = 0): (typeof w.hostLog.lines)[number][] {
      const re = peerPattern(port);
      return w.hostLog.lines.slice(from).filter((l) => re.test(l.message));
    }

    /** Resolves once the host has forgotten the connection of the client on `port` (connectionEnded). */
    async function hostForgot(port: number, from: number): Promise<void> {
      const re = peerPattern(port);
      const mine = (conn: { label: string }): boolean => re.test(conn.label);
      if (ended.calls.slice(from).some(([c]) => mine(c))) return;
      await ended.next((c) => mine(c), WAIT_MS, 'the host to forget the connection');
    }

    /**
     * Sends `chunks` on a fresh raw connection. If the host does not close it within `grace` ms
     * the client half-closes (the host must then close too). Returns whether the host closed it
     * first, and what the host logged about it; every such line must be a ProtocolError of a
     * protocol code raised by the protocol layer (not an internal exception wrapped on the way).
     * Safe to run several at once.
     */
    async function hostile(
      chunks: readonly Uint8Array[],
      grace: number,
    ): Promise<{ closedByHost: boolean; codes: string[]; client: RawClient }> {
      const endedFrom = ended.count;
      const logFrom = w.hostLog.lines.length;
      const client = await RawClient.connect(host.hostUrl);
      const { socket } = client;
      const port = socket.localPort!;
      for (const c of chunks) client.send(c);
      let closedByHost = true;
      try {
        await within(client.closed, grace, 'the host to close');
      } catch {
        closedByHost = false;
        socket.end();
        await client.whenClosed();
      }
      await hostForgot(port, endedFrom);
      const lines = linesFor(port, logFrom);
      for (const l of lines) {
        expect(l.level, l.message).to.equal('warn');
        expect(l.error, `${l.message}: ${String(l.error)}`).to.be.instanceOf(ProtocolError);
        const e = l.error as ProtocolError;
        expect(PROTOCOL_CODES).to.include(e.code);
        expect(e.message, 'an internal exception surfaced as a protocol error').not.to.match(/failed to handle a frame/);
      }
      expect(w.hostLog.lines.filter((l) => l.level === 'error')).to.deep.equal([]);
      return { closedByHost, codes: lines.map((l) => (l.error as ProtocolError).code), client };
    }

    it('random byte streams: the offending connection closes (typed error logged), the host and others carry on', async () => {
      const arb = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), cutsArb);
      await fc.assert(
        fc.asyncProperty(arb, async ([bytes, cuts]) => {
          const ref = referenceFrames(bytes, DEFAULT_MAX_FRAME_SIZE);
          let firstKind: string | undefined;
          let firstVersion: number | undefined;
          if (ref.frames.length > 0) {
            try {
              const p = decodePacket(ref.frames[0]!);
              firstKind = p.kind;
              firstVersion = p.handshake?.version ?? undefined;
            } catch {
              firstKind = 'garbage';
            }
          }
          const refused = firstKind !== undefined && firstKind !== 'goodbye' && !(firstKind === 'handshake' && firstVersion === PROTOCOL_VERSION);
          const out = await hostile(chunk(bytes, cuts), ref.error || refused ? WAIT_MS : 20);
          if (ref.error) {
            expect(out.closedByHost).to.equal(true);
            if (firstKind === undefined) expect(out.codes).to.deep.equal([ref.error]);
          } else if (refused) {
            // A first frame that is not a handshake of our version: refused, and said so.
            expect(out.closedByHost).to.equal(true);
            expect(out.codes).to.have.length(1);
            expect(['PROTOCOL_ERROR', 'PROTOCOL_MISMATCH']).to.include(out.codes[0]);
          }
          sourceSane();
          await bystanderFine();
        }),
        { numRuns: 120 },
      );
    });

    /** A valid conversation a node could have, as frames (after the handshake). */
    function conversation(): Uint8Array[] {
      const v = (x: unknown): ValueMessage => encodeValue(x, 'arg');
      return [
        encodePacket({ acquire: { source: printerId, wantDefinition: true } }),
        encodePacket({ invoke: { source: printerId, index: 1, serial: 1, args: [v(2), v(3)] } }), // add
        encodePacket({ invoke: { source: printerId, index: 0, serial: 2, args: [v('doc')] } }), // print
        encodePacket({ setProperty: { source: printerId, index: 2, serial: 3, value: v(5) } }), // copies
        encodePacket({ setProperty: { source: printerId, index: 1, serial: 4, value: v(true) } }), // busy: READONLY
        encodePacket({ invoke: { source: gadgetId, index: 0, serial: 5, args: [v({ a: [1, 'x', new Map([[1n, null]])] })] } }),
        encodePacket({ setProperty: { source: gadgetId, index: 0, serial: 6, value: v(new Date(0)) } }),
        encodePacket({ ping: { nonce: 99 } }),
        encodePacket({ pong: { nonce: 1 } }),
        encodePacket({ release: { source: printerId } }),
        encodePacket({ acquire: { source: 12345 } }),
      ];
    }

    it('mutated valid frame streams: closed with a typed error, or answered; the source stays sane', async () => {
      const frames = conversation();
      const arb = fc.tuple(
        fc.subarray(frames.map((_, i) => i), { minLength: 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(), // mutate the whole stream (framing included) or one body
        fc.nat(), // which body
        cutsArb,
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([picked, ms, whole, which, cuts]) => {
          const bodies = picked.map((i) => frames[i]!);
          let stream: Uint8Array;
          if (whole) {
            stream = mutate(Buffer.concat(bodies.map((b) => frame(b))), ms);
          } else {
            const k = which % bodies.length;
            stream = Buffer.concat(bodies.map((b, i) => frame(i === k ? mutate(b, ms) : b)));
          }
          const out = await hostile([handshakeFrame(), ...chunk(stream, cuts)], 30);
          // Whatever the host answered decodes, and replies only name serials that were asked for.
          for (const p of out.client.packets) {
            if (p.kind === 'reply') expect(p.reply!.serial).to.be.a('number');
          }
          sourceSane();
          await bystanderFine();
        }),
        { numRuns: 150 },
      );
    });

    it('valid frames in the wrong order: each closes its connection with PROTOCOL_ERROR, logged', async () => {
      const v = encodeValue(1, 'x');
      const beforeHandshake: PacketMessage[] = [
        { invoke: { source: printerId, index: 1, serial: 1, args: [v, v] } },
        { acquire: { source: printerId } },
        { setProperty: { source: printerId, index: 2, value: v, serial: 1 } },
        { ping: { nonce: 1 } },
        { sourceList: { sources: [] } },
        { release: { source: printerId } },
      ];
      const hostOnly: PacketMessage[] = [
        { init: { source: printerId, values: [] } },
        { reply: { serial: 1, value: v } },
        { reply: { serial: 1, error: { code: 'REMOTE', name: 'Error', message: 'x' } } },
        { sourceList: { sources: [{ id: 1, name: 'Evil', typeName: 'Evil', signature: '' }] } },
        { sourceAdded: { source: { id: 50, name: 'Evil', typeName: 'Evil', signature: '' } } },
        { sourceRemoved: { source: printerId } },
        { propertyChange: { source: printerId, index: 2, value: v } },
        { signal: { source: printerId, index: 0, args: [v, v] } },
        { handshake: { version: PROTOCOL_VERSION, agent: 'again' } },
      ];
      const cases: { name: string; chunks: Uint8Array[] }[] = [
        ...beforeHandshake.map((p) => ({ name: `${Object.keys(p)[0]} before the handshake`, chunks: [packetFrame(p)] })),
        ...hostOnly.map((p) => ({ name: `${Object.keys(p)[0]} from a node`, chunks: [handshakeFrame(), packetFrame(p)] })),
      ];
      const copies = printer.copies;
      for (const c of cases) {
        const out = await hostile(c.chunks, WAIT_MS);
        expect(out.closedByHost, c.name).to.equal(true);
        expect(out.codes, c.name).to.deep.equal(['PROTOCOL_ERROR']);
        const goodbye = out.client.packets.find((p) => p.kind === 'goodbye');
        expect(goodbye?.goodbye?.error?.code, `${c.name}: told why`).to.equal('PROTOCOL_ERROR');
      }
      expect(printer.copies, 'nothing sent before the handshake took effect').to.equal(copies);
      sourceSane();
      await bystanderFine();
    });

    it('harmless oddities are answered and the connection stays: unknown ids, huge serials, stray releases and pongs', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 0xffffffff }),
          fc.integer({ min: 100, max: 0xffffffff }),
          fc.integer({ min: 0, max: 0xffffffff - 100 }),
          async (serial, unknownId, index) => {
            const logFrom = w.hostLog.lines.length;
            const client = await RawClient.connect(host.hostUrl);
            try {
              await client.handshake();
              client.sendPacket({ invoke: { source: printerId, index: 1, serial, args: [encodeValue(20, 'a'), encodeValue(22, 'b')] } });
              client.sendPacket({ acquire: { source: unknownId } });
              client.sendPacket({ release: { source: unknownId } });
              client.sendPacket({ release: { source: printerId } }); // never acquired
              client.sendPacket({ pong: { nonce: 5 } });
              client.sendPacket({ invoke: { source: unknownId, index, serial: 1, args: [] } });
              client.sendPacket({ invoke: { source: printerId, index: index + 100, serial: 2, args: [] } });
              client.sendPacket({ setProperty: { source: printerId, index: index + 100, serial: 3, value: {} } });
              client.sendPacket({ invoke: { source: printerId, index: 1, serial: 0, args: [] } }); // no reply wanted
              await client.roundTrip(7);
              const replies = new Map(client.packets.filter((p) => p.kind === 'reply').map((p) => [p.reply!.serial, p.reply!]));
              const sum = replies.get(serial)!;
              expect(sum, `a reply to serial ${serial}`).to.not.equal(undefined);
              if (serial > 3) {
                expect(sum.error).to.equal(null);
                expect(decodeValue(sum.value ?? {})).to.equal(42);
                expect(replies.get(1)!.error!.code).to.equal('UNKNOWN_SOURCE');
                expect(replies.get(2)!.error!.code).to.equal('UNKNOWN_MEMBER');
                expect(replies.get(3)!.error!.code).to.equal('UNKNOWN_MEMBER');
              }
              expect(replies.has(0), 'serial 0 asks for no reply').to.equal(false);
              expect(client.packets.some((p) => p.kind === 'sourceRemoved' && p.sourceRemoved!.source === unknownId)).to.equal(true);
              expect(client.isOpen).to.equal(true);
              expect(linesFor(client.socket.localPort!, logFrom), 'nothing logged about this connection').to.deep.equal([]);
            } finally {
              client.destroy();
              await client.whenClosed();
            }
          },
        ),
        { numRuns: 60 },
      );
      sourceSane();
      await bystanderFine();
    });

    it('many hostile connections at once, while the bystander keeps calling', async () => {
      const frames = sampleFrames();
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(mutatedFrame(frames), fc.boolean()), { minLength: 5, maxLength: 12 }), async (list) => {
          const calls = Array.from({ length: 10 }, (_, i) => r.add(i, i) as Promise<number>);
          await Promise.all(list.map(([body, handshakeFirst]) => hostile(handshakeFirst ? [handshakeFrame(), frame(body)] : [frame(body)], 30)));
          expect(await within(Promise.all(calls), WAIT_MS, 'the bystander\'s calls')).to.deep.equal(Array.from({ length: 10 }, (_, i) => 2 * i));
          sourceSane();
          await bystanderFine();
        }),
        { numRuns: 20 },
      );
    });

    it('a claimed 2 GiB frame closes the connection with FRAME_TOO_LARGE, allocating nothing', async () => {
      const before = process.memoryUsage().arrayBuffers;
      const out = await hostile([handshakeFrame(), varint(2 ** 31), Buffer.alloc(1024, 1)], WAIT_MS);
      expect(out.closedByHost).to.equal(true);
      expect(out.codes).to.deep.equal(['FRAME_TOO_LARGE']);
      // A frame just under the limit, announced but never sent: nothing is set aside for it.
      const quiet = await hostile([handshakeFrame(), varint(DEFAULT_MAX_FRAME_SIZE - 1), Buffer.alloc(10)], 50);
      expect(quiet.closedByHost).to.equal(false);
      expect(quiet.codes).to.deep.equal([]);
      const grown = process.memoryUsage().arrayBuffers - before;
      expect(grown, `arrayBuffers grew by ${grown} bytes`).to.be.below(8 * 1024 * 1024);
      await bystanderFine();
    });
  });

  // ---- a node, fed hostile bytes by a fake host ---------------------------------------------------

  describe('a Node fed hostile bytes by a host', () => {
    it('drops only that connection, with a typed error; its other connection keeps working', async () => {
      const w = new World();
      try {
        const realHost = await w.host('tcp://127.0.0.1:0');
        const printer = new Printer();
        realHost.enableRemoting(printer);
        const node = w.node({ reconnect: false });
        await node.connectToNode(realHost.hostUrl);
        const r = node.acquire(Printer);
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
        const hostFrames = samplePackets()
          .filter((s) => ['propertyChange', 'signal', 'reply', 'sourceAdded', 'sourceRemoved', 'init', 'pong', 'sourceList'].includes(s.kind))
          .map((s) => encodePacket(s.packet));
        const fake = await fakeHost(w, 'tcp://127.0.0.1:0', (s) => {
          s.write(handshakeFrame());
          s.write(packetFrame({ sourceList: { sources: [{ id: 7, name: 'Sample', typeName: 'Sample', signature: '' }] } }));
        });
        const closed = closedConnections(w, node);
        await fc.assert(
          fc.asyncProperty(fc.oneof(mutatedFrame(hostFrames).map((b) => frame(b)), fc.uint8Array({ minLength: 1, maxLength: 200 })), async (bytes) => {
            const lines = w.nodeLog.lines.length;
            const closedFrom = closed.count;
            await node.connectToNode(fake.url);
            const dyn = node.acquireDynamic('Sample');
            const socket = fake.sockets[fake.sockets.length - 1]!;
            socket.write(bytes);
            socket.end(); // whatever it made of the bytes, the host then hangs up
            // The node lets go of that connection (whether it refused the bytes or saw the hang-up).
            const gone = (c: { url: string }): boolean => c.url === fake.url;
            if (!closed.calls.slice(closedFrom).some(([c]) => gone(c))) await closed.next(gone, WAIT_MS, 'the node to drop the fake host');
            dyn.release();
            for (const l of w.nodeLog.lines.slice(lines)) {
              expect(l.level).to.equal('warn');
              if (l.error !== undefined) {
                expect(l.error, `${l.message}: ${String(l.error)}`).to.be.instanceOf(TsroError);
                expect((l.error as Error).message).not.to.match(/failed to handle a frame/);
              }
            }
            expect(r.state).to.equal('valid');
            expect(await r.add(1, 2)).to.equal(3);
          }),
          { numRuns: 40 },
        );
      } finally {
        await w.close();
      }
    });
  });
});
