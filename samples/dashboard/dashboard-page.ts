// The dashboard page's script (bundled for the browser by page-bundle.ts): a tsro/browser Node
// connects back to the host that served the page, follows the GPS receiver through a typed
// replica and the printer through a dynamic one, and keeps the page in step with them -- values,
// replica states, every signal as it arrives, and slot calls and sets from the buttons.

import { Node, type DynamicReplica, type ReplicaState } from 'tsro/browser';
import { GpsApi } from '../gps/gps-api';

// The few DOM members this page uses (the project compiles without the DOM library).
interface Element {
  textContent: string | null;
  className: string;
  innerHTML: string;
  value: string;
  disabled: boolean;
  readonly style: { width: string };
  readonly classList: { toggle(name: string, on: boolean): void };
  readonly firstChild: Element | null;
  readonly children: { readonly length: number };
  readonly lastChild: Element | null;
  readonly clientWidth: number;
  readonly clientHeight: number;
  addEventListener(type: string, fn: () => void): void;
  insertBefore(node: Element, before: Element | null): void;
  removeChild(node: Element): void;
  setAttribute(name: string, value: string): void;
}
interface Page {
  readonly document: { getElementById(id: string): Element | null; createElement(tag: string): Element };
  readonly location: { readonly protocol: string; readonly host: string };
  fetch(url: string, init: { method: string }): Promise<unknown>;
}
const page = globalThis as unknown as Page;
const $ = (id: string): Element => {
  const el = page.document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
};

const url = `${page.location.protocol === 'https:' ? 'wss' : 'ws'}://${page.location.host}/tsro`;
$('url').textContent = url;

const node = new Node({ reconnect: { initialDelay: 200, maxDelay: 1000 } });
const gps = node.acquire(GpsApi);
const printer: DynamicReplica = node.acquireDynamic('Printer');

// ---- state -----------------------------------------------------------------------------------

function showState(id: string, state: ReplicaState): void {
  const el = $(id);
  el.className = `pill ${state}`;
  el.textContent = state;
}

function showConnection(): void {
  const states = [gps.state, printer.state];
  const el = $('conn');
  if (states.every((s) => s === 'valid')) {
    el.className = 'pill valid';
    el.textContent = 'connected';
  } else if (states.includes('suspect')) {
    el.className = 'pill suspect';
    el.textContent = 'host unreachable, reconnecting';
  } else {
    el.className = 'pill uninitialized';
    el.textContent = 'connecting';
  }
}

gps.on('stateChanged', (state) => {
  showState('gps-state', state);
  showConnection();
  feed('state', `GpsReceiver → ${state}`);
});
printer.on('stateChanged', (state: ReplicaState) => {
  showState('printer-state', state);
  showConnection();
  feed('state', `Printer → ${state}`);
});

// ---- GPS ---------------------------------------------------------------------------------------

const track: [number, number][] = [];
let lastAt = 0;
let previous: { lat: number; lon: number; at: number } | undefined;
const MAX_TRACK = 80;
let positions = 0;

function renderGps(): void {
  $('lat').textContent = gps.latitude.toFixed(5);
  $('lon').textContent = gps.longitude.toFixed(5);
  $('fix').textContent = gps.fix ? 'yes' : 'no';
  $('sats').textContent = String(gps.satellites);
  $('sat-bars').innerHTML = Array.from({ length: 10 }, (_, i) => `<i class="${i < gps.satellites ? 'on' : ''}" style="height:${5 + i}px"></i>`).join('');
  $('positions').textContent = String(positions);
  renderTrack();
}

function renderTrack(): void {
  const svg = $('track');
  // Drawn in the element's own pixels, so that circles stay round at any size.
  const w = Math.max(200, svg.clientWidth);
  const h = Math.max(150, svg.clientHeight);
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  if (track.length === 0) {
    svg.innerHTML = `<text x="${w / 2}" y="${h / 2}" fill="#8b98a5" text-anchor="middle" font-size="15">waiting for positions…</text>`;
    return;
  }
  const lats = track.map((p) => p[0]);
  const lons = track.map((p) => p[1]);
  const pad = 0.0008;
  const minLat = Math.min(...lats) - pad;
  const maxLat = Math.max(...lats) + pad;
  const minLon = Math.min(...lons) - pad;
  const maxLon = Math.max(...lons) + pad;
  const x = (lon: number): number => 24 + ((lon - minLon) / (maxLon - minLon)) * (w - 48);
  const y = (lat: number): number => h - 24 - ((lat - minLat) / (maxLat - minLat)) * (h - 48);
  const points = track.map(([la, lo]) => `${x(lo).toFixed(1)},${y(la).toFixed(1)}`).join(' ');
  const [lastLat, lastLon] = track[track.length - 1]!;
  const [firstLat, firstLon] = track[0]!;
  const grid = Array.from({ length: 7 }, (_, i) => `<line x1="0" x2="${w}" y1="${((i + 1) * h) / 8}" y2="${((i + 1) * h) / 8}" stroke="#16202b"/>`).join('') +
    Array.from({ length: 7 }, (_, i) => `<line y1="0" y2="${h}" x1="${((i + 1) * w) / 8}" x2="${((i + 1) * w) / 8}" stroke="#16202b"/>`).join('');
  svg.innerHTML =
    grid +
    `<polyline points="${points}" fill="none" stroke="#58a6ff" stroke-width="3" stroke-linejoin="round" stroke-linecap="round" opacity=".85"/>` +
    `<circle cx="${x(firstLon)}" cy="${y(firstLat)}" r="4" fill="#8b98a5"/>` +
    `<circle cx="${x(lastLon)}" cy="${y(lastLat)}" r="14" fill="rgba(63,185,80,.22)"/>` +
    `<circle cx="${x(lastLon)}" cy="${y(lastLat)}" r="6" fill="#3fb950"/>` +
    `<text x="${w - 12}" y="${h - 12}" fill="#8b98a5" font-size="12" text-anchor="end">last ${track.length} positions · north up</text>`;
}

