// Bad input to a model host from a peer speaking the protocol by hand: requests for a source
// that is not a model, before acquiring, too many rows, unknown fields, out-of-range and
// wrongly typed row sets. Each is refused with a code in a RowsReply and changes nothing; a node
// sending host-only model packets is closed with PROTOCOL_ERROR. The host keeps serving.

import { expect } from 'chai';
import { ListModel, type Host } from '../../src/index';
import type { DecodedPacket, PacketMessage } from '../../src/protocol/messages';
import { TCP_ANY } from '../support/fixtures';
import { Counter, World, WAIT_MS, bindingOf, type RawClient } from '../support/e2e';

describe('models: bad input from a peer', () => {
  let w: World;
  let host: Host;
  let model: ListModel<string>;
  let raw: RawClient;
  let modelId: number;
  let nonce = 0;

  beforeEach(async () => {
    w = new World();
    host = await w.host(TCP_ANY);
    model = new ListModel<string>('string');
    model.push('a', 'b', 'c');
    host.enableRemoting(model, 'M');
    host.enableRemoting(new Counter(), 'Counter');
    raw = await w.raw(host.hostUrl);
    await raw.handshake();
    modelId = bindingOf(host, 'M')!.id;
  });

  afterEach(() => w.close());

  /** Sends `p`, then waits for the reply to request `request` (the host answers in order). */
  async function ask(p: PacketMessage, request: number): Promise<DecodedPacket> {
    raw.sendPacket(p);
    await raw.roundTrip(++nonce);
    const reply = raw.packets.find((x) => x.kind === 'rowsReply' && x.rowsReply!.request === request);
    if (!reply) throw new Error(`no reply to request ${request}`);
    return reply;
  }

  async function acquire(): Promise<void> {
    raw.sendPacket({ acquire: { source: modelId } });
    const init = await raw.packet('modelInit', WAIT_MS);
    expect(init.modelInit!.count).to.equal(3);
  }

  it('refuses a request for a source that is not a model, or for no source', async () => {
    const counterId = bindingOf(host, 'Counter')!.id;
    let r = await ask({ rowsRequest: { source: counterId, request: 1, start: 0, count: 1 } }, 1);
    expect(r.rowsReply!.error!.code).to.equal('UNKNOWN_SOURCE');
    r = await ask({ rowSet: { source: 999, request: 2, index: 0, row: { string: 'x' } } }, 2);
    expect(r.rowsReply!.error!.code).to.equal('UNKNOWN_SOURCE');
  });

  it('refuses rows to a node that has not acquired the model', async () => {
    const r = await ask({ rowsRequest: { source: modelId, request: 1, start: 0, count: 1 } }, 1);
    expect(r.rowsReply!.error!.code).to.equal('NOT_VALID');
  });

  it('refuses too many rows and unknown fields; answers past the end with no rows', async () => {
    await acquire();
    let r = await ask({ rowsRequest: { source: modelId, request: 1, start: 0, count: 0xffffffff, cacheSize: 0xffffffff } }, 1);
    expect(r.rowsReply!.error!.code).to.equal('LIMIT_EXCEEDED');
    r = await ask({ rowsRequest: { source: modelId, request: 2, start: 0, count: 1, fields: ['x'] } }, 2);
    expect(r.rowsReply!.error!.code).to.equal('UNKNOWN_MEMBER');
    r = await ask({ rowsRequest: { source: modelId, request: 3, start: 0xfffffff0, count: 100, cacheSize: 0xffffffff } }, 3);
    expect(r.rowsReply!.error ?? null).to.equal(null);
    expect(r.rowsReply!.rows ?? []).to.have.length(0);
    r = await ask({ rowsRequest: { source: modelId, request: 4, start: 1, count: 100, cacheSize: 0xffffffff } }, 4);
    expect((r.rowsReply!.rows ?? []).map((v) => v.string)).to.deep.equal(['b', 'c']);
  });

  it('refuses out-of-range and wrongly typed row sets, changing nothing', async () => {
    await acquire();
    let r = await ask({ rowSet: { source: modelId, request: 1, index: 3, row: { string: 'x' } } }, 1);
    expect(r.rowsReply!.error!.code).to.equal('OUT_OF_RANGE');
    r = await ask({ rowSet: { source: modelId, request: 2, index: 0, row: { int: 5 } } }, 2);
    expect(r.rowsReply!.error!.code).to.equal('TYPE_MISMATCH');
    r = await ask({ rowSet: { source: modelId, request: 3, index: 0 } }, 3);
    expect(r.rowsReply!.error!.code).to.equal('TYPE_MISMATCH');
    expect(model.toArray()).to.deep.equal(['a', 'b', 'c']);
    r = await ask({ rowSet: { source: modelId, request: 4, index: 1, row: { string: 'B' } } }, 4);
    expect(r.rowsReply!.error ?? null).to.equal(null);
    expect(model.toArray()).to.deep.equal(['a', 'B', 'c']);
  });

  it('refuses sets of a read-only model with READONLY', async () => {
    const ro = new ListModel<string>('string', { readonly: true });
    ro.push('a');
    host.enableRemoting(ro, 'RO');
    const r = await ask({ rowSet: { source: bindingOf(host, 'RO')!.id, request: 1, index: 0, row: { string: 'x' } } }, 1);
    expect(r.rowsReply!.error!.code).to.equal('READONLY');
    expect(ro.at(0)).to.equal('a');
  });

  it('closes a node that sends host-only model packets, and keeps serving others', async () => {
    raw.sendPacket({ rowsInserted: { source: modelId, start: 0, count: 1 } });
    const bye = await raw.packet('goodbye', WAIT_MS);
    expect(bye.goodbye!.error!.code).to.equal('PROTOCOL_ERROR');
    await raw.whenClosed();
    const node = await w.connectedNode(host);
    const m = node.acquireModel<string>('M');
    expect(await m.waitForSource(WAIT_MS)).to.equal(true);
    expect(await m.fetch(0, 3)).to.deep.equal(['a', 'b', 'c']);
  });
});
