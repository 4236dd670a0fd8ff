// Helpers for the end-to-end specs (spec/lib/*): a per-test World that opens hosts and nodes
// over real sockets and closes every one of them afterwards, taps on internal methods to await
// what has no public event, a raw socket client to speak (or break) the wire protocol by hand,
// and a few fixture classes beyond the Printer.
//
// Nothing here sleeps: every wait is on an event, bounded by a timeout that fails the test.

import { EventEmitter, once } from 'node:events';
import * as net from 'node:net';
import { expect } from 'chai';
import { Host, Node, Property, RemoteObjectType, Signal, Slot, TsroError, type HostOptions, type NodeOptions } from '../../src/index';
import type { NodeConnection } from '../../src/node/node-connection';
import type { DecodedPacket, PacketKind, PacketMessage } from '../../src/protocol/messages';
import { decodePacket, encodePacket } from '../../src/protocol/packet-codec';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import type { SourceBinding } from '../../src/host/source-binding';
import { hostParts } from '../../src/host/host';
import type { HostListener } from '../../src/host/host-listener';
import { nodeParts } from '../../src/node/node';
import type { SourceDirectory } from '../../src/node/source-directory';
import { FrameDecoder } from '../../src/transport/frame-decoder';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { connectSocket } from '../../src/transport/node/socket-client';
import { connectWebSocket } from '../../src/transport/node/websocket-client';
import { WebSocketStream } from '../../src/transport/node/websocket-stream';
import { WEBSOCKET_SUBPROTOCOL } from '../../src/transport/websocket-messages';
import { parseUrl, webSocketUrl } from '../../src/transport/url';
import { varintSize, writeVarint } from '../../src/transport/varint';
import { recordingLogger, within, type RecordingLogger } from './fixtures';
import { nextEvent } from '../../src/testing';

/** The wait limit for one awaited thing; well under mocha's 10 s so the failure message is ours. */
export const WAIT_MS = 3000;

// ---- waiting -----------------------------------------------------------------------------------

/** The error `p` rejects with; fails the test if it resolves or takes longer than `ms`. */
export async function rejectionOf(p: Promise<unknown>, what = 'the promise', ms = WAIT_MS): Promise<Error> {
  let value: unknown;
  try {
    value = await within(p, ms, what);
  } catch (err) {
    expect(err, `${what} rejected with a non-Error`).to.be.instanceOf(Error);
    if (err instanceof Error && err.message === `timed out after ${ms} ms waiting for ${what}`) throw err;
    return err as Error;
  }
  return expect.fail(`${what} should have rejected, but resolved with ${String(value)}`);
}

/** The error `fn` throws synchronously; fails the test if it does not throw. */
export function thrownBy(fn: () => unknown, what = 'the call'): Error {
  try {
    fn();
  } catch (err) {
    expect(err, `${what} threw a non-Error`).to.be.instanceOf(Error);
    return err as Error;
  }
  return expect.fail(`${what} should have thrown`);
}

/** Asserts `err` is a TsroError with `code` and returns it typed. */
export function expectTsro(err: unknown, code: string | readonly string[]): TsroError {
  expect(err, `expected a TsroError, got ${String(err)}`).to.be.instanceOf(TsroError);
  const e = err as TsroError;
  if (typeof code === 'string') expect(e.code, e.message).to.equal(code);
  else expect(code, e.message).to.include(e.code);
  return e;
}

/** The next `event` of a node EventEmitter (a source object), within `ms`. */
export function sourceEvent(emitter: EventEmitter, event: string, ms = WAIT_MS): Promise<unknown[]> {
  return nextEvent(emitter, event, { timeout: ms });
}

/** Resolves after the current I/O phase: lets already-queued callbacks run (not a sleep). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Records the calls of `obj[method]` (an own or inherited method, internal ones included) while
 * still calling it, and lets a test await a call.
 */
export class Tap<A extends unknown[] = unknown[]> {
  readonly calls: A[] = [];
  private readonly waiters: { pred: (...args: A) => boolean; resolve: (args: A) => void }[] = [];
  private readonly hadOwn: boolean;
  private readonly original: (...args: unknown[]) => unknown;

  constructor(
    private readonly obj: object,
    private readonly method: string,
  ) {
    const target = obj as Record<string, (...args: unknown[]) => unknown>;
    this.hadOwn = Object.prototype.hasOwnProperty.call(obj, method);
    this.original = target[method]!;
    if (typeof this.original !== 'function') throw new Error(`Tap: ${method} is not a method`);
    const original = this.original;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tap = this;
    target[method] = function (this: unknown, ...args: unknown[]): unknown {
      const result = original.apply(this, args);
      tap.record(args as A);
      return result;
    };
  }

