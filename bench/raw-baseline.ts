// The raw-socket baseline: the same traffic as tsro's, as plain frames on a bare `net` socket.
//
// Frames are a varint length prefix and a fixed little-endian binary body (no protobuf, no
// source ids, no type tags beyond one opcode byte on requests). Writes are batched exactly as
// tsro's FrameWriter does it: frames are copied into a shared buffer and the buffer goes to the
// socket in ONE write per event-loop turn (setImmediate). Reading parses frames in place, with no
// copy unless a frame spans chunks. It is independent of tsro's own transport code on purpose,
// so that a change there cannot move the baseline.
//
// Requests (client -> server), first byte is the opcode:
//   OP_ADD        [op][u32 serial][i32 a][i32 b]   -> reply [u32 serial][i32 a+b]
//   OP_SNAPSHOT   [op][u8 kind]                   -> reply [snapshot payload, see the init scenario]
//   OP_SUBSCRIBE  [op][u32 id]                    -> reply [u32 id][i32 value]
//   OP_STREAM     [op][u32 n]                     -> frames [u32 count][i32 item]*count, items 0..n-1
//                                                    in order, up to 256 a frame (no flow control)
// Pushes (server -> client):
//   property update  [i32 value]
//   signal           [i32 n][utf-8 string]

import * as fs from 'node:fs';
import * as net from 'node:net';
import { netAddress, withTimeout } from './util';

export const OP_ADD = 1;
export const OP_SNAPSHOT = 2;
export const OP_SUBSCRIBE = 3;
export const OP_STREAM = 4;
const RAW_STREAM_BATCH = 256;

const INITIAL_CAPACITY = 64 * 1024;
const EMPTY = Buffer.alloc(0);

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/**
 * Batches frames per event-loop turn and hands each batch to every socket in `sockets` (one
 * socket normally; several for a fan-out, which then encodes once and writes the same bytes to
 * each, the best a hand-written fan-out can do).
 */
export class RawWriter {
  // Allocated on the first frame (an idle connection holds none), then kept, as tsro's is.
  buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private scheduled = false;
  private readonly flushCb = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(readonly sockets: net.Socket[]) {}

  /** Appends a frame with a `len`-byte body; returns the offset of the body in `this.buf`. */
  begin(len: number): number {
    const need = varintSize(len) + len;
    if (this.buf.length - this.end < need) this.grow(need);
    const buf = this.buf;
    let o = this.end;
    let n = len;
    while (n >= 0x80) {
      buf[o++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[o++] = n;
    this.end = o + len;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushCb);
    }
    return o;
  }

  flush(): void {
    if (this.end === this.start) return;
    const bytes = this.buf.subarray(this.start, this.end);
    this.start = this.end;
    for (const s of this.sockets) if (s.writable) s.write(bytes);
  }

  private grow(need: number): void {
    const pending = this.end - this.start;
    let capacity = INITIAL_CAPACITY;
    while (capacity < pending + need) capacity *= 2;
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, this.start, this.end);
    this.buf = next;
    this.start = 0;
    this.end = pending;
  }
}

/** Splits a byte stream into frames; `onFrame(buf, start, end)` gets each body in place. */
export class RawReader {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes (prefix included) the stashed partial frame needs; 0 if its prefix is incomplete. */
  private need = 0;

  constructor(private readonly onFrame: (buf: Buffer, start: number, end: number) => void) {}

  push(chunk: Buffer): void {
    if (this.partsLength > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.need > 0 && this.partsLength < this.need) return;
      chunk = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
      this.need = 0;
    }
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      let p = pos;
      let len = 0;
      let mul = 1;
      let b: number;
      do {
        if (p >= end) {
          this.stash(chunk, pos, 0);
          return;
        }
        b = chunk[p++]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
      } while (b & 0x80);
      if (p + len > end) {
        this.stash(chunk, pos, p - pos + len);
        return;
      }
      this.onFrame(chunk, p, p + len);
      pos = p + len;
    }
  }

  private stash(chunk: Buffer, pos: number, need: number): void {
    const rest = chunk.subarray(pos);
    this.parts = [rest];
    this.partsLength = rest.length;
    this.need = need;
  }
}

