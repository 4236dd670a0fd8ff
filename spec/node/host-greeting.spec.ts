// A node that connects to something other than a tsro host (an HTTP server, a server that greets
// with a banner, one that sends binary) is told so at the first bytes it receives, with what the
// other end sent, instead of waiting out its connect timeout or reading "closed in the middle of
// a frame". The CLI says the same and exits at once. A real host whose greeting arrives one byte
// at a time still connects.

import { expect } from 'chai';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ProtocolError, Host, Node, silentLogger } from '../../src/index';
import { encodePacket } from '../../src/protocol/packet-codec';
import { checkHostGreeting, GOODBYE_TAG, HANDSHAKE_TAG } from '../../src/protocol/host-greeting';
import { TCP_ANY, within } from '../support/fixtures';
import { runNode } from '../support/run-node';
import { ExitCode } from '../../src/cli/failure';

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

/** A tcp server on loopback that runs `onSocket` for each connection; closed by the returned function. */
async function server(onSocket: (socket: net.Socket) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    url: `tcp://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => srv.close(() => resolve()));
    },
  };
}

describe('a node connecting to something that is not a tsro host', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  /** connectToNode with a connect timeout far longer than the test's: the answer must come at once. */
  async function connectFails(url: string): Promise<ProtocolError> {
    const node = new Node({ logger: silentLogger, connectTimeout: 60_000 });
    cleanups.push(() => node.close());
    const err: unknown = await within(node.connectToNode(url).then(
      () => undefined,
      (e: unknown) => e,
    ), 3000, 'connectToNode to fail');
    expect(err).to.be.instanceOf(ProtocolError);
    expect((err as ProtocolError).code).to.equal('PROTOCOL_ERROR');
    return err as ProtocolError;
  }

  it('an HTTP server: PROTOCOL_ERROR at once, quoting its reply', async () => {
    const srv = http.createServer((_req, res) => res.end('hello'));
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    }));
    const url = `tcp://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const err = await connectFails(url);
    expect(err.message).to.match(new RegExp(`^${url.replace(/[.]/g, '\\.')} is not a tsro host: it sent "HTTP/1\\.1 400 Bad Request`));
  });

  it('a server that greets with a banner and waits: PROTOCOL_ERROR at once, not after the connect timeout', async () => {
    const srv = await server((socket) => socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    cleanups.push(srv.close);
    const err = await connectFails(srv.url);
    expect(err.message).to.include('is not a tsro host: it sent "SSH-2.0-OpenSSH_9.2p1 Debian-2\\r\\n"');
  });

  it('a server that sends binary: the error shows its first bytes in hex', async () => {
    const srv = await server((socket) => socket.write(Buffer.from([0x05, 0x01, 0x00, 0xff, 0x10])));
    cleanups.push(srv.close);
    const err = await connectFails(srv.url);
    expect(err.message).to.include('is not a tsro host: it sent bytes 05 01 00 ff 10 where a tsro handshake begins');
  });

  it('the tsro command names it and exits with the connection exit code at once', async () => {
    const srv = await server((socket) => socket.write('220 mail.example.com ESMTP Postfix\r\n'));
    cleanups.push(srv.close);
    const run = await runNode([MAIN, 'list', srv.url], { killAfterMs: 8000 });
    expect(run.signal, run.stderr).to.equal(null);
    expect(run.code, run.stderr).to.equal(ExitCode.CONNECTION);
    expect(run.stderr).to.include(`${srv.url} is not a tsro host: it sent "220 mail.example.com ESMTP Postfix\\r\\n"`);
  });

  it('a real host whose greeting arrives one byte at a time still connects', async () => {
    const host = new Host(TCP_ANY, { logger: silentLogger });
    cleanups.push(() => host.close());
    await host.listening;
    const target = new URL(host.hostUrl);
    // A proxy that forwards the host's bytes to the node one at a time, each in its own write.
    const proxy = await server((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        upstream.pause();
        let i = 0;
        const next = (): void => {
          if (i === chunk.length) {
            upstream.resume();
            return;
          }
          client.write(chunk.subarray(i, ++i), () => setImmediate(next));
        };
        next();
      });
    });
    cleanups.push(proxy.close);
    const node = new Node({ logger: silentLogger });
    cleanups.push(() => node.close());
    await within(node.connectToNode(proxy.url), 5000, 'connectToNode through the byte-by-byte proxy');
  });
});

describe('checkHostGreeting', () => {
  it('knows the tags a host starts with: Handshake and Goodbye, as the codec writes them', () => {
    expect(encodePacket({ handshake: { version: 2 } })[0]).to.equal(HANDSHAKE_TAG);
    expect(encodePacket({ goodbye: {} })[0]).to.equal(GOODBYE_TAG);
  });

  it('accepts the start of a handshake frame, and anything too short to tell', () => {
    const frame = encodePacket({ handshake: { version: 2, agent: 'tsro' } });
    const head = Uint8Array.of(frame.length, ...frame);
    for (let n = 0; n <= head.length; n++) expect(checkHostGreeting(head.subarray(0, n), 'h'), `first ${n} bytes`).to.equal(undefined);
    expect(checkHostGreeting(Uint8Array.of(0x80, 0x80), 'h')).to.equal(undefined);
  });

  it('accepts the start of a Goodbye frame (a host that refuses the connection)', () => {
    const frame = encodePacket({ goodbye: { error: { code: 'LIMIT_EXCEEDED', message: 'full' } } });
    const head = Uint8Array.of(frame.length, ...frame);
    for (let n = 0; n <= head.length; n++) expect(checkHostGreeting(head.subarray(0, n), 'h'), `first ${n} bytes`).to.equal(undefined);
  });

  it('refuses any other tag, an empty first frame, a length prefix that never ends, a packet length that does not fill the frame, another first field', () => {
    expect(checkHostGreeting(Uint8Array.of(2, 0x6a, 0), 'h')?.message).to.match(/^h is not a tsro host/);
    expect(checkHostGreeting(Uint8Array.of(5, HANDSHAKE_TAG, 2, 0x08, 2), 'h')).to.be.instanceOf(ProtocolError);
    // "220 " (an SMTP greeting): length 50, the Handshake tag, a packet length that fits, then not the version field.
    expect(checkHostGreeting(new TextEncoder().encode('220 mail.example.com ESMTP\r\n'), 'h')).to.be.instanceOf(ProtocolError);
    expect(checkHostGreeting(Uint8Array.of(0, HANDSHAKE_TAG), 'h')).to.be.instanceOf(ProtocolError);
    expect(checkHostGreeting(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 'h')).to.be.instanceOf(ProtocolError);
  });
});