  get count(): number {
    return this.calls.length;
  }

  /** Resolves with the args of the first call (past or future) matching `pred`. */
  until(pred: (...args: A) => boolean = () => true, ms = WAIT_MS, what = `a call of ${this.method}`): Promise<A> {
    const found = this.calls.find((c) => pred(...c));
    if (found) return Promise.resolve(found);
    return within(new Promise<A>((resolve) => this.waiters.push({ pred, resolve })), ms, what);
  }

  /** Resolves with the args of the next call from now on matching `pred`. */
  next(pred: (...args: A) => boolean = () => true, ms = WAIT_MS, what = `the next call of ${this.method}`): Promise<A> {
    return within(new Promise<A>((resolve) => this.waiters.push({ pred, resolve })), ms, what);
  }

  restore(): void {
    const target = this.obj as Record<string, unknown>;
    if (this.hadOwn) target[this.method] = this.original;
    else delete target[this.method];
  }

  private record(args: A): void {
    this.calls.push(args);
    for (const w of [...this.waiters]) {
      if (w.pred(...args)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(args);
      }
    }
  }
}

/** Records every event of `names` a replica (or any emitter) emits, in order. */
export function recordEvents(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  source: { on(event: string, fn: (...args: any[]) => void): unknown },
  names: readonly string[],
): { event: string; args: unknown[] }[] {
  const log: { event: string; args: unknown[] }[] = [];
  for (const name of names) {
    source.on(name, (...args: unknown[]) => log.push({ event: name, args }));
  }
  return log;
}

// ---- internals tests may look at ---------------------------------------------------------------

/** The host-side binding of a source (internal). */
export function bindingOf(host: Host, name: string): SourceBinding | undefined {
  return hostParts(host).sources.byName(name);
}

/** The node's client connection to `url` (internal). */
export function connectionOf(node: Node, url: string): NodeConnection | undefined {
  return nodeParts(node).pool.connection(url);
}

/** The directory of sources a node's connected hosts offer (internal). */
export function directoryOf(node: Node): SourceDirectory {
  return nodeParts(node).directory;
}

/** The connections a host accepted (internal). */
export function listenerOf(host: Host): HostListener {
  return hostParts(host).listener;
}

/** Names of the sources a node knows are offered (internal). */
export function offeredNames(node: Node): string[] {
  return [...directoryOf(node).entries()].map(([name]) => name).sort();
}

/** Resolves once the node's offers satisfy `done`, checked after every change of them. */
function whenOffers(node: Node, done: () => boolean, ms: number, what: string): Promise<void> {
  if (done()) return Promise.resolve();
  let stop: (() => void) | undefined;
  const changed = new Promise<void>((resolve) => {
    stop = directoryOf(node).watch(() => {
      if (done()) resolve();
    });
  });
  return within(changed, ms, what).finally(() => stop?.());
}

/** Resolves once `node` has heard (SourceList / SourceAdded) that `name` is offered. */
export function whenOffered(node: Node, name: string, ms = WAIT_MS): Promise<void> {
  return whenOffers(node, () => offeredNames(node).includes(name), ms, `the node to hear of "${name}"`);
}

let barriers = 0;

/**
 * Resolves once `host` has handled everything `node` sent it before this call: a fresh source is
 * acquired over the same connection, and the host answers requests in order.
 */
export async function barrier(node: Node, host: Host): Promise<void> {
  const name = `barrier-${++barriers}`;
  const source = new Counter();
  host.enableRemoting(source, name);
  const r = node.acquireDynamic(name);
  try {
    if (!(await r.waitForSource(WAIT_MS))) throw new Error(`the barrier source ${name} never became valid`);
  } finally {
    r.release();
    host.disableRemoting(source);
  }
}

/** Resolves once `node` has heard that `name` is no longer offered. */
export function whenWithdrawn(node: Node, name: string, ms = WAIT_MS): Promise<void> {
  return whenOffers(node, () => !offeredNames(node).includes(name), ms, `the node to hear "${name}" is gone`);
}

/** Records the node's connections as they end, each with its error (internal). */
export function closedConnections(w: World, node: Node): Tap<[NodeConnection, unknown]> {
  const sink = { closed(_connection: NodeConnection, _error: unknown): void {} };
  const tap = w.tap<[NodeConnection, unknown]>(sink, 'closed');
  w.defer(nodeParts(node).pool.onConnectionClosed((c, e) => sink.closed(c, e)));
  return tap;
}

