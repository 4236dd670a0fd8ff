import { expect } from 'chai';
import * as net from 'node:net';
import { DisconnectedError, ProtocolError, TsroError } from '../../src/errors';
import { DEFAULT_MAX_FRAME_SIZE, FrameChannel, type FrameChannelOptions } from '../../src/transport/node/frame-channel';
import { connectSocket } from '../../src/transport/node/socket-client';
import { listen, type SocketServer } from '../../src/transport/node/socket-server';
import { parseUrl } from '../../src/transport/url';
import { channelPair, nextEvent, Recorder, Resources, sampleFrames, uniqueLocalUrl, within } from './helpers';

function sameFrames(actual: Uint8Array[], expected: Uint8Array[]): void {
  expect(actual.length).to.equal(expected.length);
  actual.forEach((f, i) => expect(Buffer.compare(f, expected[i]), `frame ${i}`).to.equal(0));
}

/** One event-loop turn, so that anything wrongly scheduled would have happened. */
function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** A server whose accepted channels echo every frame back, recorded for the test to inspect. */
async function echoServer(
  res: Resources,
  url: string,
  options: Partial<FrameChannelOptions> = {},
): Promise<{ server: SocketServer; nextAccepted(): Promise<{ channel: FrameChannel; rec: Recorder }> }> {
  const waiting: Array<(a: { channel: FrameChannel; rec: Recorder }) => void> = [];
  const ready: Array<{ channel: FrameChannel; rec: Recorder }> = [];
  const server = res.server(
    await listen(parseUrl(url), (socket) => {
      const channel = res.channel(new FrameChannel(socket, { label: `${url} (accepted)`, ...options }));
      const rec = new Recorder(channel, (frame) => channel.send(frame));
      const entry = { channel, rec };
      const w = waiting.shift();
      if (w) w(entry);
      else ready.push(entry);
    }),
  );
  return {
    server,
    nextAccepted: () => {
      const r = ready.shift();
      return within(r ? Promise.resolve(r) : new Promise((resolve) => waiting.push(resolve)), 'accept');
    },
  };
}

async function rawSocket(res: Resources, url: string): Promise<net.Socket> {
  const socket = res.socket(await within(connectSocket(parseUrl(url)), 'raw connect'));
  socket.on('error', () => {});
  return socket;
}

const transports: Array<[string, () => string]> = [['tcp', () => 'tcp://127.0.0.1:0']];
if (process.platform !== 'win32') transports.push(['local', uniqueLocalUrl]);

