// tsro/browser in a real browser: Chromium (the system's) loads a page bundled with esbuild from
// the compiled tsro/browser entry, and that page's Node follows a Host of this process over
// ws:// -- typed and dynamic replicas, sets, calls, signals, a host restart, 100 000 changes in
// order, and every kind of bad input a WebSocket can bring. The dashboard sample is opened too,
// clicked, and screenshotted.

import { expect } from 'chai';
import * as http from 'node:http';
import * as path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
// The page's API classes (page/page-api.ts) import the package by name, so the Host here does
// too: one copy of tsro on this side, whose hosts see the values its decorators store.
import { Host } from 'tsro';
import { WEBSOCKET_SUBPROTOCOL } from '../../src/transport/websocket-messages';
import { bundleForBrowser } from '../../samples/dashboard/page-bundle';
import { startDashboard, type Dashboard } from '../../samples/dashboard/dashboard-host';
import { recordingLogger } from '../support/fixtures';
import { launchChromium, type Browser } from './chromium';
import { PageCounter, PagePrinter } from './page/page-api';

const PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>tsro test page</title></head><body><script src="/app.js"></script></body></html>';

interface ErrorInfo {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
}

/** What the page script (page/test-page.ts) puts on window. */
interface TestPage {
  connect(url: string): Promise<ErrorInfo | null>;
  acquire(): Promise<{ typed: string; dynamic: string; typedInk: number; dynamicNames: string[] }>;
  read(): { typedInk: number; dynamicInk: unknown; queue: string[]; state: string };
  set(typedValue: number, dynamicValue: number): Promise<number[]>;
  call(): Promise<{ add: number; print: number; dynamicAdd: unknown; failed: ErrorInfo | null }>;
  waitForState(state: string, ms?: number): Promise<string[]>;
  followCounter(last: number): Promise<{ changes: number; outOfOrder: number; ms: number; perSecond: number; final: number }>;
  probe(url: string, maxFrameSize?: number): Promise<ErrorInfo | null>;
  signals: unknown[][];
  log: string[];
}
declare const tsroPage: TestPage;
// The page's globals, inside page.evaluate and waitForFunction callbacks (the project compiles
// without the DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const Image: any;
declare const WebSocket: any;