/** Number of accepted connections a host has (internal). */
export function hostConnectionCount(host: Host): number {
  return listenerOf(host).size;
}

/** Taps the packets a node's connection to `url` receives (internal). */
export function tapReceived(node: Node, url: string): Tap<[DecodedPacket]> {
  const channel = nodeParts(node).pool.frameLink(url);
  if (!channel) throw new Error(`node has no connection to ${url}`);
  // Watched at the frame level: steady-state packets skip NodeConnection.receive (hot path).
  const sink = { receive(_packet: DecodedPacket): void {} };
  const tap = new Tap<[DecodedPacket]>(sink, 'receive');
  const original = channel.onFrame;
  channel.onFrame = (frame: Uint8Array): void => {
    original.call(channel, frame);
    sink.receive(decodePacket(frame));
  };
  // A peer reads frames in place where the link offers it (onFrameAt): tapped there too.
  const originalAt = channel.onFrameAt;
  if (originalAt !== undefined) {
    channel.onFrameAt = (buf: Uint8Array, start: number, end: number): void => {
      originalAt.call(channel, buf, start, end);
      sink.receive(decodePacket(buf.subarray(start, end)));
    };
  }
  const restore = tap.restore.bind(tap);
  tap.restore = (): void => {
    restore();
    channel.onFrame = original;
    channel.onFrameAt = originalAt;
  };
  return tap;
}

// ---- a world of hosts and nodes, closed after each test ----------------------------------------

export class World {
  /** Default logger of hosts this world opens. */
  readonly hostLog: RecordingLogger = recordingLogger();
  /** Default logger of nodes this world opens. */
  readonly nodeLog: RecordingLogger = recordingLogger();
  private readonly closers: (() => unknown)[] = [];
  private errorsExpected = false;

  /**
   * By default a test fails if anything was logged at error level (a listener threw, a host
   * could not listen...): call this in a test that provokes such a line on purpose.
   */
  allowLoggedErrors(): void {
    this.errorsExpected = true;
  }

  /** Registers something to close (in reverse order) after the test. */
  defer(close: () => unknown): void {
    this.closers.push(close);
  }

  tap<A extends unknown[] = unknown[]>(obj: object, method: string): Tap<A> {
    const t = new Tap<A>(obj, method);
    this.defer(() => t.restore());
    return t;
  }

  /** A host on `url` (default tcp://127.0.0.1:0), listening. */
  async host(url = 'tcp://127.0.0.1:0', options: HostOptions = {}): Promise<Host> {
    const host = new Host(url, { logger: this.hostLog, ...options });
    this.defer(() => host.close());
    await within(host.listening, WAIT_MS, `host ${url} to listen`);
    return host;
  }

  /** A node, not connected. */
  node(options: NodeOptions = {}): Node {
    const node = new Node({ logger: this.nodeLog, ...options });
    this.defer(() => node.close());
    return node;
  }

  /** A node connected to `host`. */
  async connectedNode(host: Host, options: NodeOptions = {}): Promise<Node> {
    const node = this.node(options);
    await within(node.connectToNode(host.hostUrl), WAIT_MS, `a node to connect to ${host.hostUrl}`);
    return node;
  }

  /** A raw socket client, connected to `url`. */
  async raw(url: string): Promise<RawClient> {
    const client = await RawClient.connect(url);
    this.defer(() => client.destroy());
    return client;
  }

  async close(): Promise<void> {
    const closers = this.closers.splice(0).reverse();
    const errors: unknown[] = [];
    for (const c of closers) {
      try {
        await within(Promise.resolve(c()), WAIT_MS, 'closing a test resource');
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
    if (!this.errorsExpected) {
      const logged = [...this.hostLog.lines, ...this.nodeLog.lines].filter((l) => l.level === 'error');
      expect(logged.map((l) => `${l.message} ${String(l.error ?? '')}`), 'lines logged at error level').to.deep.equal([]);
    }
  }
}

// ---- speaking the wire protocol by hand --------------------------------------------------------

/** `body` with its varint length prefix: one frame. */
export function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(varintSize(body.length) + body.length);
  const at = writeVarint(out, 0, body.length);
  out.set(body, at);
  return out;
}

/** A varint alone (e.g. a length prefix with no body after it). */
export function varint(n: number): Buffer {
  const out = Buffer.alloc(varintSize(n));
  writeVarint(out, 0, n);
  return out;
}

/** One encoded packet, framed. */
export function packetFrame(p: PacketMessage): Buffer {
  return frame(encodePacket(p));
}

/** A handshake frame announcing `version`. */
export function handshakeFrame(version = PROTOCOL_VERSION, maxFrameSize?: number): Buffer {
  return packetFrame({ handshake: { version, agent: 'tsro spec raw client', ...(maxFrameSize ? { maxFrameSize } : {}) } } as PacketMessage);
}

/**
 * A plain socket that records the frames it receives (decoded as packets where they decode) and
 * lets a test send anything, well-formed or not.
 */
export class RawClient {
  readonly packets: DecodedPacket[] = [];
  readonly closed: Promise<void>;
  private readonly waiters: { kind: PacketKind; resolve: (p: DecodedPacket) => void }[] = [];
  private readonly decoder: FrameDecoder;
  private isClosed = false;

