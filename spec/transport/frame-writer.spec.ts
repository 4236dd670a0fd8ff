import { expect } from 'chai';
import * as protobuf from 'protobufjs';
import { FrameDecoder } from '../../src/transport/frame-decoder';
import { FrameWriter } from '../../src/transport/frame-writer';
import { varintSize, writeVarint } from '../../src/transport/varint';
import { within } from './helpers';

function decodeAll(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const decoder = new FrameDecoder(0xffffffff, (f) => frames.push(Uint8Array.from(f)));
  decoder.push(bytes);
  expect(decoder.bufferedBytes, 'trailing bytes').to.equal(0);
  return frames;
}

function frame(size: number, seed: number): Uint8Array {
  const f = new Uint8Array(size);
  for (let i = 0; i < size; i++) f[i] = (seed + i * 3) & 0xff;
  return f;
}

/** A schedule the test runs by hand. */
function manualSchedule(): { schedule: (fn: () => void) => void; queue: Array<() => void>; run(): void } {
  const queue: Array<() => void> = [];
  return {
    schedule: (fn) => queue.push(fn),
    queue,
    run() {
      for (const fn of queue.splice(0)) fn();
    },
  };
}

describe('transport/varint', () => {
  it('encodes like protobuf uint32 at every length boundary', () => {
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 0xffffffff];
    for (const n of values) {
      const expected = protobuf.Writer.create().uint32(n).finish();
      const out = new Uint8Array(8);
      const end = writeVarint(out, 0, n);
      expect(end, `size of ${n}`).to.equal(expected.length);
      expect(varintSize(n), `varintSize(${n})`).to.equal(expected.length);
      expect(Array.from(out.subarray(0, end)), `bytes of ${n}`).to.deep.equal(Array.from(expected));
    }
  });
});

describe('transport/FrameWriter', () => {
  it('hands 100 frames written in one tick to the sink in one call', async () => {
    const calls: Uint8Array[] = [];
    let resolveSink!: () => void;
    const sunk = new Promise<void>((r) => (resolveSink = r));
    const writer = new FrameWriter((bytes) => {
      calls.push(bytes);
      resolveSink();
    });
    const frames = Array.from({ length: 100 }, (_, i) => frame(i * 5, i));
    for (const f of frames) writer.write(f);
    expect(calls).to.have.length(0);
    expect(writer.pendingBytes).to.equal(frames.reduce((n, f) => n + varintSize(f.length) + f.length, 0));
    await within(sunk, 'the scheduled flush');
    // Give any stray second flush the chance to show up.
    await new Promise((r) => setImmediate(r));
    expect(calls).to.have.length(1);
    expect(decodeAll(calls[0])).to.deep.equal(frames);
    expect(writer.pendingBytes).to.equal(0);
  });

  it('schedules one flush per batch through the injected scheduler', () => {
    const sched = manualSchedule();
    const calls: Uint8Array[] = [];
    const writer = new FrameWriter((b) => calls.push(b), sched.schedule);
    writer.write(frame(3, 1));
    writer.write(frame(4, 2));
    expect(sched.queue).to.have.length(1);
    sched.run();
    expect(calls).to.have.length(1);
    expect(decodeAll(calls[0])).to.deep.equal([frame(3, 1), frame(4, 2)]);

    writer.write(frame(5, 3));
    expect(sched.queue).to.have.length(1);
    sched.run();
    expect(calls).to.have.length(2);
    expect(decodeAll(calls[1])).to.deep.equal([frame(5, 3)]);
  });

  it('flushes on demand; the scheduled flush then finds nothing', () => {
    const sched = manualSchedule();
    const calls: Uint8Array[] = [];
    const writer = new FrameWriter((b) => calls.push(b), sched.schedule);
    writer.write(frame(10, 1));
    writer.flush();
    expect(calls).to.have.length(1);
    expect(writer.pendingBytes).to.equal(0);
    // A write after the explicit flush rides on the flush already scheduled.
    writer.write(frame(2, 2));
    expect(sched.queue).to.have.length(1);
    sched.run();
    expect(calls).to.have.length(2);
    expect(decodeAll(calls[1])).to.deep.equal([frame(2, 2)]);
    sched.run();
    writer.flush();
    expect(calls).to.have.length(2);
  });

  it('does nothing when flushed with nothing pending', () => {
    const calls: Uint8Array[] = [];
    const writer = new FrameWriter((b) => calls.push(b), () => {});
    writer.flush();
    expect(calls).to.have.length(0);
  });

  it('never writes again into bytes handed to the sink', () => {
    const sched = manualSchedule();
    const calls: Uint8Array[] = [];
    const snapshots: Buffer[] = [];
    const writer = new FrameWriter((b) => {
      calls.push(b);
      snapshots.push(Buffer.from(b));
    }, sched.schedule);
    for (let batch = 0; batch < 50; batch++) {
      for (let i = 0; i < 20; i++) writer.write(frame(100 + batch * 37 + i, batch * 20 + i));
      sched.run();
    }
    expect(calls).to.have.length(50);
    calls.forEach((b, i) => expect(Buffer.compare(b, snapshots[i]), `batch ${i}`).to.equal(0));
  });

  it('grows for large batches and large frames', () => {
    const sched = manualSchedule();
    const calls: Uint8Array[] = [];
    const writer = new FrameWriter((b) => calls.push(b), sched.schedule);
    const frames = [frame(10, 1), frame(200_000, 2), frame(3, 3), frame(3_000_000, 4), frame(0, 5)];
    for (const f of frames) writer.write(f);
    sched.run();
    expect(calls).to.have.length(1);
    expect(decodeAll(calls[0])).to.deep.equal(frames);
    // And keeps working after dropping the big buffer.
    writer.write(frame(7, 6));
    sched.run();
    expect(decodeAll(calls[1])).to.deep.equal([frame(7, 6)]);
  });

  it('copies frames, so the caller may reuse its array', () => {
    const sched = manualSchedule();
    const calls: Uint8Array[] = [];
    const writer = new FrameWriter((b) => calls.push(b), sched.schedule);
    const reused = Uint8Array.of(1, 2, 3);
    writer.write(reused);
    reused.fill(9);
    writer.write(reused);
    sched.run();
    expect(decodeAll(calls[0]).map((f) => Array.from(f))).to.deep.equal([
      [1, 2, 3],
      [9, 9, 9],
    ]);
  });

  it('discard() drops the pending batch', () => {
    const sched = manualSchedule();
    const calls: Uint8Array[] = [];
    const writer = new FrameWriter((b) => calls.push(b), sched.schedule);
    writer.write(frame(5, 1));
    writer.discard();
    expect(writer.pendingBytes).to.equal(0);
    sched.run();
    expect(calls).to.have.length(0);
    writer.write(frame(6, 2));
    writer.flush();
    expect(decodeAll(calls[0])).to.deep.equal([frame(6, 2)]);
  });
});