describe('tsro/browser in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let script: string;
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    script = await bundleForBrowser(path.join(__dirname, 'page', 'test-page.js'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  /** An HTTP server on a free port serving the test page, and a Host attached to it at /tsro. */
  async function serve(hostOptions: { maxFrameSize?: number } = {}): Promise<{ server: http.Server; origin: string; host: Host; printer: PagePrinter; wsUrl: string; page: Page }> {
    const server = http.createServer((req, res) => {
      if (req.url === '/app.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
      else res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const host = await attachHost(server, origin, hostOptions);
    const printer = new PagePrinter();
    host.enableRemoting(printer);
    const page = await browser.newPage();
    cleanups.push(() => page.close());
    page.on('pageerror', (err) => console.error(`      page error: ${err.message}`));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof (globalThis as { tsroPage?: unknown }).tsroPage === 'object');
    return { server, origin, host, printer, wsUrl: host.hostUrl, page };
  }

  async function attachHost(server: http.Server, origin: string, options: { maxFrameSize?: number } = {}): Promise<Host> {
    const host = new Host('ws://127.0.0.1:0/tsro', { httpServer: server, allowedOrigins: [origin], logger: recordingLogger(), ...options });
    cleanups.push(() => host.close());
    await host.listening;
    return host;
  }

  /** A WebSocket server that is not a tsro host, doing `onConnection` with each client. */
  async function otherServer(options: ConstructorParameters<typeof WebSocketServer>[0], onConnection: (ws: import('ws').WebSocket, req: http.IncomingMessage) => void): Promise<string> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }));
    await once(wss, 'listening');
    wss.on('connection', onConnection);
    return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  }

  it('acquires typed and dynamic replicas; reads, sets, calls and receives signals', async () => {
    const { page, printer, wsUrl } = await serve();
    expect(await page.evaluate((url) => tsroPage.connect(url), wsUrl)).to.equal(null);
    expect(await page.evaluate(() => tsroPage.acquire())).to.deep.equal({ typed: 'valid', dynamic: 'valid', typedInk: 100, dynamicNames: ['inkLevel', 'busy', 'queue'] });

    printer.inkLevel = 77;
    await page.waitForFunction(() => tsroPage.read().typedInk === 77);
    expect(await page.evaluate(() => tsroPage.read())).to.deep.include({ typedInk: 77, dynamicInk: 77, state: 'valid' });

    expect(await page.evaluate(() => tsroPage.set(50, 60))).to.deep.equal([50, 60]);
    expect(printer.inkLevel).to.equal(60);

    const calls = await page.evaluate(() => tsroPage.call());
    expect(calls).to.deep.equal({ add: 42, print: 19, dynamicAdd: 2, failed: { name: 'RangeError', code: 'REMOTE', message: 'RangeError: on purpose' } });
    expect(printer.queue).to.deep.equal(['hello from the page']);

    printer.jammed(3, 'paper');
    await page.waitForFunction(() => tsroPage.signals.length === 2);
    expect(await page.evaluate(() => tsroPage.signals)).to.deep.equal([['typed', 3, 'paper'], ['dynamic', 3, 'paper']]);
  });

  it('survives a host restart without reloading: suspect while it is gone, valid with the current values after', async () => {
    const { page, printer, host, server, origin, wsUrl } = await serve();
    await page.evaluate((url) => tsroPage.connect(url), wsUrl);
    await page.evaluate(() => tsroPage.acquire());
    await host.close();
    expect(await page.evaluate(() => tsroPage.waitForState('suspect'))).to.include('suspect');

    printer.inkLevel = 12; // changed while the page could not see it
    const again = await attachHost(server, origin);
    again.enableRemoting(printer);
    await page.evaluate(() => tsroPage.waitForState('valid'));
    expect(await page.evaluate(() => tsroPage.read())).to.deep.include({ typedInk: 12, dynamicInk: 12, state: 'valid' });
    expect((await page.evaluate(() => tsroPage.call())).add).to.equal(42);
  });

  it('takes 100 000 property changes in order (the rate measured in the page is reported)', async () => {
    const { page, host, wsUrl } = await serve();
    const counter = new PageCounter();
    host.enableRemoting(counter);
    await page.evaluate((url) => tsroPage.connect(url), wsUrl);
    const N = 100_000;
    await page.evaluate((n) => {
      (globalThis as { run?: unknown }).run = tsroPage.followCounter(n);
    }, N);
    await page.waitForFunction(() => (globalThis as { counterReady?: boolean }).counterReady === true);
    // 1000 changes per turn: the source is busy, and the host batches what each turn sends.
    for (let v = 1; v <= N; ) {
      for (const end = Math.min(v + 999, N); v <= end; v++) counter.value = v;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await page.evaluate(() => (globalThis as unknown as { run: Promise<{ changes: number; outOfOrder: number; ms: number; perSecond: number; final: number }> }).run);
    console.log(`      100 000 property changes in the page: ${result.ms.toFixed(0)} ms, ${result.perSecond.toLocaleString('en-US')} changes/s`);
    expect(result).to.deep.include({ changes: N, outOfOrder: 0, final: N });
  });

  describe('bad input', () => {
    it('a WebSocket server that is not tsro: the page gets CONNECT_FAILED (or TIMEOUT from one that accepts anything) and keeps running', async () => {
      const { page, wsUrl } = await serve();
      await page.evaluate((url) => tsroPage.connect(url), wsUrl);
      await page.evaluate(() => tsroPage.acquire());
      const refusing = await otherServer({ handleProtocols: () => false }, () => {});
      const refused = await page.evaluate((url) => tsroPage.probe(url), refusing);
      expect(refused).to.include({ code: 'CONNECT_FAILED' });
      expect(refused!.message).to.match(/WebSocket connection failed|not a tsro host/);
      const echo = await otherServer({}, (ws) => ws.on('message', (m, binary) => ws.send(m, { binary })));
      expect(await page.evaluate((url) => tsroPage.probe(url), echo)).to.have.property('code').that.is.oneOf(['TIMEOUT', 'PROTOCOL_ERROR']);
      expect((await page.evaluate(() => tsroPage.call())).add).to.equal(42);
    });

    it('a server that closes in the middle of a message, one that sends bytes that are not frames, a text message, an oversized frame: clear errors, the page keeps running', async () => {
      const { page, wsUrl, printer } = await serve();
      await page.evaluate((url) => tsroPage.connect(url), wsUrl);
      await page.evaluate(() => tsroPage.acquire());
      const tsroLike = { handleProtocols: () => WEBSOCKET_SUBPROTOCOL } as const;
      const midFrame = await otherServer(tsroLike, (ws, req) =>
        ws.once('message', () => req.socket.end(Buffer.concat([Buffer.from([0x82, 126, 0x03, 0xe8]), Buffer.alloc(10)]))),
      );
      // The start of a Handshake frame (length 50, the Handshake tag, its length, its version key),
      // cut off: it passes the node's first-bytes check and fails as a message that is not whole frames.
      const notFrames = await otherServer(tsroLike, (ws) => ws.once('message', () => ws.send(Buffer.from([50, 0x32, 48, 0x08]))));
      const notTsro = await otherServer(tsroLike, (ws) => ws.once('message', () => ws.send(Buffer.from([50, 1, 2, 3]))));
      const text = await otherServer(tsroLike, (ws) => ws.once('message', () => ws.send('hello')));
      const oversized = await otherServer(tsroLike, (ws) => ws.once('message', () => ws.send(Buffer.concat([Buffer.from([0xd0, 0x0f, 0x32, 0xcd, 0x0f, 0x08]), Buffer.alloc(1996)]))));

      const e1 = await page.evaluate((url) => tsroPage.probe(url), midFrame);
      expect(e1).to.include({ code: 'DISCONNECTED' });
      expect(e1!.message).to.match(/1006/);
      const e2 = await page.evaluate((url) => tsroPage.probe(url), notFrames);
      expect(e2).to.include({ code: 'PROTOCOL_ERROR' });
      expect(e2!.message).to.match(/not whole tsro frames/);
      const e3 = await page.evaluate((url) => tsroPage.probe(url), text);
      expect(e3).to.include({ code: 'PROTOCOL_ERROR' });
      expect(e3!.message).to.match(/text message/);
      const e4 = await page.evaluate((url) => tsroPage.probe(url, 1024), oversized);
      expect(e4).to.include({ code: 'FRAME_TOO_LARGE' });
      const e5 = await page.evaluate((url) => tsroPage.probe(url), notTsro);
      expect(e5).to.include({ code: 'PROTOCOL_ERROR' });
      expect(e5!.message).to.match(/is not a tsro host: it sent bytes 32 01 02 03/);

      // The page's own replicas never noticed.
      printer.inkLevel = 33;
      await page.waitForFunction(() => tsroPage.read().typedInk === 33);
      expect((await page.evaluate(() => tsroPage.call())).add).to.equal(42);
      expect(await page.evaluate(() => tsroPage.read().state)).to.equal('valid');
    });

    it('a page sending the host bytes that are not frames, a frame over its limit, a message over its limit: that WebSocket is closed (1002, 1009, 1009), the host and the page\'s replicas go on', async () => {
      const { page, wsUrl, printer } = await serve({ maxFrameSize: 1024 });
      await page.evaluate((url) => tsroPage.connect(url), wsUrl);
      await page.evaluate(() => tsroPage.acquire());
      const closes = await page.evaluate(async (url) => {
        const send = (data: Uint8Array): Promise<[number, string]> =>
          new Promise((resolve) => {
            const ws = new WebSocket(url, 'tsro');
            ws.binaryType = 'arraybuffer';
            ws.onopen = () => ws.send(data);
            ws.onclose = (ev: { code: number; reason: string }) => resolve([ev.code, ev.reason]);
          });
        const tooLargeFrame = new Uint8Array(2002);
        tooLargeFrame.set([0xd0, 0x0f]); // a frame of 2000 bytes
        return [await send(Uint8Array.of(50, 1, 2, 3)), await send(tooLargeFrame), await send(new Uint8Array(2 * 1024 * 1024))];
      }, wsUrl);
      expect(closes[0]).to.deep.equal([1002, 'PROTOCOL_ERROR']);
      expect(closes[1]).to.deep.equal([1009, 'FRAME_TOO_LARGE']);
      expect(closes[2]![0]).to.equal(1009);
      printer.inkLevel = 44;
      await page.waitForFunction(() => tsroPage.read().typedInk === 44);
      expect((await page.evaluate(() => tsroPage.call())).add).to.equal(42);
    });
  });

  describe('the dashboard sample', () => {
    let dashboard: Dashboard;
    beforeEach(async () => {
      dashboard = await startDashboard({ port: 0, quiet: true });
      cleanups.push(() => dashboard.close());
    });

    it('shows live values, calls slots from its buttons, shows signals and the replica state through a host restart; its screenshot is not empty', async () => {
      const page = await browser.newPage();
      cleanups.push(() => page.close());
      await page.goto(dashboard.url);
      const text = (id: string): Promise<string> => page.evaluate((i) => document.getElementById(i)!.textContent ?? '', id);
      await page.waitForFunction(() => document.getElementById('conn')!.textContent === 'connected', undefined, { timeout: 15_000 });
      await page.waitForFunction(() => Number(document.getElementById('positions')!.textContent) >= 2, undefined, { timeout: 15_000 });
      expect(await text('lat')).to.match(/^59\.\d{5}$/);
      expect(await text('gps-state')).to.equal('valid');
      expect(await text('printer-state')).to.equal('valid');

      await page.click('#refill');
      await page.waitForFunction(() => document.getElementById('result')!.textContent === 'Ink refilled.');
      await page.click('#print');
      await page.waitForFunction(() => /Printed \d+ page/.test(document.getElementById('result')!.textContent ?? ''), undefined, { timeout: 15_000 });
      expect(await page.evaluate(() => document.getElementById('feed')!.textContent)).to.match(/positionUpdated\(59\./);

      const restarted = dashboard.restartHost(1000);
      await page.waitForFunction(() => document.getElementById('gps-state')!.textContent === 'suspect');
      expect(await text('conn')).to.match(/reconnecting/);
      await restarted;
      await page.waitForFunction(() => document.getElementById('conn')!.textContent === 'connected', undefined, { timeout: 15_000 });
      await page.waitForFunction(() => /GpsReceiver → valid/.test(document.getElementById('feed')!.textContent ?? ''));

      const png = await page.screenshot({ type: 'png' });
      if (process.env.TSRO_SCREENSHOT) (await import('node:fs')).writeFileSync(process.env.TSRO_SCREENSHOT, png);
      expect(png.subarray(1, 4).toString()).to.equal('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([1280, 800]);
      // Decoded by the browser itself: many distinct colours, not one flat fill.
      const colours = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        return seen.size;
      }, png.toString('base64'));
      expect(colours).to.be.greaterThan(50);
    });
  });
});

describe('npm run dashboard (dist/samples/dashboard/dashboard-host.js)', function () {
  this.timeout(60_000);

  it('prints the page URL, serves the page and its bundle there, and stops cleanly on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'samples', 'dashboard', 'dashboard-host.js'), '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed within 30 s; output:\n${out}`)), 30_000);
        child.stdout!.setEncoding('utf8').on('data', (s: string) => {
          out += s;
          const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}; output:\n${out}`)));
      });
      const page = await (await fetch(url)).text();
      expect(page).to.include('<title>tsro live dashboard</title>');
      const app = await fetch(`${url}app.js`);
      expect(app.headers.get('content-type')).to.match(/javascript/);
      expect((await app.text()).length).to.be.greaterThan(10_000);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