gps.on('initialized', () => {
  if (gps.fix) track.push([gps.latitude, gps.longitude]);
  renderGps();
});
gps.on('positionUpdated', (lat, lon) => {
  positions += 1;
  const now = Date.now();
  if (previous) showMotion(previous, { lat, lon, at: now });
  previous = { lat, lon, at: now };
  lastAt = now;
  track.push([lat, lon]);
  if (track.length > MAX_TRACK) track.shift();
  renderGps();
  feed('position', `positionUpdated(${lat.toFixed(4)}, ${lon.toFixed(4)})`);
});
gps.on('fixChanged', (fix) => {
  if (!fix) {
    track.length = 0; // the receiver starts a new run
    previous = undefined;
  }
  renderGps();
});
gps.on('satellitesChanged', () => renderGps());

const COMPASS = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];

// Heading from two positions (an equirectangular approximation: fine over short steps).
function showMotion(a: { lat: number; lon: number; at: number }, b: { lat: number; lon: number; at: number }): void {
  const rad = Math.PI / 180;
  const dy = b.lat - a.lat;
  const dx = (b.lon - a.lon) * Math.cos(((a.lat + b.lat) / 2) * rad);
  const bearing = (Math.atan2(dx, dy) / rad + 360) % 360;
  $('heading').textContent = `${COMPASS[Math.round(bearing / 45) % 8]} ${bearing.toFixed(0)}°`;
  $('speed').textContent = `${(1000 / Math.max(1, b.at - a.at)).toFixed(1)} /s`;
}

setInterval(() => {
  $('age').textContent = lastAt === 0 ? '–' : `${((Date.now() - lastAt) / 1000).toFixed(1)} s ago`;
}, 250);

// ---- printer -----------------------------------------------------------------------------------

function renderPrinter(): void {
  if (printer.state !== 'valid' && printer.state !== 'suspect') return;
  const ink = Number(printer.get('inkLevel'));
  $('ink').textContent = `${ink}%`;
  $('ink-bar').style.width = `${Math.max(0, Math.min(100, ink))}%`;
  $('ink-box').classList.toggle('low', ink < 25);
  $('busy').textContent = printer.get('busy') ? 'printing…' : 'idle';
}

printer.on('initialized', renderPrinter);
printer.on('inkLevelChanged', renderPrinter);
printer.on('busyChanged', renderPrinter);
printer.on('jammed', (pageNo, reason) => feed('jammed', `jammed(page ${String(pageNo)}, "${String(reason)}")`));

function result(text: string, ok: boolean): void {
  const el = $('result');
  el.textContent = text;
  el.className = `result ${ok ? 'ok' : 'err'}`;
}

$('print').addEventListener('click', () => {
  const doc = $('doc').value;
  feed('call', `print("${doc.length > 24 ? `${doc.slice(0, 24)}…` : doc}")`);
  printer.invoke('print', doc).then(
    (pages) => result(`Printed ${String(pages)} page(s).`, true),
    (err: unknown) => result(`print failed: ${err instanceof Error ? err.message : String(err)}`, false),
  );
});
$('refill').addEventListener('click', () => {
  feed('call', 'set inkLevel = 100');
  printer.set('inkLevel', 100).then(
    () => result('Ink refilled.', true),
    (err: unknown) => result(`refill failed: ${err instanceof Error ? err.message : String(err)}`, false),
  );
});
$('restart').addEventListener('click', () => {
  void page.fetch('/restart', { method: 'POST' });
});

// ---- the feed ------------------------------------------------------------------------------------

const MAX_FEED = 14;
let count = 0;

function feed(kind: 'jammed' | 'position' | 'call' | 'state', text: string): void {
  const list = $('feed');
  if (count === 0) list.innerHTML = '';
  count += 1;
  $('count').textContent = String(count);
  const item = page.document.createElement('li');
  const time = new Date().toTimeString().slice(0, 8);
  item.innerHTML = `<span class="t">${time}</span><span class="${kind}"></span>`;
  item.lastChild!.textContent = text;
  list.insertBefore(item, list.firstChild);
  while (list.children.length > MAX_FEED) list.removeChild(list.lastChild!);
}

// ---- connect -------------------------------------------------------------------------------------

// The first connection is retried until the host answers (later losses reconnect by themselves).
async function connect(): Promise<void> {
  for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
    try {
      await node.connectToNode(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

renderGps();
void connect();
(globalThis as { dashboard?: unknown }).dashboard = { gps, printer, node };
