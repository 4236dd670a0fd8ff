// The live dashboard: one process, one port. An HTTP server serves the page (`/`) and its script
// (`/app.js`, bundled at start from the compiled tsro/browser entry); a tsro Host attached to the
// same server at `/tsro` remotes the GPS receiver (walking its track by itself) and the printer
// (printing a job by itself every few seconds). POST /restart closes the Host and starts a new
// one a moment later, on the same server: the page's replicas go suspect, then valid again.
//
//   npm run dashboard            (http://127.0.0.1:8080/, or a free port if 8080 is taken)
//   node dist/samples/dashboard/dashboard-host.js [port]

import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Host } from 'tsro';
import { GpsSource } from '../gps/gps-source';
import { PrinterService } from '../printer/printer-service';
import { shutdownRequested } from '../shutdown-requested';
import { DASHBOARD_HTML } from './dashboard-html';
import { bundleForBrowser } from './page-bundle';

const DEFAULT_PORT = 8080;
/** How long the host stays away on a restart, so that a person sees the replicas go suspect. */
const RESTART_PAUSE_MS = 1500;
const AUTO_PRINT_MS = 3000;
const DOCS = [
  'Sensor calibration sheet',
  'Weekly fleet report: positions, distances and the odd detour through the fjord roads.',
  'Maintenance log for printer #7, with every paper jam since Monday and what caused it. Again.',
  'Shipping label',
];

export interface Dashboard {
  /** The page's URL, http://127.0.0.1:<port>/. */
  readonly url: string;
  /** The host's URL, ws://127.0.0.1:<port>/tsro. */
  readonly hostUrl: string;
  /** Closes the host and, after `pauseMs`, starts a new one with the same sources. */
  restartHost(pauseMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the dashboard on 127.0.0.1:`port` (0: any free port). */
export async function startDashboard(options: { port?: number; quiet?: boolean } = {}): Promise<Dashboard> {
  const log = options.quiet ? (): void => {} : (line: string): void => console.log(line);
  const script = await bundleForBrowser(path.join(__dirname, 'dashboard-page.js'));

  const gps = new GpsSource();
  const printer = new PrinterService(350);
  let host: Host | undefined;
  let closing = false;
  let restarting: Promise<void> | undefined;

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(DASHBOARD_HTML);
    } else if (req.method === 'GET' && req.url === '/app.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(script);
    } else if (req.method === 'POST' && req.url === '/restart') {
      void restartHost();
      res.writeHead(202).end();
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
  const port = await listen(server, options.port ?? DEFAULT_PORT);
  const origin = `http://127.0.0.1:${port}`;

  const openHost = async (): Promise<void> => {
    // Pages from other origins may not drive this printer.
    const h = new Host(`ws://127.0.0.1:${port}/tsro`, { httpServer: server, allowedOrigins: [origin] });
    await h.listening;
    h.enableRemoting(gps);
    h.enableRemoting(printer);
    host = h;
  };
  await openHost();

  // The GPS walks its track in runs of 150 positions; between runs it drops the fix for a moment.
  let gpsRuns = true;
  void (async () => {
    while (gpsRuns) await gps.start({ intervalMs: 500, updates: 150 });
  })();

  // The printer prints by itself; when the ink runs out, a technician refills it.
  let jobNo = 0;
  const autoPrint = setInterval(() => {
    if (printer.busy) return;
    const doc = DOCS[jobNo++ % DOCS.length]!;
    printer.print(doc).catch((err: unknown) => {
      if (err instanceof Error && err.name === 'OutOfInkError') printer.inkLevel = 100;
    });
  }, AUTO_PRINT_MS);

  async function restartHost(pauseMs = RESTART_PAUSE_MS): Promise<void> {
    restarting ??= (async () => {
      log('restarting the host...');
      await host?.close();
      host = undefined;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (!closing) await openHost();
      log('host is back');
    })().finally(() => (restarting = undefined));
    return restarting;
  }

  return {
    url: `${origin}/`,
    hostUrl: `ws://127.0.0.1:${port}/tsro`,
    restartHost,
    async close() {
      closing = true;
      clearInterval(autoPrint);
      gpsRuns = false;
      gps.stop();
      await restarting;
      await host?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE' && port !== 0) {
        console.log(`port ${port} is taken; using a free one`);
        server.listen(0, '127.0.0.1');
      } else {
        reject(err);
      }
    };
    server.on('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
    server.listen(port, '127.0.0.1');
  });
}

async function main(): Promise<void> {
  const portArg = process.argv[2];
  const port = portArg === undefined ? DEFAULT_PORT : Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`usage: node dist/samples/dashboard/dashboard-host.js [port]`);
  const stop = shutdownRequested();
  const dashboard = await startDashboard({ port });
  console.log(`tsro dashboard: open ${dashboard.url} (replicas at ${dashboard.hostUrl}); Ctrl-C stops it`);
  process.send?.({ type: 'listening', url: dashboard.url });
  console.log(`stopping: ${await stop.promise}`);
  stop.dispose();
  await dashboard.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`dashboard failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
