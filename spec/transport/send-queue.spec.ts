// SendQueue on its own, with a sink the test drives: one write per turn, shared frames referred
// to (the same memory for every queue), large frames never copied, and under pressure the exact
// coalescing rule -- a keyed frame replaces a held one of its key in place, unless a frame
// without a key came between them -- and the pressure ending once the sink has written all.

import { expect } from 'chai';
import { FrameDecoder } from '../../src/transport/frame-decoder';
import { SendQueue, type ChunkSink } from '../../src/transport/send-queue';
import { FrameArena, LARGE_FRAME } from '../../src/transport/shared-frame';

/** A sink that keeps what it is given; `unsent` and the written-callbacks are the test's to settle. */
class TestSink implements ChunkSink {
  readonly writes: Uint8Array[][] = [];
  private current: Uint8Array[] | undefined;
  private corked = 0;
  unsent = 0;
  readonly callbacks: (() => void)[] = [];
  write(chunk: Uint8Array, written?: () => void): void {
    if (this.corked > 0) this.current!.push(chunk);
    else this.writes.push([chunk]);
    this.unsent += chunk.length;
    if (written) this.callbacks.push(written);
  }
  cork(): void {
    if (this.corked++ === 0) this.current = [];
  }
  uncork(): void {
    if (--this.corked === 0) {
      this.writes.push(this.current!);
      this.current = undefined;
    }
  }
  /** The OS took everything: callbacks run. */
  drain(): void {
    this.unsent = 0;
    for (const cb of this.callbacks.splice(0)) cb();
  }
  /** Every frame handed over so far, decoded. */
  frames(): number[][] {
    const out: number[][] = [];
    const d = new FrameDecoder(1 << 30, (f) => out.push(Array.from(f)), 'test');
    for (const w of this.writes) for (const c of w) d.push(c);
    return out;
  }
}

function manual(): { schedule: (fn: () => void) => void; run(): void } {
  const q: (() => void)[] = [];
  return { schedule: (fn) => q.push(fn), run: () => q.splice(0).forEach((fn) => fn()) };
}

