import { expect } from 'chai';
import * as sinon from 'sinon';
import { ConnectError } from '../../src/errors';
import { connectSocket } from '../../src/transport/node/socket-client';
import { listen } from '../../src/transport/node/socket-server';
import { parseUrl } from '../../src/transport/url';
import { rejection, Resources, uniqueLocalUrl, within } from './helpers';

const posixOnly = process.platform === 'win32' ? it.skip : it;

/** A loopback URL nobody listens on: a port that was just bound and released. */
async function closedPortUrl(): Promise<string> {
  const server = await listen(parseUrl('tcp://127.0.0.1:0'), () => {});
  await server.close();
  return server.url;
}

describe('transport/socket-client', () => {
  const res = new Resources();
  afterEach(() => res.closeAll());
  afterEach(() => sinon.restore());

  it('connects over tcp and leaves no listeners or timers behind', async () => {
    const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), (s) => res.socket(s)));
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const socket = res.socket(await within(connectSocket(parseUrl(server.url), { timeoutMs: 60_000 }), 'connect'));
    expect(clock.countTimers()).to.equal(0);
    clock.restore();
    expect(socket.listenerCount('error')).to.equal(0);
    expect(socket.listenerCount('connect')).to.equal(0);
    expect(socket.remotePort).to.equal((server.address as { port: number }).port);
  });

  posixOnly('connects over a local socket', async () => {
    const url = uniqueLocalUrl();
    res.server(await listen(parseUrl(url), (s) => res.socket(s)));
    const socket = res.socket(await within(connectSocket(parseUrl(url)), 'connect'));
    expect(socket.listenerCount('error')).to.equal(0);
  });

  it('rejects with a ConnectError naming the URL when nobody listens on the port', async () => {
    const url = await closedPortUrl();
    const err = (await rejection(connectSocket(parseUrl(url)), 'connect')) as ConnectError;
    expect(err).to.be.instanceOf(ConnectError);
    expect(err.code).to.equal('CONNECT_FAILED');
    expect(err.message).to.include(url).and.include('ECONNREFUSED');
  });

  posixOnly('rejects with a ConnectError (ENOENT) for a missing local socket', async () => {
    const url = uniqueLocalUrl();
    const err = (await rejection(connectSocket(parseUrl(url)), 'connect')) as ConnectError;
    expect(err).to.be.instanceOf(ConnectError);
    expect(err.message).to.include(url).and.include('ENOENT');
  });

  it('rejects with a ConnectError when the timeout passes first, and clears its timer', async () => {
    const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), (s) => res.socket(s)));
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pending = connectSocket(parseUrl(server.url), { timeoutMs: 50 });
    // Synchronously, before the connection can complete: the timeout wins.
    clock.tick(50);
    expect(clock.countTimers()).to.equal(0);
    clock.restore();
    const err = (await rejection(pending, 'connect')) as ConnectError;
    expect(err).to.be.instanceOf(ConnectError);
    expect(err.message).to.include(server.url).and.include('timed out after 50 ms');
  });

  it('rejects port 0 and a bad timeout', async () => {
    const err = (await rejection(connectSocket(parseUrl('tcp://127.0.0.1:0')), 'connect')) as ConnectError;
    expect(err).to.be.instanceOf(ConnectError);
    expect(err.message).to.include('tcp://127.0.0.1:0');
    for (const bad of [0, -1, NaN]) {
      const e = await rejection(connectSocket(parseUrl('tcp://127.0.0.1:1'), { timeoutMs: bad }), 'connect');
      expect(e).to.be.instanceOf(RangeError);
    }
  });
});