describe('transport/FrameChannel', () => {
  const res = new Resources();
  afterEach(() => res.closeAll());

  it('defaults to a 16 MiB frame limit', async () => {
    expect(DEFAULT_MAX_FRAME_SIZE).to.equal(16 * 1024 * 1024);
    const { client } = await channelPair(res, 'tcp://127.0.0.1:0');
    expect(client.maxFrameSize).to.equal(DEFAULT_MAX_FRAME_SIZE);
  });

  for (const [name, makeUrl] of transports) {
    describe(`over ${name}`, () => {
      it('carries frames both ways, in order', async () => {
        const { client, accepted } = await channelPair(res, makeUrl());
        const toServer = sampleFrames(40);
        const toClient = sampleFrames(25).reverse();
        const clientRec = new Recorder(client);
        const serverRec = new Recorder(accepted);
        for (const f of toServer) expect(client.send(f)).to.equal(true);
        for (const f of toClient) expect(accepted.send(f)).to.equal(true);
        sameFrames(await serverRec.frameCount(toServer.length), toServer);
        sameFrames(await clientRec.frameCount(toClient.length), toClient);
      });

      it('echoes frames, a large one included', async () => {
        const { server } = await echoServer(res, makeUrl());
        const client = res.channel(
          new FrameChannel(res.socket(await within(connectSocket(parseUrl(server.url)), 'connect')), { label: server.url }),
        );
        const rec = new Recorder(client);
        const big = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
        const frames = [...sampleFrames(12), big, new Uint8Array(0)];
        for (const f of frames) client.send(f);
        sameFrames(await rec.frameCount(frames.length), frames);
      });

      it('close() sends what was queued, then reports undefined once; the peer sees a disconnect', async () => {
        const { client, accepted } = await channelPair(res, makeUrl());
        const clientRec = new Recorder(client);
        const serverRec = new Recorder(accepted);
        const frames = sampleFrames(50);
        for (const f of frames) client.send(f);
        client.close();
        expect(client.closed).to.equal(true);
        expect(client.send(frames[1])).to.equal(false);
        client.close();
        expect(await clientRec.closed()).to.equal(undefined);
        const peerReason = await serverRec.closed();
        sameFrames(serverRec.frames, frames);
        expect(peerReason).to.be.instanceOf(DisconnectedError);
        expect(peerReason!.code).to.equal('DISCONNECTED');
        expect(peerReason!.message).to.include(`${accepted.label} closed the connection`);
        expect(accepted.closed).to.equal(true);
        expect(accepted.send(frames[0])).to.equal(false);
        client.destroy(new DisconnectedError('late'));
        await turn();
        expect(clientRec.closes).to.deep.equal([undefined]);
        expect(serverRec.closes).to.have.length(1);
      });

      it('destroy(error) drops what was queued and reports that error once', async () => {
        const { client, accepted } = await channelPair(res, makeUrl());
        const clientRec = new Recorder(client);
        const serverRec = new Recorder(accepted);
        const reason = new DisconnectedError('going away', 'CLOSED');
        client.send(Uint8Array.of(1, 2, 3));
        client.destroy(reason);
        expect(client.closed).to.equal(true);
        expect(clientRec.closes, 'onClose is asynchronous').to.have.length(0);
        client.destroy(new DisconnectedError('second'));
        client.close();
        expect(await clientRec.closed()).to.equal(reason);
        expect(await serverRec.closed()).to.be.instanceOf(DisconnectedError);
        expect(serverRec.frames).to.have.length(0);
        await turn();
        expect(clientRec.closes).to.have.length(1);
        expect(serverRec.closes).to.have.length(1);
      });

      it('destroy() without an error reports undefined', async () => {
        const { client } = await channelPair(res, makeUrl());
        const rec = new Recorder(client);
        client.destroy();
        expect(await rec.closed()).to.equal(undefined);
      });

      it('destroy(error) after close() reports the error', async () => {
        const { client } = await channelPair(res, makeUrl());
        const rec = new Recorder(client);
        const reason = new DisconnectedError('changed my mind', 'CLOSED');
        client.close();
        client.destroy(reason);
        expect(await rec.closed()).to.equal(reason);
      });

      it('delivers no frame after close() is called from onFrame', async () => {
        const { client, accepted } = await channelPair(res, makeUrl());
        const rec = new Recorder(client, () => client.close());
        for (const f of sampleFrames(5)) accepted.send(f); // one batch, most likely one chunk
        await rec.closed();
        expect(rec.frames).to.have.length(1);
      });

      it('reports a DisconnectedError when the peer hangs up in the middle of a frame', async () => {
        const { server, nextAccepted } = await echoServer(res, makeUrl());
        const raw = await rawSocket(res, server.url);
        const { rec } = await nextAccepted();
        raw.end(Uint8Array.of(10, 1, 2, 3));
        const reason = await rec.closed();
        expect(reason).to.be.instanceOf(DisconnectedError);
        expect(reason!.message).to.include('in the middle of a frame');
      });

      for (const [kind, bytes, code, maxFrameSize] of [
        ['a 6-byte length prefix', [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 'PROTOCOL_ERROR', undefined],
        ['a length over the limit', [0x80, 0x80, 0x80, 0x80, 0x08], 'FRAME_TOO_LARGE', 1024],
      ] as const) {
        it(`closes only the connection that sent ${kind}, with ${code}`, async () => {
          const { server, nextAccepted } = await echoServer(res, makeUrl(), { maxFrameSize });
          const good = res.channel(
            new FrameChannel(res.socket(await within(connectSocket(parseUrl(server.url)), 'connect')), {
              label: server.url,
            }),
          );
          const goodRec = new Recorder(good);
          const goodSide = await nextAccepted();

          const bad = await rawSocket(res, server.url);
          const badSide = await nextAccepted();
          const badClosed = nextEvent(bad, 'close', 'the bad socket to be closed');
          bad.write(Uint8Array.from([0, ...bytes]));
          const reason = await badSide.rec.closed();
          expect(reason).to.be.instanceOf(ProtocolError);
          expect(reason!.code).to.equal(code);
          expect(reason!.message).to.include(badSide.channel.label);
          expect(badSide.rec.frames, 'the frame before the bad prefix').to.have.length(1);
          await badClosed;

          good.send(Uint8Array.of(4, 2));
          sameFrames(await goodRec.frameCount(1), [Uint8Array.of(4, 2)]);
          expect(goodSide.channel.closed).to.equal(false);
        });
      }

      it('refuses to send a frame over the limit, and stays open', async () => {
        const { client, accepted } = await channelPair(res, makeUrl(), { maxFrameSize: 100 });
        const serverRec = new Recorder(accepted);
        let caught: unknown;
        try {
          client.send(new Uint8Array(101));
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(ProtocolError);
        expect((caught as ProtocolError).code).to.equal('FRAME_TOO_LARGE');
        expect((caught as ProtocolError).message).to.include(client.label);
        expect(client.closed).to.equal(false);
        client.send(new Uint8Array(100));
        expect((await serverRec.frameCount(1))[0]).to.have.length(100);
      });

      it('closes with a PROTOCOL_ERROR when onFrame throws', async () => {
        const { client, accepted } = await channelPair(res, makeUrl());
        const boom = new Error('cannot decode');
        const rec = new Recorder(accepted, () => {
          throw boom;
        });
        client.send(Uint8Array.of(1));
        const reason = await rec.closed();
        expect(reason).to.be.instanceOf(ProtocolError);
        expect(reason!.code).to.equal('PROTOCOL_ERROR');
        expect(reason!.message).to.include('cannot decode').and.include(accepted.label);
        expect(reason!.cause).to.equal(boom);
      });

      it('passes on a TsroError thrown by onFrame as it is', async () => {
        const { client, accepted } = await channelPair(res, makeUrl());
        const mismatch = new ProtocolError('PROTOCOL_MISMATCH', 'version 9');
        const rec = new Recorder(accepted, () => {
          throw mismatch;
        });
        client.send(Uint8Array.of(1));
        expect(await rec.closed()).to.equal(mismatch);
      });

      it('reports CLOSED when the server is closed under an accepted channel', async () => {
        const { server, client, accepted } = await channelPair(res, makeUrl());
        const clientRec = new Recorder(client);
        const serverRec = new Recorder(accepted);
        await within(server.close(), 'server.close()');
        const reason = await serverRec.closed();
        expect(reason).to.be.instanceOf(DisconnectedError);
        expect(reason!.code).to.equal('CLOSED');
        expect(reason!.message).to.include(accepted.label);
        const peer = await clientRec.closed();
        expect(peer).to.be.instanceOf(DisconnectedError);
        expect(peer!.code).to.equal('DISCONNECTED');
      });

      it('reports an already destroyed socket asynchronously', async () => {
        const { server } = await echoServer(res, makeUrl());
        const socket = await rawSocket(res, server.url);
        socket.destroy();
        const channel = new FrameChannel(socket, { label: server.url });
        const rec = new Recorder(channel);
        expect(channel.closed).to.equal(true);
        expect(channel.send(Uint8Array.of(1))).to.equal(false);
        const reason = await rec.closed();
        expect(reason).to.be.instanceOf(DisconnectedError);
        expect(reason!.message).to.include(server.url);
      });
    });
  }

  it('reports ECONNRESET as a DisconnectedError naming the label', async () => {
    let acceptedSocket!: (s: net.Socket) => void;
    const acceptedP = new Promise<net.Socket>((r) => (acceptedSocket = r));
    const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), (s) => acceptedSocket(res.socket(s))));
    const client = res.channel(
      new FrameChannel(res.socket(await within(connectSocket(parseUrl(server.url)), 'connect')), { label: server.url }),
    );
    const rec = new Recorder(client);
    (await within(acceptedP, 'accept')).resetAndDestroy();
    const reason = await rec.closed();
    expect(reason).to.be.instanceOf(DisconnectedError);
    expect(reason).to.be.instanceOf(TsroError);
    expect(reason!.code).to.equal('DISCONNECTED');
    expect(reason!.message).to.include(server.url).and.include('ECONNRESET');
  });

  it('names the peer address in remoteLabel for tcp and falls back to the label', async () => {
    const tcp = await channelPair(res, 'tcp://127.0.0.1:0');
    expect(tcp.client.remoteLabel).to.equal(tcp.server.url);
    expect(tcp.accepted.remoteLabel).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    if (process.platform !== 'win32') {
      const url = uniqueLocalUrl();
      const local = await channelPair(res, url);
      expect(local.client.remoteLabel).to.equal(url);
    }
  });
});
