// What differs between two APIs whose signatures differ: the replica's class and the source. The
// signature (signature.ts) covers the type name and, in order, each member's name, kind and wire
// types (a property's mode, a method's parameter types, required count and return type), so this
// compares exactly those, by name: members only one side declares, members both declare
// differently, and members declared alike at another position.

import type { ApiDescription, MethodDescription, PropertyDescription } from './api-description';
import { wireTypeLabel, wireTypeToString, type WireType } from './wire-type';

/** One thing that differs between a typed replica's class and its source. */
export interface ApiDifference {
  /** What differs: the API's type name, or a member of this kind. */
  readonly kind: 'typeName' | 'property' | 'signal' | 'slot';
  /** The member's name (for `typeName`, the class's type name). */
  readonly name: string;
  /**
   * `added`: only the source declares it; `removed`: only the replica's class does; `changed`:
   * both, declared differently (see `aspects`); `moved`: both, alike, at another position.
   */
  readonly change: 'added' | 'removed' | 'changed' | 'moved';
  /** For `changed`: which parts of the declaration differ. */
  readonly aspects: readonly ('type' | 'mode' | 'parameters' | 'required' | 'returns')[];
  /** The declaration in the replica's class, e.g. `property copies: int32 (writable)` (absent if added). */
  readonly replica?: string;
  /** The declaration at the source (absent if removed). */
  readonly source?: string;
  /** For `moved`: the member's position among its kind in the replica's class and at the source (0-based). */
  readonly positions?: {
    /** Position in the replica's class. */
    readonly replica: number;
    /** Position at the source. */
    readonly source: number;
  };
}

/** Why a typed replica is in state `signatureMismatch`: its class's API and the source's, compared. */
export interface SignatureMismatch {
  /** The source name. */
  readonly name: string;
  /** Signature of the replica's class's API. */
  readonly replicaSignature: string;
  /** Signature the source announced. */
  readonly sourceSignature: string;
  /**
   * What differs, in declaration order: the type name, then properties, signals, slots. Empty
   * if the source's API could not be learned (see `message`), or if the declarations compare
   * equal (the two sides compute signatures differently: another tsro version).
   */
  readonly differences: readonly ApiDifference[];
  /**
   * True if the node learned the source's API (`differences` is what differs); false if it could
   * not (the host refused, the source went away first): the node tries again when the source is
   * offered again, and `signatureMismatch` is emitted again if it then learns more.
   */
  readonly sourceKnown: boolean;
  /** The whole of it as one line, as the node logs it. */
  readonly message: string;
}

type Member = PropertyDescription | MethodDescription;
type Kind = 'property' | 'signal' | 'slot';

/** A wire type for people: value types and enums by name, in full where only that tells two apart. */
function typeText(t: WireType, other: WireType | undefined): string {
  const label = wireTypeLabel(t);
  if (other === undefined || wireTypeToString(t) === wireTypeToString(other)) return label;
  return label === wireTypeLabel(other) ? wireTypeToString(t) : label;
}

function methodText(kind: Kind, m: MethodDescription, other: MethodDescription | undefined): string {
  const params = m.params.map((p, i) => `${typeText(p.type, other?.params[i]?.type)}${i >= m.required ? '?' : ''}`);
  const head = `${kind} ${m.name}(${params.join(', ')})`;
  if (kind === 'signal') return head;
  const returns = typeText(m.returns, other?.returns);
  return `${head}: ${m.stream === true ? `stream ${returns}` : returns}`;
}

function declaration(kind: Kind, m: Member, other: Member | undefined): string {
  if (kind === 'property') {
    const p = m as PropertyDescription;
    const o = other as PropertyDescription | undefined;
    return `property ${p.name}: ${typeText(p.type, o?.type)} (${p.mode})`;
  }
  return methodText(kind, m as MethodDescription, other as MethodDescription | undefined);
}