/** A connected socket carrying raw frames. */
export class RawConn {
  readonly writer: RawWriter;
  private readonly reader: RawReader;
  onFrame: (buf: Buffer, start: number, end: number) => void = () => {};
  private readonly closedPromise: Promise<void>;

  constructor(readonly socket: net.Socket) {
    if (typeof socket.setNoDelay === 'function' && socket.remotePort !== undefined) socket.setNoDelay(true);
    this.writer = new RawWriter([socket]);
    this.reader = new RawReader((b, s, e) => this.onFrame(b, s, e));
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    socket.on('end', () => socket.end());
  }

  /** Flushes, ends the socket and resolves once it has closed (destroying it after 2 s). */
  close(): Promise<void> {
    this.writer.flush();
    if (!this.socket.destroyed) {
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 2000);
      t.unref();
    }
    return this.closedPromise;
  }
}

export function rawConnect(url: string): Promise<RawConn> {
  const once = (): Promise<RawConn> =>
    new Promise<RawConn>((resolve, reject) => {
      const socket = net.connect({ ...netAddress(url), noDelay: true } as net.NetConnectOpts);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RawConn(socket));
      });
    });
  // A Unix socket's connect completes as soon as it is queued, so many quick connects can fill
  // the listen backlog of a busy server (EAGAIN): wait a little and try again.
  const attempt = async (): Promise<RawConn> => {
    for (let tries = 0; ; tries++) {
      try {
        return await once();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || tries >= 200) throw err;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  return withTimeout(attempt(), 10_000, `raw connect to ${url}`);
}

export interface RawServer {
  readonly url: string;
  readonly connections: Set<RawConn>;
  close(): Promise<void>;
}

/** Listens on a tsro-style URL (`tcp://127.0.0.1:0`, `local:name`) and wraps every accepted socket. */
export async function rawListen(url: string, onConn: (conn: RawConn) => void): Promise<RawServer> {
  const address = netAddress(url);
  if ('path' in address) {
    try {
      fs.unlinkSync(address.path);
    } catch {
      // not there: fine
    }
  }
  const server = net.createServer({ noDelay: true });
  const connections = new Set<RawConn>();
  server.on('connection', (socket) => {
    const conn = new RawConn(socket);
    connections.add(conn);
    socket.once('close', () => connections.delete(conn));
    onConn(conn);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const bound =
    'path' in address ? url : `tcp://${address.host}:${(server.address() as net.AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    url: bound,
    connections,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.socket.destroy();
      });
      return closed;
    },
  };
}

// ---- the client side of the request/reply traffic ----------------------------------------------

/** Slot calls as raw request/reply: one Promise per call, matched to its reply by serial. */
export class RawRpcClient {
  private serial = 0;
  private readonly pending = new Map<number, (value: number) => void>();
  /** When set, replies go here instead of to Promises (see `send`). */
  onReply: ((serial: number, value: number) => void) | undefined = undefined;

  constructor(readonly conn: RawConn) {
    conn.onFrame = (buf, start) => {
      const serial = buf.readUInt32LE(start);
      const value = buf.readInt32LE(start + 4);
      if (this.onReply !== undefined) {
        this.onReply(serial, value);
        return;
      }
      const resolve = this.pending.get(serial);
      if (resolve === undefined) throw new Error(`raw reply to unknown serial ${serial}`);
      this.pending.delete(serial);
      resolve(value);
    };
  }

  add(a: number, b: number): Promise<number> {
    const serial = this.send(a, b);
    return new Promise((resolve) => this.pending.set(serial, resolve));
  }

  /** Sends a call without a Promise; the reply goes to `onReply`. Returns the serial. */
  send(a: number, b: number): number {
    const serial = (this.serial = (this.serial + 1) >>> 0);
    const w = this.conn.writer;
    const o = w.begin(13);
    const buf = w.buf;
    buf[o] = OP_ADD;
    buf.writeUInt32LE(serial, o + 1);
    buf.writeInt32LE(a, o + 5);
    buf.writeInt32LE(b, o + 9);
    return serial;
  }
}

/** Asks for a raw stream of `n` items and resolves once all arrived (checking their order). */
export function rawStream(conn: RawConn, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    conn.onFrame = (buf, start) => {
      const count = buf.readUInt32LE(start);
      for (let k = 0; k < count; k++) {
        if (buf.readInt32LE(start + 4 + 4 * k) !== next++) reject(new Error('raw stream out of order'));
      }
      if (next === n) {
        conn.onFrame = () => {};
        resolve();
      }
    };
    const o = conn.writer.begin(5);
    conn.writer.buf[o] = OP_STREAM;
    conn.writer.buf.writeUInt32LE(n, o + 1);
  });
}

/** Sends one request and resolves with the body of the next frame the server sends back. */
export function rawRequest(conn: RawConn, body: Uint8Array): Promise<Buffer> {
  return new Promise((resolve) => {
    conn.onFrame = (buf, start, end) => {
      conn.onFrame = () => {};
      resolve(buf.subarray(start, end));
    };
    const o = conn.writer.begin(body.length);
    conn.writer.buf.set(body, o);
  });
}

// ---- the server side -------------------------------------------------------------------------

export interface RawService {
  /** Payload answered to OP_SNAPSHOT of this kind. */
  snapshot?(kind: number): Uint8Array;
  /** Current value of subscribable id (OP_SUBSCRIBE). */
  currentValue?(id: number): number;
}

/** Server-side record of one raw subscription (what a host keeps per replica). */
export interface RawSubscription {
  readonly id: number;
  readonly conn: RawConn;
}

/** Answers raw requests on an accepted connection. Subscriptions are kept in `subscriptions`. */
export function serveRaw(conn: RawConn, service: RawService, subscriptions?: Map<number, RawSubscription[]>): void {
  conn.onFrame = (buf, start, end) => {
    const op = buf[start];
    const w = conn.writer;
    if (op === OP_ADD) {
      const serial = buf.readUInt32LE(start + 1);
      const sum = (buf.readInt32LE(start + 5) + buf.readInt32LE(start + 9)) | 0;
      const o = w.begin(8);
      w.buf.writeUInt32LE(serial, o);
      w.buf.writeInt32LE(sum, o + 4);
    } else if (op === OP_SNAPSHOT) {
      const payload = service.snapshot!(buf[start + 1]!);
      const o = w.begin(payload.length);
      w.buf.set(payload, o);
    } else if (op === OP_STREAM) {
      const n = buf.readUInt32LE(start + 1);
      for (let i = 0; i < n; i += RAW_STREAM_BATCH) {
        const count = Math.min(RAW_STREAM_BATCH, n - i);
        const o = w.begin(4 + 4 * count);
        w.buf.writeUInt32LE(count, o);
        for (let k = 0; k < count; k++) w.buf.writeInt32LE(i + k, o + 4 + 4 * k);
      }
    } else if (op === OP_SUBSCRIBE) {
      const id = buf.readUInt32LE(start + 1);
      if (subscriptions) {
        const list = subscriptions.get(id) ?? [];
        list.push({ id, conn });
        subscriptions.set(id, list);
      }
      const o = w.begin(8);
      w.buf.writeUInt32LE(id, o);
      w.buf.writeInt32LE(service.currentValue ? service.currentValue(id) : 0, o + 4);
    } else {
      throw new Error(`raw server: unknown op ${op} (frame of ${end - start} bytes)`);
    }
  };
}
