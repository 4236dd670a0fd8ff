// The host side of a remoted ListModel: a source binding whose API is the model's (one readonly
// `list` property, see src/api/model-type.ts) and which, instead of property values, serves rows.
// It answers Acquire with ModelInit (the row count), RowsRequest with the rows asked for, RowSet
// by setting the row on the model, and turns each model operation into one delta packet.
//
// Per subscribed connection it keeps a RowCache mirror of the rows that node holds (same events,
// same order, same eviction rule as the node's cache), so that a changed row goes only to the
// nodes holding it and inserted rows only to nodes watching that spot. Packets are encoded once
// per distinct field selection (roles hint) and shared by every connection with that selection.
//
// Requests come from the network: every index, count, size and field name is checked, and a
// refusal is a RowsReply with an error (code and message); nothing a peer sends throws here.

import { ProtocolError, NotValidError, UsageError, LimitError } from '../errors';
import { modelApi } from '../api/model-type';
import type { DecodedPacket, PacketMessage } from '../protocol/messages';
import { encodePacket } from '../protocol/packet-codec';
import { typeToMessage } from '../protocol/api-codec';
import { decodeValue, encodeValue, type ValueMessage } from '../protocol/value-codec';
import { errorInfo, SourceBinding, type ChildHost, type SourceListener } from './source-binding';
import { modelInternals, type ModelInternals, type ModelObserver } from '../model/list-model';
import { RowCache } from '../model/row-cache';
import { rowFieldNames } from '../model/row-fields';

/** Most rows one RowsRequest may ask for; nodes split bigger fetches. */
export const MAX_ROWS_PER_REQUEST = 65_536;
/** Largest cache size a node may announce (bounds the host's mirror of it). */
export const MAX_CACHE_SIZE = 1 << 20;

interface Mirror {
  readonly cache: RowCache<true>;
  /** The field selection of the rows this node caches (undefined: whole rows). */
  fields: readonly string[] | undefined;
  fieldsKey: string;
}


export class ModelBinding extends SourceBinding implements ModelObserver {
  private readonly model: ModelInternals;
  private readonly mirrors = new Map<SourceListener, Mirror>();
  private readonly columns: ReadonlySet<string> | undefined;
  private readonly what: string;

  constructor(id: number, name: string, object: object, childHost?: ChildHost, isChild = false) {
    const model = modelInternals(object);
    if (!model) throw new UsageError('DECLARATION_INVALID', `"${name}" is not a ListModel`);
    super(id, name, modelApi(model.rowType), object, childHost, isChild);
    this.model = model;
    const fields = rowFieldNames(model.rowType);
    this.columns = fields && new Set(fields);
    this.what = `row of model "${name}"`;
    model.observers.add(this);
  }

  override dispose(): void {
    super.dispose();
    this.model.observers.delete(this);
    this.mirrors.clear();
  }

  /** A (re-)acquiring node starts with an empty cache: so does its mirror. */
  override addListener(l: SourceListener): void {
    super.addListener(l);
    this.mirrors.set(l, { cache: new RowCache<true>(0), fields: undefined, fieldsKey: '' });
  }

  override removeListener(l: SourceListener): void {
    super.removeListener(l);
    this.mirrors.delete(l);
  }

  override initPacket(_wantDefinition: boolean): Uint8Array {
    return encodePacket({
      modelInit: { source: this.id, count: this.model.rows.length, rowType: typeToMessage(this.model.rowType), readonly: this.model.readonly },
    });
  }

  // ---- model operations -> deltas ----------------------------------------------------------

  rowsInserted(start: number, count: number): void {
    if (this.mirrors.size === 0) return;
    const oldLength = this.model.rows.length - count;
    const bytes = new Map<string, Uint8Array>();
    for (const [l, m] of this.mirrors) {
      const cache = m.cache;
      // Rows travel to a node watching that spot (it holds a neighbour) or holding everything.
      const send =
        count <= cache.cacheSize &&
        ((start > 0 && cache.has(start - 1)) || cache.has(start) || (cache.size === oldLength && cache.cacheSize > 0 && oldLength + count <= cache.cacheSize));
      cache.rowsInserted(start, count);
      const key = send ? `rows|${m.fieldsKey}` : '';
      let b = bytes.get(key);
      if (!b) {
        b = encodePacket({ rowsInserted: { source: this.id, start, count, rows: send ? this.encodeRows(start, count, m.fields) : [] } });
        bytes.set(key, b);
      }
      if (send) for (let i = start; i < start + count; i++) cache.put(i, true);
      l.sendEncoded(b);
    }
  }

  rowsRemoved(start: number, count: number): void {
    if (this.mirrors.size === 0) return;
    const b = encodePacket({ rowsRemoved: { source: this.id, start, count } });
    for (const [l, m] of this.mirrors) {
      m.cache.rowsRemoved(start, count);
      l.sendEncoded(b);
    }
  }

  rowsMoved(start: number, count: number, destination: number): void {
    if (this.mirrors.size === 0) return;
    const b = encodePacket({ rowsMoved: { source: this.id, start, count, destination } });
    for (const [l, m] of this.mirrors) {
      m.cache.rowsMoved(start, count, destination);
      l.sendEncoded(b);
    }
  }

