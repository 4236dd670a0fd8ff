// The layers of src/ only import downward: each folder may import the folders its row in
// docs/architecture.md lists, and nothing else. Read from the source files' import lines.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

/** What each layer may import besides itself (keep in step with docs/architecture.md). */
const ALLOWED: Record<string, readonly string[]> = {
  'errors.ts': [],
  util: ['errors.ts'],
  api: ['errors.ts', 'util'],
  transport: ['errors.ts', 'util'],
  protocol: ['errors.ts', 'util', 'api', 'transport'],
  replica: ['errors.ts', 'util', 'api', 'protocol'],
  model: ['errors.ts', 'util', 'api', 'protocol', 'replica'],
  persistence: ['errors.ts', 'util', 'protocol'],
  node: ['errors.ts', 'util', 'api', 'transport', 'protocol', 'replica', 'model', 'persistence', 'registry'],
  host: ['errors.ts', 'util', 'api', 'transport', 'protocol', 'replica', 'model', 'node'],
  registry: ['errors.ts', 'util', 'api', 'host'],
  testing: ['errors.ts', 'util', 'api', 'transport', 'protocol', 'replica', 'model', 'node', 'host', 'registry', 'persistence'],
  cli: ['errors.ts', 'util', 'api', 'transport', 'protocol', 'replica', 'model', 'node', 'host', 'registry', 'persistence'],
};

/** The package's entry points and the export list they share. */
const ENTRY_POINTS = new Set(['index.ts', 'browser.ts', 'public-api.ts']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The layer a path under src/ belongs to: its top folder, or the file itself at the top. */
function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

describe('layers of src/', () => {
  it('import only the layers below them', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      if (ENTRY_POINTS.has(from)) continue; // the entry points reach every layer they export
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.{1,2}\/[^']+)'/gm)) {
        const to = layerOf(path.resolve(path.dirname(file), m[1]!));
        const target = fs.existsSync(path.join(SRC, `${to}.ts`)) ? `${to}.ts` : to;
        if (target !== from && !(ALLOWED[from] ?? []).includes(target)) wrong.push(`${path.relative(SRC, file)} imports ${m[1]}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('has a row for every folder', () => {
    const layers = new Set(sourceFiles(SRC).map(layerOf));
    for (const entry of ENTRY_POINTS) layers.delete(entry);
    expect([...layers].filter((l) => !(l in ALLOWED))).to.deep.equal([]);
  });
});