function aspectsOf(kind: Kind, a: Member, b: Member): ApiDifference['aspects'] {
  if (kind === 'property') {
    const p = a as PropertyDescription;
    const q = b as PropertyDescription;
    const out: ('type' | 'mode')[] = [];
    if (wireTypeToString(p.type) !== wireTypeToString(q.type)) out.push('type');
    if (p.mode !== q.mode) out.push('mode');
    return out;
  }
  const m = a as MethodDescription;
  const n = b as MethodDescription;
  const out: ('parameters' | 'required' | 'returns')[] = [];
  const params = (x: MethodDescription): string => x.params.map((p) => wireTypeToString(p.type)).join(',');
  if (params(m) !== params(n)) out.push('parameters');
  // A signal's required count is its parameter count: only a slot's says more.
  if (kind === 'slot' && m.required !== n.required) out.push('required');
  const returns = (x: MethodDescription): string => `${x.stream === true ? 'stream ' : ''}${wireTypeToString(x.returns)}`;
  if (returns(m) !== returns(n)) out.push('returns');
  return out;
}

function compareMembers(kind: Kind, replica: readonly Member[], source: readonly Member[], out: ApiDifference[]): void {
  const sourceByName = new Map(source.map((m) => [m.name, m]));
  const replicaByName = new Map(replica.map((m) => [m.name, m]));
  for (const r of replica) {
    const s = sourceByName.get(r.name);
    if (s === undefined) {
      out.push({ kind, name: r.name, change: 'removed', aspects: [], replica: declaration(kind, r, undefined) });
      continue;
    }
    const aspects = aspectsOf(kind, r, s);
    if (aspects.length > 0) {
      out.push({ kind, name: r.name, change: 'changed', aspects, replica: declaration(kind, r, s), source: declaration(kind, s, r) });
    }
  }
  for (const s of source) {
    if (!replicaByName.has(s.name)) out.push({ kind, name: s.name, change: 'added', aspects: [], source: declaration(kind, s, undefined) });
  }
  // Members both declare alike, in another order (the signature covers the order: indices
  // travel on the wire). Compared among the common members, so one addition moves nothing.
  const common = replica.filter((m) => sourceByName.has(m.name)).map((m) => m.name);
  const commonAtSource = source.filter((m) => replicaByName.has(m.name)).map((m) => m.name);
  common.forEach((name, i) => {
    if (commonAtSource[i] === name) return;
    if (out.some((d) => d.kind === kind && d.name === name)) return;
    const r = replicaByName.get(name)!;
    const s = sourceByName.get(name)!;
    out.push({
      kind,
      name,
      change: 'moved',
      aspects: [],
      replica: declaration(kind, r, s),
      source: declaration(kind, s, r),
      positions: { replica: r.index, source: s.index },
    });
  });
}

/** What differs between a replica's class's API and the source's. */
export function diffApis(replica: ApiDescription, source: ApiDescription): ApiDifference[] {
  const out: ApiDifference[] = [];
  if (replica.typeName !== source.typeName) {
    out.push({ kind: 'typeName', name: replica.typeName, change: 'changed', aspects: [], replica: replica.typeName, source: source.typeName });
  }
  compareMembers('property', replica.properties, source.properties, out);
  compareMembers('signal', replica.signals, source.signals, out);
  compareMembers('slot', replica.slots, source.slots, out);
  return out;
}

/** One difference in words. */
export function describeDifference(d: ApiDifference): string {
  switch (d.change) {
    case 'added':
      return `the source has ${d.source}, the replica's class does not`;
    case 'removed':
      return `the replica's class has ${d.replica}, the source does not`;
    case 'moved':
      return `${d.kind} ${d.name} is ${d.kind} #${d.positions!.replica} in the replica's class, #${d.positions!.source} at the source`;
    case 'changed':
      if (d.kind === 'typeName') return `the type name is "${d.replica}" in the replica's class, "${d.source}" at the source`;
      return `${d.replica} in the replica's class, ${d.source} at the source`;
  }
}

/** The mismatch of a replica of `name` whose class declares `replica`, from the source's API (if known). */
export function signatureMismatch(name: string, replica: ApiDescription, sourceSignature: string, source: ApiDescription | undefined, whyUnknown?: string): SignatureMismatch {
  const differences = source ? diffApis(replica, source) : [];
  let detail: string;
  if (!source) detail = `what differs is not known: ${whyUnknown ?? "the source's API could not be learned"}`;
  else if (differences.length === 0) detail = 'the declarations compare equal, so the two sides compute signatures differently (another tsro version?)';
  else detail = differences.map(describeDifference).join('; ');
  return {
    name,
    replicaSignature: replica.signature,
    sourceSignature,
    differences,
    sourceKnown: source !== undefined,
    message: `the typed replica of "${name}" does not match the source's API, and applies nothing: ${detail}`,
  };
}
