// What is particular to ws:// and wss:// (the suites over transports() run everything else over
// WebSocket too): attaching a host to an application's HTTP server, the origin allow-list, wss,
// large values split over messages, and every kind of bad input a WebSocket can bring.

import { expect } from 'chai';
import * as http from 'node:http';
import * as net from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { Host, Node, RegistryHost, type Replica } from '../../src/index';
import { parseUrl } from '../../src/transport/url';
import { checkWholeFrames, splitIntoMessages, MAX_BATCH_MESSAGE_BYTES, WEBSOCKET_SUBPROTOCOL } from '../../src/transport/websocket-messages';
import { testCerts } from '../support/certs';
import { WS_ANY } from '../support/fixtures';
import { expectTsro, frame, handshakeFrame, rejectionOf, WAIT_MS, World } from '../support/e2e';
import { Printer } from '../support/printer';
import { nextEvent } from '../../src/testing';
import { worldPerTest } from '../support/world-fixture';

describe('WebSocket (ws://, wss://)', function () {
  this.timeout(10_000);
  const w = worldPerTest();

  async function httpServer(handler: http.RequestListener = (_req, res) => res.end('page')): Promise<http.Server> {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    w.defer(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return server;
  }

  function portOf(server: net.Server | WebSocketServer): number {
    return (server.address() as net.AddressInfo).port;
  }

  async function validPrinter(node: Node): Promise<Replica<Printer>> {
    const r = node.acquire(Printer);
    expect(await r.waitForSource(WAIT_MS)).to.equal(true);
    return r;
  }

  /** Opens a plain `ws` client; resolves with it once open, or with the HTTP status it was refused with. */
  function wsClient(url: string, options: { origin?: string; protocols?: string[] } = {}): Promise<WebSocket | number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [WEBSOCKET_SUBPROTOCOL], { origin: options.origin });
      w.defer(() => ws.terminate());
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  describe('URLs', () => {
    it('parse with a path, a query and default ports, and print canonically', () => {
      expect(parseUrl('ws://127.0.0.1:8080/tsro')).to.deep.equal({ scheme: 'ws', host: '127.0.0.1', port: 8080, path: '/tsro', url: 'ws://127.0.0.1:8080/tsro' });
      expect(parseUrl('ws://example.com')).to.include({ port: 80, path: '/', url: 'ws://example.com:80/' });
      expect(parseUrl('wss://example.com/a/b?x=1')).to.include({ scheme: 'wss', port: 443, path: '/a/b?x=1' });
      expect(parseUrl('WS://[::1]:9/p')).to.include({ host: '::1', url: 'ws://[::1]:9/p' });
      expect(parseUrl('ws://h:1?q')).to.include({ path: '/?q' });
    });

    it('refuse credentials, fragments, bad paths, hosts and ports with URL_INVALID naming the URL', () => {
      for (const url of ['ws://u:p@h:1/', 'ws://h:1/#f', 'ws://h:1/a b', 'ws://:1/', 'ws://h:99999/', 'ws://::1:9/', 'ws:h:1', 'wss://h:x/']) {
        let err: unknown;
        try {
          parseUrl(url);
        } catch (e) {
          err = e;
        }
        expect(expectTsro(err, 'URL_INVALID').message, url).to.include(JSON.stringify(url));
      }
    });
  });

  describe('messages', () => {
    it('a batch over the message size is split at frame boundaries, and every part is whole frames', () => {
      const frames = [frame(new Uint8Array(700_000).fill(1)), frame(new Uint8Array(10)), frame(new Uint8Array(2_000_000).fill(2)), frame(new Uint8Array(5))];
      const batch = Buffer.concat(frames);
      const parts = splitIntoMessages(batch);
      expect(parts.map((p) => p.length)).to.deep.equal([frames[0]!.length + frames[1]!.length, frames[2]!.length, frames[3]!.length]);
      expect(Buffer.concat(parts).equals(batch)).to.equal(true);
      for (const p of parts) checkWholeFrames(p, 4_000_000, 'test');
      expect(splitIntoMessages(frames[1]!)).to.have.length(1);
      expect(MAX_BATCH_MESSAGE_BYTES).to.be.greaterThan(frames[0]!.length);
    });

    it('a message that is not whole frames is a PROTOCOL_ERROR; a frame over the limit FRAME_TOO_LARGE', () => {
      expectTsro(thrown(() => checkWholeFrames(Uint8Array.of(5, 1, 2), 100, 'x')), 'PROTOCOL_ERROR');
      expectTsro(thrown(() => checkWholeFrames(Uint8Array.of(0x80), 100, 'x')), 'PROTOCOL_ERROR');
      expectTsro(thrown(() => checkWholeFrames(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 100, 'x')), 'PROTOCOL_ERROR');
      expectTsro(thrown(() => checkWholeFrames(new Uint8Array(0), 100, 'x')), 'PROTOCOL_ERROR');
      expectTsro(thrown(() => checkWholeFrames(Uint8Array.of(101), 100, 'x')), 'FRAME_TOO_LARGE');
      checkWholeFrames(Uint8Array.of(0, 2, 7, 7, 1, 9), 100, 'x');
    });
  });

  describe('a host attached to an application HTTP server', () => {
    it('serves the page and the replicas on one port; closing the host leaves the server serving', async () => {
      const server = await httpServer();
      const port = portOf(server);
      const host = await w.host('ws://127.0.0.1:0/tsro', { httpServer: server });
      expect(host.hostUrl).to.equal(`ws://127.0.0.1:${port}/tsro`);
      const printer = new Printer();
      host.enableRemoting(printer);
      const node = await w.connectedNode(host);
      const r = await validPrinter(node);
      expect(await r.add(2, 3)).to.equal(5);
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).to.equal('page');

      await host.close();
      expect(server.listening).to.equal(true);
      expect(server.listenerCount('upgrade')).to.equal(0);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).to.equal('page');
    });

    it('takes over a server that starts listening after the host is created', async () => {
      const server = http.createServer((_req, res) => res.end('late'));
      w.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const host = new Host('ws://127.0.0.1:0/late', { httpServer: server, logger: w.hostLog });
      w.defer(() => host.close());
      server.listen(0, '127.0.0.1');
      await host.listening;
      expect(host.hostUrl).to.equal(`ws://127.0.0.1:${portOf(server)}/late`);
    });

    it('refuses an upgrade to another path with 404, unless another upgrade listener is there to take it', async () => {
      const server = await httpServer();
      await w.host('ws://127.0.0.1:0/tsro', { httpServer: server });
      expect(await wsClient(`ws://127.0.0.1:${portOf(server)}/elsewhere`)).to.equal(404);

      // The application's own WebSocket endpoint on another path keeps working beside the host.
      const chat = new WebSocketServer({ noServer: true });
      w.defer(() => chat.close());
      server.on('upgrade', (req, socket, head) => {
        if (req.url === '/chat') chat.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo ${String(m)}`)));
      });
      const ws = await wsClient(`ws://127.0.0.1:${portOf(server)}/chat`, { protocols: [] });
      if (!(ws instanceof WebSocket)) throw new Error(`refused with ${ws}`);
      const reply = nextEvent<[Buffer]>(ws, 'message');
      ws.send('hi');
      expect(String((await reply)[0])).to.equal('echo hi');
    });

    it('refuses a wss:// URL on a plain http server with LISTEN_FAILED', async () => {
      const server = await httpServer();
      const host = new Host('wss://127.0.0.1:0/tsro', { httpServer: server, logger: w.hostLog });
      w.defer(() => host.close());
      const err = expectTsro(await rejectionOf(host.listening), 'LISTEN_FAILED');
      expect(err.message).to.match(/needs an https server/);
    });
  });

  describe('allowedOrigins', () => {
    it('refuses pages from other origins with 403 (logged); admits listed origins and clients without an Origin', async () => {
      const host = await w.host(WS_ANY, { allowedOrigins: ['http://127.0.0.1:8080', 'https://app.example.com/'] });
      host.enableRemoting(new Printer());
      expect(await wsClient(host.hostUrl, { origin: 'http://evil.example.com' })).to.equal(403);
      await w.hostLog.waitFor(/from origin http:\/\/evil\.example\.com/);
      expect(await wsClient(host.hostUrl, { origin: 'https://APP.example.com' })).to.be.instanceOf(WebSocket);
      expect(await wsClient(host.hostUrl, { origin: 'http://127.0.0.1:8080' })).to.be.instanceOf(WebSocket);
      const node = await w.connectedNode(host);
      await validPrinter(node);
    });
  });

  it('wss:// carries replicas over TLS to a node that trusts the host, and refuses one that does not', async () => {
    const certs = testCerts();
    const host = await w.host('wss://127.0.0.1:0/secure', { tls: { cert: certs.server.cert, key: certs.server.key } });
    expect(host.hostUrl).to.match(/^wss:\/\/127\.0\.0\.1:\d+\/secure$/);
    host.enableRemoting(new Printer());
    const node = await w.connectedNode(host, { tls: { ca: certs.ca.cert } });
    expect(await (await validPrinter(node)).add(1, 2)).to.equal(3);

    const untrusting = await w.node({ tls: { ca: certs.otherCa.cert } });
    const err = expectTsro(await rejectionOf(untrusting.connectToNode(host.hostUrl)), 'CONNECT_FAILED');
    expect(err.message).to.match(/certificate/i);
  });

  it('wss:// without a certificate fails to listen with LISTEN_FAILED', async () => {
    const host = new Host('wss://127.0.0.1:0/', { logger: w.hostLog });
    w.defer(() => host.close());
    expect(expectTsro(await rejectionOf(host.listening), 'LISTEN_FAILED').message).to.match(/certificate and key/);
  });

  it('a registry hands out ws:// hosts, and nodes follow them', async () => {
    const registry = new RegistryHost('ws://127.0.0.1:0/registry', { logger: w.hostLog });
    w.defer(() => registry.close());
    await registry.listening;
    const host = await w.host('ws://127.0.0.1:0/printers', { registryUrl: registry.hostUrl });
    host.enableRemoting(new Printer());
    const node = await w.node({ registryUrl: registry.hostUrl });
    const r = await validPrinter(node);
    expect(node.registry?.sourceLocations.get('Printer')?.hostUrl).to.equal(host.hostUrl);
    expect(await r.add(4, 5)).to.equal(9);
  });

  it('values larger than one message (several MiB, split into messages) arrive whole, both ways', async () => {
    const host = await w.host(WS_ANY);
    const printer = new Printer();
    host.enableRemoting(printer);
    const node = await w.connectedNode(host);
    const r = await validPrinter(node);
    const big = Array.from({ length: 3 }, (_, i) => String.fromCharCode(97 + i).repeat(1_500_000));
    const arrived = nextEvent(r, 'queueChanged', { timeout: WAIT_MS });
    printer.queue = big;
    expect((await arrived)[0]).to.deep.equal(big);
    const doc = 'z'.repeat(3_000_000);
    expect(await r.print(doc)).to.equal(doc.length);
  });

  describe('bad input', () => {
    async function hostWithBystander(options: { maxFrameSize?: number } = {}): Promise<{ host: Host; printer: Printer; r: Replica<Printer> }> {
      const host = await w.host(WS_ANY, options);
      const printer = new Printer();
      host.enableRemoting(printer);
      const r = await validPrinter(await w.connectedNode(host));
      return { host, printer, r };
    }

    async function bystanderUnaffected(printer: Printer, r: Replica<Printer>): Promise<void> {
      expect(r.state).to.equal('valid');
      const changed = nextEvent(r, 'copiesChanged');
      printer.copies += 1;
      expect(await changed).to.deep.equal([printer.copies]);
      expect(await r.add(20, 22)).to.equal(42);
    }

    /** Sends `data` on a fresh WebSocket to the host; resolves with the close code and reason. */
    async function sendAndClose(url: string, ...data: (Buffer | string)[]): Promise<[number, string]> {
      const ws = await wsClient(url);
      if (!(ws instanceof WebSocket)) throw new Error(`refused with ${ws}`);
      for (const d of data) ws.send(d);
      const [code, reason] = await nextEvent<[number, Buffer]>(ws, 'close', { timeout: WAIT_MS });
      return [code, reason.toString()];
    }

    it('a text message closes that connection (1002, PROTOCOL_ERROR logged); others are unaffected', async () => {
      const { host, printer, r } = await hostWithBystander();
      expect(await sendAndClose(host.hostUrl, 'hello')).to.deep.equal([1002, 'PROTOCOL_ERROR']);
      const line = await w.hostLog.waitFor(/text message/);
      expectTsro(line.error, 'PROTOCOL_ERROR');
      await bystanderUnaffected(printer, r);
    });

    it('a binary message that is not whole frames closes that connection (1002); others are unaffected', async () => {
      const { host, printer, r } = await hostWithBystander();
      expect(await sendAndClose(host.hostUrl, Buffer.from([50, 1, 2, 3]))).to.deep.equal([1002, 'PROTOCOL_ERROR']);
      expectTsro((await w.hostLog.waitFor(/not whole tsro frames/)).error, 'PROTOCOL_ERROR');
      await bystanderUnaffected(printer, r);
    });

    it('a frame over the limit (1009, FRAME_TOO_LARGE) and a message over the message limit (1009) close only their connection', async () => {
      const { host, printer, r } = await hostWithBystander({ maxFrameSize: 1024 });
      expect(await sendAndClose(host.hostUrl, frame(Buffer.alloc(2000)))).to.deep.equal([1009, 'FRAME_TOO_LARGE']);
      const [code] = await sendAndClose(host.hostUrl, Buffer.alloc(MAX_BATCH_MESSAGE_BYTES + 100));
      expect(code).to.equal(1009);
      await bystanderUnaffected(printer, r);
    });

    /** A WebSocket server that is not a tsro host; closed (with its connections) by the World. */
    async function otherServer(options: ConstructorParameters<typeof WebSocketServer>[0]): Promise<WebSocketServer> {
      const other = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
      w.defer(
        () =>
          new Promise<void>((resolve) => {
            for (const c of other.clients) c.terminate();
            other.close(() => resolve());
          }),
      );
      await once(other, 'listening');
      return other;
    }

    it('a node connecting to a WebSocket server that is not tsro fails with CONNECT_FAILED saying so', async () => {
      const other = await otherServer({ handleProtocols: () => false });
      const node = await w.node({ reconnect: false });
      const err = expectTsro(await rejectionOf(node.connectToNode(`ws://127.0.0.1:${portOf(other)}/`)), 'CONNECT_FAILED');
      expect(err.message).to.match(/not a tsro host/);
    });

    it('a node connecting to a WebSocket echo server that accepts any subprotocol fails clearly, not hangs', async () => {
      const other = await otherServer({});
      other.on('connection', (ws) => ws.on('message', (m, isBinary) => ws.send(m, { binary: isBinary })));
      const node = await w.node({ reconnect: false, connectTimeout: 1000 });
      const err = expectTsro(await rejectionOf(node.connectToNode(`ws://127.0.0.1:${portOf(other)}/`)), ['PROTOCOL_ERROR', 'TIMEOUT']);
      expect(err.message).to.include(`127.0.0.1:${portOf(other)}`);
    });

    it('a node connecting to a plain HTTP server fails with CONNECT_FAILED naming the HTTP status', async () => {
      const server = await httpServer((_req, res) => {
        res.statusCode = 404;
        res.end();
      });
      const node = await w.node({ reconnect: false });
      const err = expectTsro(await rejectionOf(node.connectToNode(`ws://127.0.0.1:${portOf(server)}/tsro`)), 'CONNECT_FAILED');
      expect(err.message).to.match(/answered HTTP 404/);
    });

    it('a host that closes in the middle of a message: the node reports the connection lost, and its replicas go suspect', async () => {
      // A WebSocket server that answers the handshake, then sends half a WebSocket frame and hangs up.
      const wss = await otherServer({ handleProtocols: () => WEBSOCKET_SUBPROTOCOL });
      wss.on('connection', (ws, req) => {
        ws.once('message', () => {
          // WebSocket frame header: FIN + binary, 126 = 16-bit length 1000; only 10 bytes follow.
          req.socket.end(Buffer.concat([Buffer.from([0x82, 126, 0x03, 0xe8]), Buffer.alloc(10)]));
        });
      });
      const node = await w.node({ reconnect: false });
      const err = expectTsro(await rejectionOf(node.connectToNode(`ws://127.0.0.1:${portOf(wss)}/`)), ['DISCONNECTED', 'CONNECT_FAILED']);
      expect(err.message).to.match(/127\.0\.0\.1/);
    });

    it('a connection that never completes the tsro handshake is dropped after handshakeTimeout', async () => {
      const host = await w.host(WS_ANY, { handshakeTimeout: 200 });
      const ws = await wsClient(host.hostUrl);
      if (!(ws instanceof WebSocket)) throw new Error('refused');
      const [code] = await nextEvent<[number]>(ws, 'close', { timeout: WAIT_MS });
      expect(code).to.be.oneOf([1000, 1006]);
    });

    it('a handshake in a well-formed message is answered like over TCP', async () => {
      const host = await w.host(WS_ANY);
      const ws = await wsClient(host.hostUrl);
      if (!(ws instanceof WebSocket)) throw new Error('refused');
      ws.send(handshakeFrame());
      const [data, isBinary] = await nextEvent<[Buffer, boolean]>(ws, 'message', { timeout: WAIT_MS });
      expect(isBinary).to.equal(true);
      checkWholeFrames(data, 1 << 20, 'host');
    });
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
