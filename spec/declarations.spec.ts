// The emitted declarations (dist/src/*.d.ts, what a user's compiler sees) show the public API
// only: no class exported from the package root declares a private, protected or @internal
// member, nor any of the internals the classes used to carry, and no root export is marked
// @internal. Read with the TypeScript compiler API from the built files.

import { expect } from 'chai';
import * as path from 'node:path';
import * as ts from 'typescript';

const INDEX = path.resolve(__dirname, '../src/index.d.ts');

/** Internals that once showed on public classes (Node, Host, replicas): none may come back. */
const INTERNALS = [
  'sourcesOffered', 'sourceWithdrawn', 'connectionClosed', 'releaseHandle', 'registryInitialized', 'ensureConnected',
  'openStream', 'bindingById', 'sourceListPacket', 'sourcePage', 'lookup', 'listAll', 'connectionOpened', 'connectionEnded', 'connectionCount', 'warn',
  'attachChild', 'limits', 'logger', 'timers', 'bound', 'isClosed', 'maxFrameSize', 'maxBufferedBytes',
  'maxValuesPerFrame', 'tlsOptions', 'presentedValue', 'snapshot', 'deliverChange', 'deliverSignal',
  'afterInitialize', 'refreshState', 'classApi', 'needsDefinition', 'core', 'owner', 'attach', 'callSlot',
  'writeProperty', 'readProperty', 'assignProperty', 'call', 'defaults', 'emit', 'removeAllListeners',
];

interface Member {
  readonly owner: string;
  readonly name: string;
  readonly declaration: ts.Declaration;
}

function publicClasses(): { checker: ts.TypeChecker; classes: Map<string, ts.Symbol>; exports: ts.Symbol[] } {
  const program = ts.createProgram([INDEX], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(INDEX);
  if (!index) throw new Error(`${INDEX} is missing: build first`);
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index)!);
  const classes = new Map<string, ts.Symbol>();
  for (const e of exports) {
    const symbol = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    if (symbol.flags & ts.SymbolFlags.Class) classes.set(e.name, symbol);
  }
  return { checker, classes, exports };
}

/** Every member a class declares or inherits, instance and static side, as its .d.ts has it. */
function membersOf(checker: ts.TypeChecker, name: string, cls: ts.Symbol): Member[] {
  const members: Member[] = [];
  const decl = cls.valueDeclaration ?? cls.declarations![0]!;
  const instance = checker.getDeclaredTypeOfSymbol(cls);
  const statics = checker.getTypeOfSymbolAtLocation(cls, decl);
  for (const type of [instance, statics]) {
    for (const p of checker.getPropertiesOfType(type)) {
      if (p.name === 'prototype') continue;
      for (const d of p.declarations ?? []) members.push({ owner: name, name: p.name, declaration: d });
    }
  }
  // Constructors too: their parameters name internal types when a constructor is internal.
  for (const d of cls.declarations ?? []) {
    if (!ts.isClassDeclaration(d)) continue;
    for (const m of d.members) if (ts.isConstructorDeclaration(m)) members.push({ owner: name, name: 'constructor', declaration: m });
  }
  return members;
}

function isHidden(d: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(d);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;
}

function isInternal(d: ts.Node): boolean {
  return ts.getJSDocTags(d).some((t) => t.tagName.text === 'internal');
}

describe('emitted declarations (.d.ts)', () => {
  const { checker, classes, exports } = publicClasses();
  const members = [...classes].flatMap(([name, cls]) => membersOf(checker, name, cls));

  it('covers the public classes', () => {
    expect([...classes.keys()]).to.include.members(['Node', 'Host', 'RegistryHost', 'DynamicReplica', 'TsroError', 'FilePersistedStore']);
    expect(members.length).to.be.greaterThan(40);
  });

  it('declares no private or protected member on a public class (internals are #private)', () => {
    const hidden = members.filter((m) => isHidden(m.declaration) && !m.name.startsWith('#')).map((m) => `${m.owner}.${m.name}`);
    expect([...new Set(hidden)]).to.deep.equal([]);
  });

  it('declares none of the former internals on a public class', () => {
    // A dynamic replica's emit and removeAllListeners are public now: node:events' emitter
    // interface, so that events.once/on take it (spec/lib/replica-events.spec.ts).
    const emitterInterface = (m: Member): boolean => m.owner === 'DynamicReplica' && ['emit', 'removeAllListeners'].includes(m.name);
    const found = members.filter((m) => INTERNALS.includes(m.name) && !emitterInterface(m)).map((m) => `${m.owner}.${m.name}`);
    expect([...new Set(found)]).to.deep.equal([]);
  });

  it('carries no @internal member or export (they are stripped)', () => {
    const tagged = members.filter((m) => isInternal(m.declaration)).map((m) => `${m.owner}.${m.name}`);
    const exported = exports.filter((e) => {
      const symbol = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
      return (symbol.declarations ?? []).some(isInternal);
    });
    expect([...new Set(tagged)]).to.deep.equal([]);
    expect(exported.map((e) => e.name)).to.deep.equal([]);
  });

  it('gives a public constructor no parameter of an internal type', () => {
    const exportedNames = new Set(exports.map((e) => e.name));
    const leaks: string[] = [];
    for (const m of members) {
      if (m.name !== 'constructor' || !ts.isConstructorDeclaration(m.declaration)) continue;
      for (const p of m.declaration.parameters) {
        const type = p.type;
        if (type && ts.isTypeReferenceNode(type) && !exportedNames.has(type.typeName.getText())) leaks.push(`${m.owner}(${type.typeName.getText()})`);
      }
    }
    expect(leaks).to.deep.equal([]);
  });
});
