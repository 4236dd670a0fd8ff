// Where a node keeps the `@Property({ persisted: true })` values of its typed replicas, so that a
// replica acquired later (in this process or after a restart) starts from the last values the
// node saw instead of the class's defaults. PersistedStore is the interface a node uses;
// MemoryPersistedStore keeps entries in memory (tests, short-lived processes) and
// FilePersistedStore (file-persisted-store.ts) keeps them in a file.
//
// Both stores here keep an entry as its encoded bytes (the same tsro.v1.Value encoding the wire
// uses), so values round-trip exactly as they would over a connection (bigint, Date, Buffer vs
// Uint8Array, -0, NaN, Map, nested containers...), `save` snapshots them (a later change to a
// saved object does not reach the store) and every `restore` returns fresh objects.

import * as protobuf from 'protobufjs/light';
import { decodeValue, encodeValue, encodeValues, type ValueMessage } from '../protocol/value-codec';
import { schema } from '../protocol/schema';
import { platform } from '../util/platform';

/**
 * Storage for the persisted properties of typed replicas, keyed by source name and API signature.
 *
 * Contract:
 * - `restore(sourceName, signature)` is synchronous: a typed replica needs its starting values
 *   the moment it is acquired. It returns the values last saved for exactly that name AND
 *   signature, or `undefined` if there are none: a replica whose class changed (another API
 *   signature) never starts from values saved by the old class. The returned array and its
 *   contents belong to the caller (a store must not hand out objects it keeps).
 * - `save(sourceName, signature, values)` replaces what is stored for that name and signature.
 *   It may complete asynchronously (a returned Promise resolves once the values are durable)
 *   and may report failure by throwing or by rejecting; callers should handle both. The store
 *   must not keep references to `values` or anything inside them.
 * - `values` are the replica's persisted properties, in declaration order. They are values the
 *   protocol can carry (see value-codec.ts) and must come back exactly as the wire would
 *   deliver them.
 */
export interface PersistedStore {
  /** The values last saved for this source name and API signature, or undefined. Synchronous. */
  restore(sourceName: string, signature: string): readonly unknown[] | undefined;
  /** Replaces what is stored for this source name and API signature. */
  save(sourceName: string, signature: string, values: readonly unknown[]): void | Promise<void>;
  /**
   * Resolves once everything saved so far is durable. Optional: `node.close()` (and
   * `host.close()`) wait for it, so that what a node saw is kept when its process exits.
   */
  flush?(): Promise<void>;
}

/**
 * A PersistedStore that lives in memory only: for tests and short-lived processes, or to share
 * persisted values between nodes of one process. Values are kept encoded, exactly as a
 * FilePersistedStore keeps them, so they behave the same (snapshotted on save, fresh on restore).
 */
export class MemoryPersistedStore implements PersistedStore {
  readonly #entries = new PersistedEntries();

  /** The values last saved for this name and signature (fresh copies), or undefined. */
  restore(sourceName: string, signature: string): unknown[] | undefined {
    const bytes = this.#entries.get(sourceName, signature);
    return bytes === undefined ? undefined : decodePersistedEntry(bytes).values;
  }

  /** @throws UsageError NOT_SERIALIZABLE if a value cannot be carried (nothing is stored then) */
  save(sourceName: string, signature: string, values: readonly unknown[]): void {
    this.#entries.set(sourceName, signature, encodePersistedEntry(sourceName, signature, values));
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** How many name+signature entries are stored. */
  get size(): number {
    return this.#entries.size;
  }
}

// ---- shared by the stores (not part of tsro's public API) ---------------------------------------
//
// An entry is encoded as the protobuf message
//
//   message PersistedEntry {
//     string source_name = 1;
//     string signature = 2;
//     repeated tsro.v1.Value values = 3;   // the persisted properties, in declaration order
//   }
//
// written with protobufjs's Writer around schema.Value (each value is encoded as a top-level
// Value, so it may nest as deep as the wire allows: MAX_VALUE_DEPTH containers).

/** @internal Entries by source name, then signature; the value is the encoded PersistedEntry. */
export class PersistedEntries {
  readonly #byName = new Map<string, Map<string, Uint8Array>>();
  #count = 0;

  get(sourceName: string, signature: string): Uint8Array | undefined {
    return this.#byName.get(sourceName)?.get(signature);
  }

  set(sourceName: string, signature: string, entry: Uint8Array): void {
    let bySignature = this.#byName.get(sourceName);
    if (bySignature === undefined) {
      bySignature = new Map();
      this.#byName.set(sourceName, bySignature);
    }
    if (!bySignature.has(signature)) this.#count++;
    bySignature.set(signature, entry);
  }

  clear(): void {
    this.#byName.clear();
    this.#count = 0;
  }

  get size(): number {
    return this.#count;
  }

  /** Every encoded entry, in insertion order. */
  *values(): IterableIterator<Uint8Array> {
    for (const bySignature of this.#byName.values()) yield* bySignature.values();
  }
}

/**
 * @internal Encodes one entry. The result is a fresh copy: it shares no memory with `values`.
 * @throws UsageError NOT_SERIALIZABLE if a value (or the name or signature) cannot be carried
 */
export function encodePersistedEntry(sourceName: string, signature: string, values: readonly unknown[]): Uint8Array {
  // Refuses names with lone surrogates: protobufjs would write bytes it cannot decode, which
  // would make the whole file unreadable later.
  encodeValue(sourceName, 'the source name of persisted properties');
  encodeValue(signature, `the signature of the persisted properties of "${sourceName}"`);
  const messages: ValueMessage[] = encodeValues(values, (i) => `persisted property ${i} of "${sourceName}"`);
  const w = protobuf.Writer.create();
  w.uint32(0x0a).string(sourceName);
  w.uint32(0x12).string(signature);
  for (const m of messages) schema.Value.encode(m, w.uint32(0x1a).fork()).ldelim();
  return w.finish();
}

/** @internal A decoded entry. */
export interface PersistedEntry {
  sourceName: string;
  signature: string;
  values: unknown[];
}

/**
 * @internal Decodes one entry from a private copy of `bytes`: the values (byte arrays included)
 * share no memory with `bytes` or with the result of any other call.
 * @throws Error if the bytes are not an entry
 */
export function decodePersistedEntry(bytes: Uint8Array): PersistedEntry {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const r = protobuf.Reader.create(platform.toBuffer(copy));
  let sourceName = '';
  let signature = '';
  const values: unknown[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case 0x0a:
        sourceName = r.string();
        break;
      case 0x12:
        signature = r.string();
        break;
      case 0x1a:
        values.push(decodeValue(schema.Value.decode(r, r.uint32()) as ValueMessage));
        break;
      default:
        if (tag >>> 3 === 0) throw new Error(`invalid tag ${tag} at offset ${r.pos}`);
        r.skipType(tag & 7);
    }
  }
  return { sourceName, signature, values };
}
