// The node side of one acquired model, shared by every ModelReplica handle of it in a node (like
// ReplicaCore for objects, to which it is attached): the row count, the row cache, the requests
// in flight, and the application of the host's deltas in stream order.
//
// Consistency rests on order: the host answers a request from the model as it is when the
// request arrives and sends the answer on the same stream as the deltas, so a reply's indices are
// those of the node's view when the reply is applied (every earlier delta is applied by then).
// The cache is a RowCache that the host mirrors; it is resized only when a reply arrives, at the
// same point of the stream where the host resized its mirror.
//
// Platform-free: no Node.js modules.

import { makeApiDescription, type ApiDescription, type PropertyDescription } from '../api/api-description';
import { conformValue, reviveValue } from '../api/conform';
import { MODEL_TYPE_NAME } from '../api/model-type';
import { sealType, valueTypeOf, wireTypeLabel, wireTypeToString, type WireType } from '../api/wire-type';
import { DisconnectedError, NotValidError, ProtocolError, RemoteError, UsageError, type TsroError } from '../errors';
import { typeFromMessage } from '../protocol/api-codec';
import type { DecodedPacket, ErrorInfoMessage, PacketMessage } from '../protocol/messages';
import { decodeValue, encodeValue, type ValueMessage } from '../protocol/value-codec';
import type { ReplicaCore } from '../replica/replica-core';
import { RowCache } from './row-cache';

/** What a core needs from a handle to tell it about the model. @internal */
export interface ModelHandleSink {
  readonly cacheSize: number;
  readonly prefetch: number;
  readonly fields: readonly string[] | undefined;
  /** The row type the handle's declaration gives (typed rows), if any. */
  readonly localRowType: WireType | undefined;
  deliver(event: string, ...args: unknown[]): void;
}

/** Rows one request asks for at most; a bigger fetch is split. */
export const FETCH_CHUNK = 4096;
/** Misses closer than this are fetched in one request. */
const MISS_GAP = 8;
/** Cache size when no handle says. */
export const DEFAULT_CACHE_SIZE = 1000;

interface Pending {
  readonly kind: 'fetch' | 'miss' | 'set';
  readonly start: number;
  readonly count: number;
  readonly cacheSize: number;
  readonly uncached: boolean;
  /** The subscription it went out on: a ModelInit through another one fails it. */
  readonly sub: unknown;
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

const cores = new WeakMap<ReplicaCore, ModelCore>();

/** The model state of a replica core, if it has one. @internal */
export function existingModelCore(core: ReplicaCore): ModelCore | undefined {
  return cores.get(core);
}

/** The model state of a replica core (made on first use). @internal */
export function modelCoreOf(core: ReplicaCore): ModelCore {
  let m = cores.get(core);
  if (!m) {
    m = new ModelCore(core);
    cores.set(core, m);
  }
  return m;
}

/** The source id a model packet is about, or undefined for other packets. @internal */
export function modelPacketSource(p: DecodedPacket): number | undefined {
  switch (p.kind) {
    case 'modelInit':
    case 'rowsReply':
    case 'rowsInserted':
    case 'rowsRemoved':
    case 'rowsMoved':
    case 'rowsChanged':
    case 'modelReset':
      return (p[p.kind] as { source?: number | null } | null | undefined)?.source ?? 0;
    default:
      return undefined;
  }
}

function bad(core: ModelCore, what: string): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `model "${core.name}": the host sent ${what}`);
}

export class ModelCore {
  readonly handles = new Set<ModelHandleSink>();
  count = 0;
  rowType: WireType = 'any';
  readonly = false;
  /** A ModelInit arrived (at least once). */
  initialized = false;
  readonly cache = new RowCache<unknown>(0);
  private nextRequest = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly missing = new Set<number>();
  private readonly inFlight = new Set<number>();
  private flushScheduled = false;
  /** The subscription the last ModelInit came through: requests go only there. */
  private initializedOn: unknown;

  constructor(private readonly core: ReplicaCore) {}

  get name(): string {
    return this.core.name;
  }

  /**
   * Initialized through the current subscription: requests may go. Between a new subscription
   * and its ModelInit nothing is asked, so the host's mirror never gets rows the node drops.
   */
  get live(): boolean {
    const sub = this.core.subscription;
    return sub !== undefined && sub === this.initializedOn;
  }

