// One value budget per frame, on every decoding path, scalars included: attacks from a raw
// socket on a host in its own process (strict unhandled rejections, a 256 MB heap), which must
// refuse the frame (Goodbye PROTOCOL_ERROR, that connection only) and keep serving.

import { expect } from 'chai';
import { DEFAULT_MAX_VALUES_PER_FRAME } from '../../src/protocol/frame-cost';
import { World, frame, type RawClient } from '../support/e2e';
import { strictHost, type StrictHost } from '../support/strict-child';
import { ld, repeat, varint } from '../support/raw-protobuf';
import { worldPerTest } from '../support/world-fixture';




/** A Value: a list of n empty Maps (4 bytes each on the wire). */
function mapsValue(n: number): Buffer {
  return ld(0x4a, repeat(Buffer.from([0x0a, 0x02, 0x5a, 0x00]), n));
}

describe('hardening: one value budget per frame, scalars included', function () {
  this.timeout(60_000);

  const w = worldPerTest();

  async function attack(host: StrictHost, body: (id: number) => Buffer): Promise<RawClient> {
    const raw = await w.raw(host.url);
    const list = await raw.handshake();
    const id = list.sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
    raw.send(frame(body(id)));
    return raw;
  }

  async function expectRefused(host: StrictHost, raw: RawClient): Promise<void> {
    await raw.whenClosed(30_000);
    const goodbye = raw.packets.find((p) => p.kind === 'goodbye');
    expect(goodbye?.goodbye?.error?.code, 'Goodbye').to.equal('PROTOCOL_ERROR');
    expect(goodbye?.goodbye?.error?.message).to.match(/more than \d+ values/);
    expect(raw.packets.some((p) => p.kind === 'reply'), 'the slot never ran').to.equal(false);
    await host.expectServing();
  }

  // Finding 2: the fast Invoke decoder applied the budget per argument. 16 arguments, each a
  // list of maps within the budget alone, are together far over it.
  it('an Invoke whose arguments are each within the budget but together over it is refused', async () => {
    const host = await strictHost(w, { execArgv: ['--max-old-space-size=256'] });
    const perArg = Math.floor(DEFAULT_MAX_VALUES_PER_FRAME / 8); // 1/8 of the budget in units, ~6x that in cost
    const args = Buffer.concat(Array.from({ length: 16 }, () => ld(0x22, mapsValue(Math.floor(perArg / 6)))));
    const raw = await attack(host, (id: number) => ld(0x12, Buffer.concat([Buffer.from([0x08, id, 0x10, 0 /* echo */, 0x18, 1]), args])));
    await expectRefused(host, raw);
  });

  // Finding 2: lone scalar arguments cost nothing on the fast decoder.
  it('an Invoke of more scalar arguments than the budget is refused', async () => {
    const host = await strictHost(w);
    const args = repeat(Buffer.from([0x22, 0x02, 0x08, 0x01]), DEFAULT_MAX_VALUES_PER_FRAME + 1);
    const raw = await attack(host, (id: number) => ld(0x12, Buffer.concat([Buffer.from([0x08, id, 0x10, 0, 0x18, 1]), args])));
    await expectRefused(host, raw);
  });

  // Finding 3: one 4 MiB SetProperty holding a list of 1M empty maps kept ~200 MB; a host with
  // a 256 MB heap aborted. Maps are weighted by what they cost: this frame is over the budget.
  it('a 4 MiB SetProperty of 1M empty maps is refused by a host with a 256 MB heap, which lives', async () => {
    const host = await strictHost(w, { execArgv: ['--max-old-space-size=256'] });
    const value = mapsValue(1_000_000);
    const raw = await attack(host, (id: number) => ld(0x2a, Buffer.concat([Buffer.from([0x08, id, 0x10, 0 /* anything */, 0x20, 1]), ld(0x1a, value)])));
    await expectRefused(host, raw);
  });

  it('the largest admitted frame of empty maps is decoded and answered, and the host lives', async () => {
    const host = await strictHost(w, { execArgv: ['--max-old-space-size=256'] });
    // The list costs 3, each map 1 + 5 + 1 (its list item): within the budget.
    const n = Math.floor((DEFAULT_MAX_VALUES_PER_FRAME - 3) / 6);
    const raw = await attack(host, (id: number) => ld(0x12, Buffer.concat([Buffer.from([0x08, id, 0x10, 0, 0x18, 1]), ld(0x22, mapsValue(n))])));
    const reply = await raw.packet('reply', 30_000);
    expect(reply.reply!.error ?? null, 'echoed').to.equal(null);
    await host.expectServing();
  });
});