  rowsChanged(start: number, count: number): void {
    if (this.mirrors.size === 0) return;
    const bytes = new Map<string, Uint8Array>();
    for (const [l, m] of this.mirrors) {
      // Only the held rows of the range, as contiguous runs.
      let runStart = -1;
      for (let i = start; i <= start + count; i++) {
        const held = i < start + count && m.cache.has(i);
        if (held && runStart < 0) runStart = i;
        if (!held && runStart >= 0) {
          const key = `${runStart}|${i - runStart}|${m.fieldsKey}`;
          let b = bytes.get(key);
          if (!b) {
            b = encodePacket({ rowsChanged: { source: this.id, start: runStart, rows: this.encodeRows(runStart, i - runStart, m.fields) } });
            bytes.set(key, b);
          }
          l.sendEncoded(b);
          runStart = -1;
        }
      }
    }
  }

  modelReset(): void {
    if (this.mirrors.size === 0) return;
    const b = encodePacket({ modelReset: { source: this.id, count: this.model.rows.length } });
    for (const [l, m] of this.mirrors) {
      m.cache.clear();
      l.sendEncoded(b);
    }
  }

  private encodeRows(start: number, count: number, fields: readonly string[] | undefined): ValueMessage[] {
    const rows = this.model.rows;
    const out: ValueMessage[] = new Array(count);
    for (let k = 0; k < count; k++) out[k] = encodeValue(pick(this.model.wireRow(rows[start + k]), fields), this.what);
    return out;
  }

  // ---- requests from nodes -----------------------------------------------------------------

  /** A RowsRequest: the rows, or why not. */
  fetch(l: SourceListener, m: NonNullable<PacketMessage['rowsRequest']>): PacketMessage {
    const request = m.request ?? 0;
    const mirror = this.mirrors.get(l);
    if (!mirror) throw new NotValidError(`model "${this.name}" was not acquired on this connection`);
    const start = m.start ?? 0;
    const count = m.count ?? 0;
    if (count > MAX_ROWS_PER_REQUEST) throw new LimitError(`a request for ${count} rows of model "${this.name}" is over the limit of ${MAX_ROWS_PER_REQUEST}`);
    const fields = this.checkFields(m.fields);
    const length = this.model.rows.length;
    const end = Math.min(length, start + count);
    const n = Math.max(0, end - start);
    const rows = this.encodeRows(start, n, fields);
    if (!m.uncached) {
      mirror.cache.resize(Math.min(m.cacheSize ?? 0, MAX_CACHE_SIZE));
      mirror.fields = fields;
      mirror.fieldsKey = fields ? fields.join('\u0000') : '';
      for (let i = start; i < end; i++) mirror.cache.put(i, true);
    }
    return { rowsReply: { source: this.id, request, start, rows } };
  }

  private checkFields(fields: readonly string[] | null | undefined): readonly string[] | undefined {
    if (!fields || fields.length === 0) return undefined;
    if (!this.columns) throw new UsageError('UNKNOWN_MEMBER', `rows of model "${this.name}" have no fields`);
    if (fields.length > this.columns.size) throw new UsageError('UNKNOWN_MEMBER', `too many fields asked of model "${this.name}"`);
    for (const f of fields) {
      if (!this.columns.has(f)) throw new UsageError('UNKNOWN_MEMBER', `rows of model "${this.name}" have no field ${JSON.stringify(f.slice(0, 64))}`);
    }
    return fields;
  }

  /** A RowSet: applies it to the model (which broadcasts the change). */
  setRow(m: NonNullable<PacketMessage['rowSet']>): void {
    if (this.model.readonly) throw new UsageError('READONLY', `model "${this.name}" is read-only`);
    const index = m.index ?? 0;
    if (index >= this.model.rows.length) {
      throw new UsageError('OUT_OF_RANGE', `row ${index} is outside model "${this.name}" of ${this.model.rows.length} rows`);
    }
    this.model.setFromReplica(index, decodeValue(m.row ?? {}));
  }
}

/** Only `fields` of a row (a plain object); the row itself when no selection. */
function pick(row: unknown, fields: readonly string[] | undefined): unknown {
  if (!fields || row === null || typeof row !== 'object') return row;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.prototype.hasOwnProperty.call(row, f)) out[f] = (row as Record<string, unknown>)[f];
  return out;
}

/** True for the packets a host routes to handleModelRequest. */
export function isModelRequest(kind: string): boolean {
  return kind === 'rowsRequest' || kind === 'rowSet';
}

/**
 * Serves a model request from `listener` (a host connection): the reply goes back to it.
 * `binding` is whatever source the request named. Never throws for bad input.
 */
export function handleModelRequest(binding: SourceBinding | undefined, listener: SourceListener, p: DecodedPacket): void {
  const m = p.kind === 'rowsRequest' ? p.rowsRequest : p.rowSet;
  if (!m) throw new ProtocolError('PROTOCOL_ERROR', `empty ${p.kind}`);
  const source = m.source ?? 0;
  const request = m.request ?? 0;
  let reply: PacketMessage;
  try {
    if (!(binding instanceof ModelBinding)) throw new NotValidError(`no model #${source} on this host`, 'UNKNOWN_SOURCE');
    if (p.kind === 'rowsRequest') {
      reply = binding.fetch(listener, p.rowsRequest!);
    } else {
      binding.setRow(p.rowSet!);
      reply = { rowsReply: { source, request } };
    }
  } catch (err) {
    reply = { rowsReply: { source, request, error: errorInfo(err) } };
  }
  listener.sendEncoded(encodePacket(reply));
}