  get cacheSize(): number {
    let n = 0;
    for (const h of this.handles) n = Math.max(n, h.cacheSize);
    return this.handles.size === 0 ? DEFAULT_CACHE_SIZE : n;
  }

  private get prefetch(): number {
    let n = 0;
    for (const h of this.handles) n = Math.max(n, h.prefetch);
    return n;
  }

  /** The fields rows are cached with: the union of the handles' hints; undefined = whole rows. */
  get fields(): readonly string[] | undefined {
    const set = new Set<string>();
    for (const h of this.handles) {
      if (!h.fields) return undefined;
      for (const f of h.fields) set.add(f);
    }
    return set.size === 0 ? undefined : [...set];
  }

  private get presentType(): WireType | undefined {
    for (const h of this.handles) if (h.localRowType) return h.localRowType;
    return undefined;
  }

  private present(raw: unknown): unknown {
    const t = this.presentType;
    return t ? reviveValue(t, raw) : raw;
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const h of [...this.handles]) h.deliver(event, ...args);
  }

  // ---- from the host -----------------------------------------------------------------------

  /** ModelInit: a fresh view (first time, or after re-acquiring); the core then initializes. */
  received(p: DecodedPacket): void {
    switch (p.kind) {
      case 'modelInit': {
        const m = p.modelInit!;
        const previous = this.initialized ? this.cache.ranges() : [];
        // Requests sent since this subscription's Acquire (the pipelined prefetch) are answered
        // after this ModelInit and count; older ones will not be answered.
        const current = this.core.subscription;
        this.fail(new DisconnectedError(`model "${this.name}" was re-initialized before the reply`), (p) => p.sub !== current);
        this.rowType = typeFromMessage(m.rowType);
        this.readonly = m.readonly === true;
        this.count = m.count ?? 0;
        this.cache.clear();
        this.cache.resize(0);
        const reinit = this.initialized;
        this.initialized = true;
        this.initializedOn = this.core.subscription;
        this.core.initialize([undefined], this.api());
        if (reinit) this.emit('modelReset');
        this.refill(previous);
        return;
      }
      case 'rowsReply':
        this.reply(p.rowsReply!.request ?? 0, p.rowsReply!.start ?? 0, p.rowsReply!.rows ?? [], p.rowsReply!.error);
        return;
      case 'rowsInserted': {
        const m = p.rowsInserted!;
        const start = m.start ?? 0;
        const count = m.count ?? 0;
        const rows = m.rows ?? [];
        if (start > this.count || (rows.length !== 0 && rows.length !== count)) throw bad(this, `rows inserted at ${start} of ${this.count}`);
        this.count += count;
        this.cache.rowsInserted(start, count);
        for (let k = 0; k < rows.length; k++) this.cache.put(start + k, this.present(decodeValue(rows[k])));
        this.emit('rowsInserted', start, count);
        return;
      }
      case 'rowsRemoved': {
        const m = p.rowsRemoved!;
        const start = m.start ?? 0;
        const count = m.count ?? 0;
        if (start + count > this.count) throw bad(this, `rows removed past the end`);
        this.count -= count;
        this.cache.rowsRemoved(start, count);
        this.emit('rowsRemoved', start, count);
        return;
      }
      case 'rowsMoved': {
        const m = p.rowsMoved!;
        const start = m.start ?? 0;
        const count = m.count ?? 0;
        const destination = m.destination ?? 0;
        if (start + count > this.count || destination > this.count || (destination >= start && destination <= start + count)) {
          throw bad(this, `an invalid move`);
        }
        this.cache.rowsMoved(start, count, destination);
        this.emit('rowsMoved', start, count, destination);
        return;
      }
      case 'rowsChanged': {
        const m = p.rowsChanged!;
        const start = m.start ?? 0;
        const rows = m.rows ?? [];
        if (start + rows.length > this.count) throw bad(this, `rows changed past the end`);
        for (let k = 0; k < rows.length; k++) this.cache.update(start + k, this.present(decodeValue(rows[k])));
        this.emit('rowsChanged', start, rows.length);
        return;
      }
      case 'modelReset': {
        const previous = this.cache.ranges();
        this.count = p.modelReset!.count ?? 0;
        this.cache.clear();
        this.emit('modelReset');
        this.refill(previous);
        return;
      }
    }
  }

  /** The API a model source has (the signature it announced: the source list vouches for it). */
  private api(): ApiDescription {
    const signature = this.core.subscription?.signature ?? '';
    const list: PropertyDescription = { name: 'list', index: 0, type: sealType({ array: this.rowType }), readonly: true, mode: 'readonly' };
    return makeApiDescription(MODEL_TYPE_NAME, [list], [], [], signature);
  }

  /** After an init or reset: the prefetch, and the rows held before (a view keeps showing its rows). */
  private refill(previous: readonly [number, number][]): void {
    const prefetch = Math.min(this.prefetch, this.count);
    const pipelined = this.prefetchedOn !== undefined && this.prefetchedOn === this.core.subscription;
    this.prefetchedOn = undefined;
    if (prefetch > 0 && !pipelined) this.miss(0, prefetch);
    let budget = this.cacheSize - prefetch;
    for (const [start, n] of previous) {
      const from = Math.max(start, prefetch);
      const to = Math.min(start + n, this.count);
      if (to <= from || budget <= 0) continue;
      const count = Math.min(to - from, budget);
      budget -= count;
      this.miss(from, count);
    }
  }

  /** Fetches rows into the cache for a view (no caller waits): misses, prefetch, refills. */
  private miss(start: number, count: number, early = false): void {
    for (let k = start; k < start + count; k++) this.inFlight.add(k);
    for (let s = start; s < start + count; s += FETCH_CHUNK) {
      this.request('miss', s, Math.min(FETCH_CHUNK, start + count - s), false, undefined, early).catch(() => {});
    }
  }

  /** The subscription the prefetch was sent on with its Acquire. */
  private prefetchedOn: unknown;

  /**
   * The node just sent Acquire on a new subscription: the prefetch goes right behind it rather
   * than after the ModelInit, saving a round trip (the host answers in order: ModelInit, then
   * the rows, clamped to the model's length). @internal
   */
  acquired(): void {
    const prefetch = this.prefetch;
    if (prefetch <= 0 || this.handles.size === 0) return;
    this.prefetchedOn = this.core.subscription;
    this.miss(0, prefetch, true);
  }

  private reply(request: number, start: number, rows: readonly ValueMessage[], error: ErrorInfoMessage | null | undefined): void {
    const pending = this.pending.get(request);
    if (!pending) {
      // A reply to a request failed meanwhile (re-initialized) is dropped; one never asked is a breach.
      if (request === 0 || request >= this.nextRequest) throw bad(this, `a reply to unknown request #${request}`);
      return;
    }
    this.pending.delete(request);
    if (pending.kind === 'miss') for (let i = pending.start; i < pending.start + pending.count; i++) this.inFlight.delete(i);
    if (error) {
      const code = error.code ?? 'REMOTE';
      pending.reject(new RemoteError(error.name || 'Error', error.message ?? '', code === 'REMOTE' ? undefined : code));
      return;
    }
    if (pending.kind === 'set') {
      pending.resolve([]);
      return;
    }
    if (rows.length > 0 && start + rows.length > this.count) throw bad(this, `rows past the end`);
    const values = rows.map((r) => this.present(decodeValue(r)));
    if (!pending.uncached) {
      this.cache.resize(pending.cacheSize);
      for (let k = 0; k < values.length; k++) this.cache.put(start + k, values[k]);
      if (values.length > 0) this.emit('rowsChanged', start, values.length);
    }
    pending.resolve(values);
  }

  // ---- from handles ------------------------------------------------------------------------

  /** Row `index` if cached; else undefined, and a fetch of it is scheduled (batched with other misses). */
  row(index: number): unknown {
    const v = this.cache.get(index);
    if (v !== undefined || this.cache.has(index)) return v;
    if (!this.live || !Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    if (!this.inFlight.has(index)) {
      this.missing.add(index);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flushMisses());
      }
    }
    return undefined;
  }

  private flushMisses(): void {
    this.flushScheduled = false;
    const indices = [...this.missing].filter((i) => i < this.count && !this.cache.has(i) && !this.inFlight.has(i)).sort((a, b) => a - b);
    this.missing.clear();
    if (!this.live) return;
    let i = 0;
    while (i < indices.length) {
      const start = indices[i]!;
      let end = start + 1;
      while (i + 1 < indices.length && indices[i + 1]! - (end - 1) <= MISS_GAP && indices[i + 1]! + 1 - start <= FETCH_CHUNK) end = indices[++i]! + 1;
      i++;
      this.miss(start, end - start);
    }
  }

  /** Rows [start, start + count): from the cache if all are there, else from the host. */
  async fetch(start: number, count: number, fields: readonly string[] | undefined): Promise<unknown[]> {
    const cachedFields = this.fields;
    const uncached = fields !== undefined && !sameFields(fields, cachedFields);
    if (!uncached) {
      const out: unknown[] = [];
      for (let i = start; i < start + count && this.cache.has(i); i++) out.push(this.cache.get(i));
      if (out.length === count) return out;
    }
    const out: unknown[] = [];
    for (let s = start; s < start + count; s += FETCH_CHUNK) {
      const rows = await this.request('fetch', s, Math.min(FETCH_CHUNK, start + count - s), uncached, uncached ? fields : undefined);
      for (const r of rows) out.push(r);
      if (rows.length < Math.min(FETCH_CHUNK, start + count - s)) break; // the model shrank meanwhile
    }
    return out;
  }

  /** Asks the source to set row `index`; resolves once applied (the change arrives first). */
  set(index: number, row: unknown): Promise<void> {
    const what = `row ${index} of model "${this.name}"`;
    const conformed = conformValue(this.presentType ?? this.localTypeOf(row) ?? this.rowType, row, what);
    const value = encodeValue(conformed, what);
    return this.send('set', { rowSet: { source: 0, request: 0, index, row: value } }, index, 1, false).then(() => undefined);
  }

  /** A @ValueType instance whose class declares exactly the source's row type: checked as its class. */
  private localTypeOf(row: unknown): WireType | undefined {
    const local = row !== null && typeof row === 'object' ? valueTypeOf((row as { constructor?: unknown }).constructor) : undefined;
    return local && wireTypeToString(local) === wireTypeToString(this.rowType) ? local : undefined;
  }

  private request(kind: 'fetch' | 'miss', start: number, count: number, uncached: boolean, fields?: readonly string[], early = false): Promise<unknown[]> {
    const f = uncached ? fields : this.fields;
    const packet: PacketMessage = {
      rowsRequest: { source: 0, request: 0, start, count, cacheSize: this.cacheSize, fields: f ? [...f] : [], uncached },
    };
    return this.send(kind, packet, start, count, uncached, early);
  }

  private send(kind: Pending['kind'], packet: PacketMessage, start: number, count: number, uncached: boolean, early = false): Promise<unknown[]> {
    return new Promise<unknown[]>((resolve, reject) => {
      const sub = this.core.subscription;
      if (!sub || !(this.live || early)) throw new NotValidError(`model "${this.name}" is not valid`);
      const request = this.nextRequest++;
      const body = (packet.rowsRequest ?? packet.rowSet)!;
      body.source = sub.sourceId;
      body.request = request;
      const cacheSize = packet.rowsRequest?.cacheSize ?? 0;
      if (!sub.connection.send(packet)) throw new DisconnectedError(`model "${this.name}": the connection to ${sub.connection.url} is closed`);
      this.pending.set(request, { kind, start, count, cacheSize, uncached, sub, resolve, reject });
    });
  }

  /** Every request in flight fails (connection lost, re-initialized, released). */
  fail(error: TsroError, which: (p: Pending) => boolean = () => true): void {
    const failed: Pending[] = [];
    for (const [request, p] of this.pending) {
      if (!which(p)) continue;
      this.pending.delete(request);
      failed.push(p);
      if (p.kind === 'miss') for (let i = p.start; i < p.start + p.count; i++) this.inFlight.delete(i);
    }
    if (this.pending.size === 0) this.inFlight.clear();
    this.missing.clear();
    for (const p of failed) p.reject(error);
  }

  /** Checks a handle's call against the view. @internal */
  checkRange(start: number, count: number, what: string): void {
    const ok = Number.isSafeInteger(start) && Number.isSafeInteger(count) && start >= 0 && count >= 0 && start + count <= this.count;
    if (!ok) throw new UsageError('OUT_OF_RANGE', `model "${this.name}": cannot ${what} ${String(count)} rows from ${String(start)} of ${this.count}`);
  }

  /** A short label of the row type for messages. */
  get rowLabel(): string {
    return wireTypeLabel(this.rowType);
  }
}

function sameFields(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (!b) return false;
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((f) => set.has(f));
}
