import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectError, ListenError } from '../../src/errors';
import { connectSocket } from '../../src/transport/node/socket-client';
import { listen } from '../../src/transport/node/socket-server';
import { parseUrl } from '../../src/transport/url';
import { nextEvent, rejection, Resources, uniqueLocalUrl, within } from './helpers';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

function localPath(url: string): string {
  const addr = parseUrl(url);
  if (addr.scheme !== 'local') throw new Error('not local');
  return addr.path;
}

/** Leaves a socket file nobody listens on, the way a crashed host does: bind, then SIGKILL. */
async function deadSocketFile(socketPath: string): Promise<void> {
  const script = `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const [, signal] = await nextEvent(child, 'exit', 'the child to die');
  expect(signal).to.equal('SIGKILL');
  expect(fs.lstatSync(socketPath).isSocket(), 'a socket file is left behind').to.equal(true);
}

describe('transport/socket-server', () => {
  const res = new Resources();
  afterEach(() => res.closeAll());

  describe('tcp', () => {
    it('reports the port the OS chose for port 0, with the host as given', async () => {
      const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), () => {}));
      expect(server.url).to.match(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(server.address.scheme).to.equal('tcp');
      if (server.address.scheme === 'tcp') {
        expect(server.address.port).to.be.above(0);
        expect(server.url).to.equal(`tcp://127.0.0.1:${server.address.port}`);
      }
    });

    it('hands accepted sockets to onConnection, with Nagle off', async () => {
      let accepted!: (s: net.Socket) => void;
      const acceptedP = new Promise<net.Socket>((r) => (accepted = r));
      const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), accepted));
      const client = res.socket(await within(connectSocket(parseUrl(server.url)), 'connect'));
      const socket = await within(acceptedP, 'accept');
      res.socket(socket);
      expect(socket.remotePort).to.equal(client.localPort);
    });

    it('fails with a ListenError naming the URL when the port is in use', async () => {
      const first = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), () => {}));
      const err = (await rejection(listen(parseUrl(first.url), () => {}), 'second listen')) as ListenError;
      expect(err).to.be.instanceOf(ListenError);
      expect(err.code).to.equal('LISTEN_FAILED');
      expect(err.message).to.include(first.url).and.include('EADDRINUSE').and.include('address already in use');
      expect((err.cause as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
    });

    it('close() stops listening and destroys accepted sockets', async () => {
      const server = await listen(parseUrl('tcp://127.0.0.1:0'), () => {});
      res.add(() => server.close());
      const client = res.socket(await within(connectSocket(parseUrl(server.url)), 'connect'));
      client.on('error', () => {});
      const clientClosed = nextEvent(client, 'close', 'the client socket to close');
      await within(server.close(), 'server.close()');
      await clientClosed;
      const err = await rejection(connectSocket(parseUrl(server.url)), 'connect after close');
      expect(err).to.be.instanceOf(ConnectError);
    });

    it('close() is idempotent', async () => {
      const server = await listen(parseUrl('tcp://127.0.0.1:0'), () => {});
      const a = server.close();
      const b = server.close();
      expect(a).to.equal(b);
      await within(a, 'close');
      await within(server.close(), 'close again');
    });
  });

  posixOnly('local', () => {
    it('listens on the socket path and removes the file on close', async () => {
      const url = uniqueLocalUrl();
      const server = await listen(parseUrl(url), () => {});
      res.add(() => server.close());
      expect(server.url).to.equal(url);
      expect(fs.lstatSync(localPath(url)).isSocket()).to.equal(true);
      const client = res.socket(await within(connectSocket(parseUrl(url)), 'connect'));
      client.on('error', () => {});
      await within(server.close(), 'close');
      expect(fs.existsSync(localPath(url))).to.equal(false);
    });

    it('takes over a socket file left by a crashed host', async () => {
      const url = uniqueLocalUrl();
      const socketPath = localPath(url);
      res.add(() => fs.rmSync(socketPath, { force: true }));
      await deadSocketFile(socketPath);

      let accepted!: () => void;
      const acceptedP = new Promise<void>((r) => (accepted = r));
      const server = res.server(
        await listen(parseUrl(url), (s) => {
          res.socket(s);
          accepted();
        }),
      );
      res.socket(await within(connectSocket(parseUrl(url)), 'connect'));
      await within(acceptedP, 'accept');
      await server.close();
      expect(fs.existsSync(socketPath)).to.equal(false);
    });

    it('does not steal the address of a live host', async () => {
      const url = uniqueLocalUrl();
      res.server(await listen(parseUrl(url), (s) => res.socket(s)));
      const err = (await rejection(listen(parseUrl(url), () => {}), 'second listen')) as ListenError;
      expect(err).to.be.instanceOf(ListenError);
      expect(err.message).to.include(`another host is listening on ${url}`);
      // The first host still owns the address.
      expect(fs.lstatSync(localPath(url)).isSocket()).to.equal(true);
      res.socket(await within(connectSocket(parseUrl(url)), 'connect to the first host'));
    });

    it('refuses to remove a path that is not a socket', async () => {
      const url = uniqueLocalUrl();
      const filePath = localPath(url);
      fs.writeFileSync(filePath, 'precious');
      res.add(() => fs.rmSync(filePath, { force: true }));
      const err = (await rejection(listen(parseUrl(url), () => {}), 'listen')) as ListenError;
      expect(err).to.be.instanceOf(ListenError);
      expect(err.message).to.include(url).and.include('not a socket');
      expect(fs.readFileSync(filePath, 'utf8')).to.equal('precious');
    });

    it('names the missing directory', async () => {
      const dir = path.join(os.tmpdir(), `tsro-missing-${process.pid}`);
      const url = `local:${dir}/s`;
      const err = (await rejection(listen(parseUrl(url), () => {}), 'listen')) as ListenError;
      expect(err).to.be.instanceOf(ListenError);
      expect(err.message).to.include(url).and.include(`directory ${dir} does not exist`);
    });
  });
});
