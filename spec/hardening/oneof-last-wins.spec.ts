// Oneof members are read as every protobuf implementation reads them: when a message carries
// several members of one oneof (or one member twice), the last one on the wire wins. Checked
// from a raw socket against a live host, on the hot path and the general one, and for the
// oneofs of API definitions.

import { expect } from 'chai';
import { Gadget, WAIT_MS, World, frame } from '../support/e2e';
import { within } from '../support/fixtures';
import { strictHost } from '../support/strict-child';
import { schema } from '../../src/protocol/schema';
import { typeFromMessage, type TypeRefMessage } from '../../src/protocol/api-codec';
import { decodeValue, type ValueMessage } from '../../src/protocol/value-codec';
import { ld } from '../support/raw-protobuf';
import { worldPerTest } from '../support/world-fixture';


/** Value{int: 5, string: "last"}: two members of Value.kind, the string last. */
const TWO_MEMBERS = Buffer.from([0x08, 0x0a, 0x1a, 0x04, ...Buffer.from('last')]);

describe('hardening: oneof members are read last-wins, as protobuf reads them', function () {
  this.timeout(30_000);

  const w = worldPerTest();

  // Finding 11: a Value carrying two oneof members was read first-wins.
  it('a slot argument with two Value members receives the last (hot Invoke decoder)', async () => {
    const host = await strictHost(w);
    const raw = await w.raw(host.url);
    const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
    raw.send(frame(ld(0x12, Buffer.concat([Buffer.from([0x08, id, 0x10, 0 /* echo */, 0x18, 9]), ld(0x22, TWO_MEMBERS)]))));
    const reply = await raw.packet('reply');
    expect(reply.reply!.serial).to.equal(9);
    expect(decodeValue(reply.reply!.value)).to.equal('last');
  });

  it('a property set with two Value members stores the last (general decoder)', async () => {
    const host = await strictHost(w);
    const raw = await w.raw(host.url);
    const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
    raw.send(frame(ld(0x2a, Buffer.concat([Buffer.from([0x08, id, 0x10, 0 /* anything */, 0x20, 3]), ld(0x1a, TWO_MEMBERS)]))));
    expect((await raw.packet('reply')).reply!.error ?? null).to.equal(null);
    const node = w.node({ reconnect: false });
    await node.connectToNode(host.url);
    const r = node.acquire(Gadget);
    expect(await r.waitForSource(WAIT_MS)).to.equal(true);
    expect(r.anything).to.equal('last');
  });

  it('a Packet carrying two kinds is the last one (a Ping, then an Invoke: the Invoke runs)', async () => {
    const host = await strictHost(w);
    const raw = await w.raw(host.url);
    const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
    const ping = ld(0x6a, Buffer.from([0x08, 0x07]));
    const invoke = ld(0x12, Buffer.concat([Buffer.from([0x08, id, 0x10, 3 /* twice */, 0x18, 4]), ld(0x22, Buffer.from([0x08, 42]))]));
    raw.send(frame(Buffer.concat([ping, invoke])));
    const reply = await raw.packet('reply');
    expect(reply.reply!.serial).to.equal(4);
    expect(decodeValue(reply.reply!.value)).to.equal(42);
    await within(raw.roundTrip(8), WAIT_MS, 'a round trip');
    expect(raw.packets.filter((p) => p.kind === 'pong').map((p) => p.pong!.nonce)).to.deep.equal([8]);
  });

  it('a nested Value and a TypeRef with two members read the last', () => {
    // A list whose item has two members.
    const list = ld(0x4a, ld(0x0a, TWO_MEMBERS));
    expect(decodeValue(schema.Value.decode(list) as unknown as ValueMessage)).to.deep.equal(['last']);
    // TypeRef{scalar: INT32, array: {scalar: STRING}}: the array is last.
    const typeRef = Buffer.concat([Buffer.from([0x08, 0x03]), ld(0x12, Buffer.from([0x08, 0x06]))]);
    expect(typeFromMessage(schema.TypeRef.decode(typeRef) as unknown as TypeRefMessage)).to.deep.equal({ array: 'string' });
    // The other order: the scalar is last.
    const reversed = Buffer.concat([ld(0x12, Buffer.from([0x08, 0x06])), Buffer.from([0x08, 0x03])]);
    expect(typeFromMessage(schema.TypeRef.decode(reversed) as unknown as TypeRefMessage)).to.equal('int32');
  });
});
