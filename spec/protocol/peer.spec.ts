// Peer on its own: one conversation over an in-memory frame link (no socket, no node or host).
// The handshake both ways, packets after it, Ping answered by the peer itself, a Goodbye turned
// back into the error class its code names, version and order checks, the credential, and the
// frame-size limit the other side announces.

import { expect } from 'chai';
import { AuthError, DisconnectedError, LimitError, ProtocolError } from '../../src/errors';
import { decodeValue, encodeValue } from '../../src/protocol/value-codec';
import { channelPair, FrameRecorder, RecordedPeer } from '../support/links';
import { within } from '../support/fixtures';

/** A peer labelled 'b' whose conversation with a raw frame recorder is open (both handshakes done). */
async function openWithRawPeer(): Promise<{ a: RecordedPeer; raw: FrameRecorder }> {
  const [x, y] = channelPair();
  const a = new RecordedPeer(x, 'b');
  const raw = new FrameRecorder(y);
  a.peer.start();
  raw.handshake();
  await a.opened;
  return { a, raw };
}

describe('Peer (in memory)', () => {
  it('opens once both handshakes are in, then carries packets both ways', async () => {
    const [x, y] = channelPair();
    const a = new RecordedPeer(x, 'b');
    const b = new RecordedPeer(y, 'a');
    a.peer.start();
    b.peer.start();
    await within(Promise.all([a.opened, b.opened]), 2000, 'both peers to open');
    expect(a.peer.isOpen && b.peer.isOpen).to.equal(true);
    a.peer.send({ sourceList: { sources: [{ id: 1, name: 'P', typeName: 'P', signature: 's' }] } });
    const list = await b.next('sourceList');
    expect(list.sourceList?.sources?.[0]?.name).to.equal('P');
    b.peer.send({ sourceRemoved: { source: 1 } });
    expect((await a.next('sourceRemoved')).sourceRemoved?.source).to.equal(1);
    a.peer.close();
    expect(await within(b.closed, 2000, 'b to close')).to.be.instanceOf(DisconnectedError);
    expect(await within(a.closed, 2000, 'a to close')).to.equal(undefined);
  });

  it('answers a Ping with a Pong of the same nonce by itself, without telling its owner', async () => {
    const [x, y] = channelPair();
    const a = new RecordedPeer(x, 'b');
    const raw = new FrameRecorder(y);
    a.peer.start();
    await raw.next('handshake');
    raw.handshake();
    await a.opened;
    raw.send({ ping: { nonce: 77 } });
    expect((await raw.next('pong')).pong?.nonce).to.equal(77);
    expect(a.packets.map((p) => p.kind)).to.deep.equal([]);
  });

  it('carries the credential in the handshake', async () => {
    const [x, y] = channelPair();
    const a = new RecordedPeer(x, 'b', { credential: { token: 'secret', n: 3 } });
    const b = new RecordedPeer(y, 'a');
    a.peer.start();
    b.peer.start();
    await Promise.all([a.opened, b.opened]);
    expect(b.peer.peerCredential).to.deep.equal({ token: 'secret', n: 3 });
    expect(a.peer.peerCredential).to.equal(undefined);
  });

  it('refuses another protocol version with PROTOCOL_MISMATCH, and says so in a Goodbye', async () => {
    const [x, y] = channelPair();
    const a = new RecordedPeer(x, 'b');
    const raw = new FrameRecorder(y);
    a.peer.start();
    raw.handshake(99);
    const error = await within(a.closed, 2000, 'the peer to close');
    expect(error).to.be.instanceOf(ProtocolError).with.property('code', 'PROTOCOL_MISMATCH');
    const goodbye = await raw.next('goodbye');
    expect(goodbye.goodbye?.error?.code).to.equal('PROTOCOL_MISMATCH');
    expect(goodbye.goodbye?.error?.message).to.match(/version 99/);
  });

  it('refuses a packet before the handshake with PROTOCOL_ERROR', async () => {
    const [x, y] = channelPair();
    const a = new RecordedPeer(x, 'b');
    const raw = new FrameRecorder(y);
    a.peer.start();
    raw.send({ sourceRemoved: { source: 1 } });
    const error = await within(a.closed, 2000, 'the peer to close');
    expect(error).to.be.instanceOf(ProtocolError).with.property('code', 'PROTOCOL_ERROR');
    expect(error!.message).to.match(/before its handshake/);
  });

  for (const [code, cls] of [
    ['AUTH_FAILED', AuthError],
    ['LIMIT_EXCEEDED', LimitError],
    ['PROTOCOL_ERROR', ProtocolError],
    ['CLOSED', DisconnectedError],
  ] as const) {
    it(`reports a Goodbye of code ${code} as a ${cls.name}`, async () => {
      const { a, raw } = await openWithRawPeer();
      raw.send({ goodbye: { error: { code, name: 'X', message: 'because' } } });
      const error = await within(a.closed, 2000, 'the peer to close');
      expect(error).to.be.instanceOf(cls).with.property('code', code);
      expect(error!.message).to.equal('b closed the connection: because');
    });
  }

  it('reports a Goodbye with a code that is no connection-level code as DISCONNECTED', async () => {
    const { a, raw } = await openWithRawPeer();
    raw.send({ goodbye: { error: { code: 'TYPE_MISMATCH', name: 'X', message: 'odd' } } });
    expect(await within(a.closed, 2000, 'the peer to close')).to.be.instanceOf(DisconnectedError).with.property('code', 'DISCONNECTED');
  });

  it('refuses to send a frame over the size the other side announced, sending nothing', async () => {
    const [x, y] = channelPair();
    const a = new RecordedPeer(x, 'b');
    const b = new RecordedPeer(y, 'a', { maxFrameSize: 200 });
    a.peer.start();
    b.peer.start();
    await Promise.all([a.opened, b.opened]);
    const big = encodeValue('x'.repeat(500), 'a test value');
    expect(() => a.peer.send({ propertyChange: { source: 1, index: 0, value: big } }))
      .to.throw(ProtocolError)
      .with.property('code', 'FRAME_TOO_LARGE');
    a.peer.send({ propertyChange: { source: 1, index: 0, value: encodeValue('small', 'v') } });
    const change = await b.next('propertyChange');
    expect(decodeValue(change.propertyChange!.value!)).to.equal('small');
  });
});
