import { expect } from 'chai';
import * as sinon from 'sinon';
import { ProtocolError } from '../../src/errors';
import { FrameDecoder } from '../../src/transport/frame-decoder';
import { varintSize, writeVarint } from '../../src/transport/varint';

function encode(frames: Uint8Array[]): Uint8Array {
  const total = frames.reduce((n, f) => n + varintSize(f.length) + f.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const f of frames) {
    pos = writeVarint(out, pos, f.length);
    out.set(f, pos);
    pos += f.length;
  }
  return out;
}

function frame(size: number, seed: number): Uint8Array {
  const f = new Uint8Array(size);
  for (let i = 0; i < size; i++) f[i] = (seed * 7 + i * 13) & 0xff;
  return f;
}

function collect(max = 1 << 20): { decoder: FrameDecoder; frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  // Copy, since a delivered frame may be a view of a chunk the test reuses.
  const decoder = new FrameDecoder(max, (f) => frames.push(Uint8Array.from(f)));
  return { decoder, frames };
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  expect.fail('expected a throw');
}

describe('transport/FrameDecoder', () => {
  afterEach(() => sinon.restore());

  // Sizes around the 1- and 2-byte prefix boundaries, plus empty frames.
  const mixed = [0, 1, 127, 128, 0, 129, 300, 5, 2].map((n, i) => frame(n, i));
  const mixedBytes = encode(mixed);

  it('decodes many frames from one chunk', () => {
    const many = Array.from({ length: 10000 }, (_, i) => frame(i % 7, i));
    const { decoder, frames } = collect();
    decoder.push(encode(many));
    expect(frames).to.deep.equal(many);
    expect(decoder.bufferedBytes).to.equal(0);
  });

  it('delivers frames inside one chunk without copying', () => {
    const chunk = encode([frame(3, 1), frame(200, 2)]);
    const views: Uint8Array[] = [];
    new FrameDecoder(1024, (f) => views.push(f)).push(chunk);
    expect(views).to.have.length(2);
    for (const v of views) expect(v.buffer).to.equal(chunk.buffer);
    expect(views[0].byteOffset).to.equal(1);
    expect(views[1].byteOffset).to.equal(1 + 3 + 2);
  });

  it('as { range }: hands on each frame as its place in the chunk, split at every point', () => {
    for (let cut = 0; cut <= mixedBytes.length; cut++) {
      const frames: Uint8Array[] = [];
      const chunks = [mixedBytes.slice(0, cut), mixedBytes.slice(cut)];
      const decoder = new FrameDecoder(1 << 20, {
        range: (buf, start, end) => {
          expect(start).to.be.within(0, end);
          expect(end).to.be.at.most(buf.length);
          frames.push(buf.slice(start, end));
        },
      });
      for (const c of chunks) decoder.push(c);
      expect(frames, `cut at ${cut}`).to.deep.equal(mixed);
    }
  });

  it('as { range }: a frame inside one chunk is not copied, nor viewed', () => {
    const chunk = encode([frame(3, 1), frame(200, 2)]);
    const seen: [Uint8Array, number, number][] = [];
    new FrameDecoder(1024, { range: (buf, start, end) => seen.push([buf, start, end]) }).push(chunk);
    expect(seen).to.deep.equal([[chunk, 1, 4], [chunk, 6, 206]]);
    expect(seen[0]![0]).to.equal(chunk);
  });

  it('decodes a multi-frame buffer split at every point', () => {
    for (let split = 0; split <= mixedBytes.length; split++) {
      const { decoder, frames } = collect();
      decoder.push(mixedBytes.subarray(0, split));
      decoder.push(mixedBytes.subarray(split));
      expect(frames, `split at ${split}`).to.deep.equal(mixed);
      expect(decoder.bufferedBytes).to.equal(0);
    }
  });

  it('decodes large frames split at every point near their prefixes and ends', () => {
    const large = [16383, 16384, 3, 70000].map((n, i) => frame(n, i));
    const bytes = encode(large);
    const points = new Set<number>();
    let pos = 0;
    for (const f of large) {
      for (let d = -2; d <= 4; d++) points.add(pos + d);
      pos += varintSize(f.length) + f.length;
      for (let d = -2; d <= 2; d++) points.add(pos + d);
    }
    for (const split of points) {
      if (split < 0 || split > bytes.length) continue;
      const { decoder, frames } = collect();
      decoder.push(bytes.subarray(0, split));
      decoder.push(bytes.subarray(split));
      expect(frames.length, `split at ${split}`).to.equal(large.length);
      frames.forEach((f, i) => expect(Buffer.compare(f, large[i]), `split at ${split}, frame ${i}`).to.equal(0));
    }
  });

  it('decodes a small buffer split at every pair of points', () => {
    const small = [0, 3, 130, 1].map((n, i) => frame(n, i));
    const bytes = encode(small);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const { decoder, frames } = collect();
        decoder.push(bytes.subarray(0, a));
        decoder.push(bytes.subarray(a, b));
        decoder.push(bytes.subarray(b));
        expect(frames, `split at ${a}, ${b}`).to.deep.equal(small);
      }
    }
  });

  it('decodes 1-byte chunks', () => {
    const { decoder, frames } = collect();
    for (let i = 0; i < mixedBytes.length; i++) decoder.push(mixedBytes.subarray(i, i + 1));
    expect(frames).to.deep.equal(mixed);
  });

  it('accepts empty chunks anywhere', () => {
    const { decoder, frames } = collect();
    const empty = new Uint8Array(0);
    decoder.push(empty);
    decoder.push(mixedBytes.subarray(0, 3));
    decoder.push(empty);
    decoder.push(mixedBytes.subarray(3));
    decoder.push(empty);
    expect(frames).to.deep.equal(mixed);
  });

  it('handles a length prefix split across chunks', () => {
    const body = frame(300, 9); // prefix 0xac 0x02
    const bytes = encode([body]);
    expect(bytes[0]).to.equal(0xac);
    const { decoder, frames } = collect();
    decoder.push(bytes.subarray(0, 1));
    expect(decoder.bufferedBytes).to.equal(1);
    expect(frames).to.have.length(0);
    decoder.push(bytes.subarray(1, 2));
    expect(decoder.bufferedBytes).to.equal(0);
    decoder.push(bytes.subarray(2));
    expect(frames).to.deep.equal([body]);
  });

  it('delivers a body that arrives whole in the chunk after its prefix without copying', () => {
    const body = frame(300, 4);
    const prefix = encode([body]).subarray(0, 2);
    const views: Uint8Array[] = [];
    const decoder = new FrameDecoder(1024, (f) => views.push(f));
    decoder.push(prefix);
    const chunk = Uint8Array.from(body);
    decoder.push(chunk);
    expect(views).to.have.length(1);
    expect(views[0].buffer).to.equal(chunk.buffer);
  });

  it('delivers zero-length frames as empty arrays', () => {
    const { decoder, frames } = collect();
    decoder.push(Uint8Array.of(0, 0, 1, 42, 0));
    expect(frames.map((f) => Array.from(f))).to.deep.equal([[], [], [42], []]);
    for (const f of frames) expect(f).to.be.instanceOf(Uint8Array);
  });

  it('joins a frame spanning many chunks with one allocation, reporting what it buffers', () => {
    const body = frame(65536, 3);
    const bytes = encode([body]);
    const alloc = sinon.spy(Buffer, 'allocUnsafe');
    const { decoder, frames } = collect();
    for (let i = 0; i < bytes.length - 1; i++) decoder.push(bytes.subarray(i, i + 1));
    expect(decoder.bufferedBytes).to.equal(bytes.length - 1 - 3);
    expect(frames).to.have.length(0);
    decoder.push(bytes.subarray(bytes.length - 1));
    expect(frames).to.have.length(1);
    expect(Buffer.compare(Buffer.from(frames[0]), Buffer.from(body))).to.equal(0);
    expect(alloc.callCount).to.equal(1);
    expect(alloc.firstCall.args[0]).to.equal(65536);
    expect(decoder.bufferedBytes).to.equal(0);
  });

  it('accepts a frame of exactly maxFrameSize', () => {
    const { decoder, frames } = collect(300);
    decoder.push(encode([frame(300, 1)]));
    expect(frames).to.have.length(1);
  });

  it('throws FRAME_TOO_LARGE as soon as a too-large prefix is read, without buffering the body', () => {
    const alloc = sinon.spy(Buffer, 'allocUnsafe');
    const onFrame = sinon.spy();
    const decoder = new FrameDecoder(1024, onFrame, 'tcp://127.0.0.1:9');
    // 2 GiB = 0x80000000: 80 80 80 80 08, the prefix alone, split in two.
    decoder.push(Uint8Array.of(0x80, 0x80, 0x80));
    const err = thrown(() => decoder.push(Uint8Array.of(0x80, 0x08))) as ProtocolError;
    expect(err).to.be.instanceOf(ProtocolError);
    expect(err.code).to.equal('FRAME_TOO_LARGE');
    expect(err.message).to.include('2147483648').and.include('1024').and.include('tcp://127.0.0.1:9');
    expect(decoder.bufferedBytes).to.equal(0);
    expect(alloc.called).to.equal(false);
    expect(onFrame.called).to.equal(false);
  });

  it('throws FRAME_TOO_LARGE for a one-byte prefix over a small limit', () => {
    const decoder = new FrameDecoder(10, () => {});
    const err = thrown(() => decoder.push(Uint8Array.of(11))) as ProtocolError;
    expect(err.code).to.equal('FRAME_TOO_LARGE');
  });

  it('throws PROTOCOL_ERROR for a 6-byte varint', () => {
    const decoder = new FrameDecoder(0xffffffff, () => {});
    const err = thrown(() => decoder.push(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00))) as ProtocolError;
    expect(err).to.be.instanceOf(ProtocolError);
    expect(err.code).to.equal('PROTOCOL_ERROR');
    expect(err.message).to.include('longer than 5 bytes');
  });

  it('throws PROTOCOL_ERROR for a 5-byte varint above 0xFFFFFFFF', () => {
    const decoder = new FrameDecoder(0xffffffff, () => {});
    const err = thrown(() => decoder.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f))) as ProtocolError;
    expect(err.code).to.equal('PROTOCOL_ERROR');
  });

  it('reads the largest 5-byte varint, 0xFFFFFFFF, exactly', () => {
    const decoder = new FrameDecoder(0xfffffffe, () => {});
    const err = thrown(() => decoder.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f))) as ProtocolError;
    expect(err.code).to.equal('FRAME_TOO_LARGE');
    expect(err.message).to.include('4294967295');
  });

  it('stays dead after an error, rethrowing it', () => {
    const { decoder, frames } = collect(10);
    const err = thrown(() => decoder.push(Uint8Array.of(1, 7, 200, 1)));
    expect(frames).to.have.length(1); // the frame before the bad prefix was delivered
    expect(thrown(() => decoder.push(Uint8Array.of(0)))).to.equal(err);
    expect(thrown(() => decoder.push(new Uint8Array(0)))).to.equal(err);
    expect(frames).to.have.length(1);
  });

  it('stays dead after onFrame throws, rethrowing that', () => {
    const boom = new Error('boom');
    const decoder = new FrameDecoder(10, () => {
      throw boom;
    });
    expect(thrown(() => decoder.push(Uint8Array.of(0, 0)))).to.equal(boom);
    expect(thrown(() => decoder.push(Uint8Array.of(0)))).to.equal(boom);
  });

  it('rejects a bad maxFrameSize', () => {
    for (const bad of [-1, 1.5, NaN, 2 ** 32]) {
      expect(() => new FrameDecoder(bad, () => {})).to.throw(RangeError);
    }
  });
});
