// The API signature: a hash both sides compute the same way from the members of an API, so a
// typed replica can tell before it applies anything whether the source speaks the same API.
// It covers the type name and, in order, every property (name, type, mode), signal
// (name, parameter types) and slot (name, parameter types, required count, return type).
// Types are covered whole: an enum's name, member names and values in order; a value type's name
// and its fields' names and types in order.
// Parameter names are left out: they are read best-effort from source text and may be minified.
// SHA-256 comes from @noble/hashes: synchronous (a typed replica checks it as it is acquired) and
// the same in every runtime, where WebCrypto's digest is asynchronous.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { MethodDescription, PropertyDescription } from './api-description';
import { wireTypeToString } from './wire-type';

const SIGNATURE_VERSION = 'tsro-api/1';

function methodLine(kind: string, m: MethodDescription): string {
  const params = m.params.map((p) => wireTypeToString(p.type)).join(',');
  // A stream slot's line differs from every plain slot's; plain slots' lines are as they were.
  const returns = m.stream ? `stream ${wireTypeToString(m.returns)}` : wireTypeToString(m.returns);
  return `${kind} ${JSON.stringify(m.name)}(${params})/${m.required}->${returns}`;
}

/** Hex SHA-256 of the canonical text form of an API. */
export function computeSignature(
  typeName: string,
  properties: readonly PropertyDescription[],
  signals: readonly MethodDescription[],
  slots: readonly MethodDescription[],
): string {
  const lines = [SIGNATURE_VERSION, `type ${JSON.stringify(typeName)}`];
  for (const p of properties) {
    lines.push(`property ${JSON.stringify(p.name)}:${wireTypeToString(p.type)}:${p.mode}`);
  }
  for (const s of signals) lines.push(methodLine('signal', s));
  for (const s of slots) lines.push(methodLine('slot', s));
  return bytesToHex(sha256(utf8ToBytes(lines.join('\n'))));
}