  /** The connection: a net.Socket for tcp and local URLs, a WebSocketStream for ws (no localPort). */
  private constructor(readonly socket: Duplex & { readonly localPort?: number }) {
    this.decoder = new FrameDecoder(64 * 1024 * 1024, (f) => this.onFrame(f), 'raw peer');
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static async connect(url: string): Promise<RawClient> {
    const address = parseUrl(url);
    const connecting =
      address.scheme === 'ws' || address.scheme === 'wss'
        ? connectWebSocket(address, { maxFrameSize: 64 * 1024 * 1024 })
        : connectSocket(address);
    const socket = await within(connecting, WAIT_MS, `a raw connection to ${url}`);
    return new RawClient(socket);
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  sendPacket(p: PacketMessage): void {
    this.send(packetFrame(p));
  }

  /** The first packet (past or future) of `kind`. */
  packet(kind: PacketKind, ms = WAIT_MS): Promise<DecodedPacket> {
    const found = this.packets.find((p) => p.kind === kind);
    if (found) return Promise.resolve(found);
    return within(new Promise((resolve) => this.waiters.push({ kind, resolve })), ms, `a ${kind} packet`);
  }

  /** Resolves when the other side has closed the connection. */
  whenClosed(ms = WAIT_MS): Promise<void> {
    return within(this.closed, ms, 'the raw connection to close');
  }

  /** Sends Handshake and waits for the host's SourceList. */
  async handshake(maxFrameSize?: number): Promise<DecodedPacket> {
    this.send(handshakeFrame(PROTOCOL_VERSION, maxFrameSize));
    return this.packet('sourceList');
  }

  /** A round trip: after it, the peer has processed everything sent before, and sent its reply. */
  async roundTrip(nonce: number): Promise<void> {
    const pong = new Promise<void>((resolve) => {
      const check = (p: DecodedPacket): void => {
        if (p.kind === 'pong' && p.pong?.nonce === nonce) resolve();
        else this.waiters.push({ kind: 'pong', resolve: check });
      };
      this.waiters.push({ kind: 'pong', resolve: check });
    });
    this.sendPacket({ ping: { nonce } });
    await within(pong, WAIT_MS, `pong ${nonce}`);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onFrame(f: Uint8Array): void {
    let p: DecodedPacket;
    try {
      p = decodePacket(Uint8Array.from(f));
    } catch {
      return;
    }
    this.packets.push(p);
    const ready = this.waiters.filter((w) => w.kind === p.kind);
    for (const w of ready) this.waiters.splice(this.waiters.indexOf(w), 1);
    for (const w of ready) w.resolve(p);
  }
}

// ---- fixture classes ---------------------------------------------------------------------------

/** Carries values of every kind: `any`-typed property, slot, signal; int64; never-settling slot. */
@RemoteObjectType('Gadget')
export class Gadget extends EventEmitter {
  @Property({ type: 'any' }) anything: unknown = null;
  @Property({ type: 'int64' }) big: bigint = 0n;
  @Property({ type: 'double' }) ratio = 0.5;
  @Property({ type: 'string' }) label = 'gadget';
  @Signal({ params: ['any'] }) sent(_value: unknown): void {}
  @Signal({ params: ['any', 'any'] }) pair(_a: unknown, _b: unknown): void {}
  @Slot({ params: ['any'], returns: 'any' }) echo(value: unknown): unknown {
    this.received.push(value);
    return value;
  }
  @Slot({ params: ['any'], returns: 'any' }) async echoLater(value: unknown): Promise<unknown> {
    await Promise.resolve();
    this.received.push(value);
    return value;
  }
  @Slot({ returns: 'any' }) makeFunction(): unknown {
    return () => 1;
  }
  @Slot({ params: ['int32'], returns: 'int32' }) twice(n: number): number {
    return n * 2;
  }
  @Slot({ params: ['int32', 'int32'], returns: 'int32' }) async slowAdd(a: number, b: number): Promise<number> {
    // Settles in a later turn, so that many calls are in flight at once.
    await new Promise((resolve) => setImmediate(resolve));
    return a + b;
  }
  /** Never settles; emits the local (not remoted) event `hangEntered` when called. */
  @Slot() hang(): Promise<void> {
    this.emit('hangEntered');
    return new Promise<void>(() => {});
  }
  /** Values the slots received, in order (not remoted). */
  received: unknown[] = [];
}

/** A second, unrelated source, for barriers and routing. */
@RemoteObjectType('Counter')
export class Counter extends EventEmitter {
  @Property({ type: 'int32' }) value = 0;
  @Signal({ params: ['int32'] }) ticked(_n: number): void {}
  @Slot({ returns: 'int32' }) increment(): number {
    this.value += 1;
    return this.value;
  }
}

// ---- a fake host: a plain server that speaks whatever a test makes it speak --------------------

/** A listening plain socket server standing in for a host; `sockets` are the accepted ones. */
export interface FakeHost {
  readonly url: string;
  /** net.Sockets, or WebSocketStreams for a ws:// fake host. */
  readonly sockets: Duplex[];
  /** Frames (decoded as packets where they decode) received on the first accepted socket. */
  readonly received: DecodedPacket[];
  /** Resolves with the first received packet of `kind`. */
  packet(kind: PacketKind, ms?: number): Promise<DecodedPacket>;
  close(): Promise<void>;
}

/**
 * Listens on `url` (tcp://127.0.0.1:0, ws://127.0.0.1:0/path or a local: URL) and calls
 * `onSocket` for every accepted socket. Closed by the World.
 */
export async function fakeHost(w: World, url: string, onSocket: (socket: Duplex) => void): Promise<FakeHost> {
  const address = parseUrl(url);
  const sockets: Duplex[] = [];
  const received: DecodedPacket[] = [];
  const waiters: { kind: PacketKind; resolve: (p: DecodedPacket) => void }[] = [];
  const accept = (socket: Duplex): void => {
    sockets.push(socket);
    socket.on('error', () => {});
    if (sockets.length === 1) {
      const decoder = new FrameDecoder(64 * 1024 * 1024, (f) => {
        let p: DecodedPacket;
        try {
          p = decodePacket(Uint8Array.from(f));
        } catch {
          return;
        }
        received.push(p);
        for (const wt of waiters.filter((x) => x.kind === p.kind)) {
          waiters.splice(waiters.indexOf(wt), 1);
          wt.resolve(p);
        }
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          decoder.push(chunk);
        } catch {
          socket.destroy();
        }
      });
    }
    onSocket(socket);
  };
  if (address.scheme === 'ws') {
    const wss = new WebSocketServer({ host: address.host, port: address.port, path: address.path, handleProtocols: () => WEBSOCKET_SUBPROTOCOL });
    wss.on('connection', (ws) => accept(new WebSocketStream(ws, { label: 'fake host peer', maxFrameSize: 64 * 1024 * 1024 })));
    await once(wss, 'listening');
    const port = (wss.address() as net.AddressInfo).port;
    const close = (): Promise<void> =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        wss.close(() => resolve());
      });
    w.defer(close);
    return fakeHostView(webSocketUrl('ws', address.host, port, address.path), sockets, received, waiters, close);
  }
  const server = net.createServer(accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (address.scheme === 'local') server.listen({ path: address.path }, resolve);
    else if (address.scheme !== 'custom') server.listen({ host: address.host, port: address.port }, resolve);
  });
  const bound =
    address.scheme === 'tcp' ? `tcp://${address.host}:${(server.address() as net.AddressInfo).port}` : address.url;
  const close = (): Promise<void> =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  w.defer(close);
  return fakeHostView(bound, sockets, received, waiters, close);
}

function fakeHostView(
  bound: string,
  sockets: Duplex[],
  received: DecodedPacket[],
  waiters: { kind: PacketKind; resolve: (p: DecodedPacket) => void }[],
  close: () => Promise<void>,
): FakeHost {
  return {
    url: bound,
    sockets,
    received,
    packet(kind, ms = WAIT_MS) {
      const found = received.find((p) => p.kind === kind);
      if (found) return Promise.resolve(found);
      return within(new Promise<DecodedPacket>((resolve) => waiters.push({ kind, resolve })), ms, `a ${kind} packet at the fake host`);
    },
    close,
  };
}