const f = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('transport/SendQueue', () => {
  it('hands every frame of a turn to the sink in one write, in order', () => {
    const sink = new TestSink();
    const turn = manual();
    const q = new SendQueue(sink, Infinity, undefined, turn.schedule);
    const arena = new FrameArena(turn.schedule);
    q.write(f(1, 2));
    q.writeShared(arena.place(f(3)), 5);
    q.writeShared(arena.place(f(4, 4)), -1);
    q.write(f(5));
    expect(sink.writes).to.have.length(0);
    expect(q.pendingBytes).to.equal(3 + 2 + 3 + 2);
    turn.run();
    expect(sink.writes).to.have.length(1);
    expect(sink.frames()).to.deep.equal([[1, 2], [3], [4, 4], [5]]);
    expect(q.pendingBytes).to.equal(0);
  });

  it('refers to shared frames: every queue hands over the same memory, a run of them as one slice', () => {
    const turn = manual();
    const arena = new FrameArena(turn.schedule);
    const sinks = [new TestSink(), new TestSink(), new TestSink()];
    const queues = sinks.map((s) => new SendQueue(s, Infinity, undefined, turn.schedule));
    for (let i = 0; i < 50; i++) {
      const frame = arena.place(Uint8Array.from({ length: 20 }, (_, k) => i + k));
      for (const q of queues) q.writeShared(frame, i % 2 === 0 ? 7 : -1);
    }
    turn.run();
    // Two slices (the arena grew once), handed over together.
    const chunks = sinks.map((s) => {
      expect(s.writes).to.have.length(1);
      expect(s.writes[0]).to.have.length(2);
      return s.writes[0]!;
    });
    for (const c of chunks) {
      for (let i = 0; i < 2; i++) {
        expect(c[i]!.buffer).to.equal(chunks[0]![i]!.buffer);
        expect(c[i]!.byteOffset).to.equal(chunks[0]![i]!.byteOffset);
      }
      expect(c[0]!.length + c[1]!.length).to.equal(50 * 21);
    }
    expect(sinks[1]!.frames()).to.have.length(50);
  });

  it('never copies a large frame: the sink gets the frame itself after its prefix', () => {
    const sink = new TestSink();
    const turn = manual();
    const q = new SendQueue(sink, Infinity, undefined, turn.schedule);
    const big = new Uint8Array(LARGE_FRAME * 2).fill(9);
    q.write(f(1));
    q.write(big);
    q.write(f(2));
    turn.run();
    expect(sink.writes).to.have.length(1);
    expect(sink.writes[0]!.some((c) => c === big), 'the frame itself is handed over').to.equal(true);
    const frames = sink.frames();
    expect(frames.map((x) => x.length)).to.deep.equal([1, big.length, 1]);
  });

  it('under pressure holds frames, coalesces keyed ones in place until a frame without a key, and counts them', () => {
    const sink = new TestSink();
    const turn = manual();
    const events: boolean[] = [];
    let coalesced = 0;
    const q = new SendQueue(sink, 16, { pressure: (p) => events.push(p), coalesced: () => coalesced++ }, turn.schedule);
    const arena = new FrameArena(turn.schedule);
    const change = (key: number, v: number): void => q.writeShared(arena.place(f(key, v)), key);
    const signal = (v: number): void => q.writeShared(arena.place(f(0xee, v)), -1);
    q.write(new Uint8Array(20)); // over the threshold: pressure from here on
    expect(events).to.deep.equal([true]);
    expect(q.pressured).to.equal(true);
    change(1, 1);
    change(2, 1);
    change(1, 2); // replaces (1,1) in place
    signal(1); // seals: nothing after replaces anything before
    change(1, 3);
    change(2, 2);
    change(1, 4); // replaces (1,3)
    change(2, 3); // replaces (2,2)
    expect(q.replaceable(1)).to.equal(3);
    expect(q.replaceable(3)).to.equal(0);
    turn.run(); // the 20-byte frame goes out, with a written-callback; the rest stays held
    expect(sink.frames()).to.have.length(1);
    expect(sink.callbacks).to.have.length(1);
    sink.drain();
    expect(sink.frames().slice(1)).to.deep.equal([
      [1, 2],
      [2, 1],
      [0xee, 1],
      [1, 4],
      [2, 3],
    ]);
    expect(coalesced).to.equal(3);
    expect(events).to.deep.equal([true, false]);
    expect(q.pressured).to.equal(false);
    // Back to normal once the sink took those too: nothing is held or coalesced.
    sink.drain();
    change(1, 5);
    change(1, 6);
    turn.run();
    expect(sink.frames().slice(6)).to.deep.equal([
      [1, 5],
      [1, 6],
    ]);
    expect(coalesced).to.equal(3);
  });

  it('stays under pressure while what it releases is over the threshold, and waits for the sink again', () => {
    const sink = new TestSink();
    const turn = manual();
    const events: boolean[] = [];
    const q = new SendQueue(sink, 10, { pressure: (p) => events.push(p), coalesced: () => {} }, turn.schedule);
    q.write(new Uint8Array(11));
    q.write(new Uint8Array(30)); // held, not keyed
    turn.run();
    sink.drain(); // releases the 30 bytes: over the threshold again
    expect(events).to.deep.equal([true]);
    expect(q.pressured).to.equal(true);
    q.write(f(1)); // held behind them
    turn.run();
    expect(sink.frames().map((x) => x.length)).to.deep.equal([11, 30]);
    sink.drain();
    expect(sink.frames().map((x) => x.length)).to.deep.equal([11, 30, 1]);
    expect(events).to.deep.equal([true, false]);
  });

  it('hands everything over on flushAll, held frames included, and drops everything on discard', () => {
    const sink = new TestSink();
    const turn = manual();
    const q = new SendQueue(sink, 10, undefined, turn.schedule);
    q.write(new Uint8Array(20));
    q.write(f(1));
    q.flushAll();
    expect(sink.frames().map((x) => x.length)).to.deep.equal([20, 1]);
    q.write(new Uint8Array(20));
    q.write(f(2));
    q.discard();
    expect(q.pendingBytes).to.equal(0);
    turn.run();
    expect(sink.frames()).to.have.length(2);
  });
});
