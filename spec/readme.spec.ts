// Every TypeScript block of README.md, and every one of the guides in docs/ that stands alone, is
// compiled, so the documentation cannot drift from the API; the README's example is also run, and
// what it prints is checked against the output the README shows. A block is preceded by
// `<!-- compile: group -->`; blocks of one group of one file are concatenated in order into one
// module (a guide's tour builds on itself). Compiled with the TypeScript compiler API (the
// `typescript` dev dependency) against the sources, with this project's decorator options;
// module es2022, so top-level await is allowed.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const BLOCK = /<!-- compile: (\S+) -->\n```ts\n([\s\S]*?)```/g;

/** README.md and every docs/*.md, relative to the root. */
function documents(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', ...docs.sort()];
}

function read(doc: string): string {
  return fs.readFileSync(path.join(ROOT, doc), 'utf8');
}

/** Groups of blocks by `file:group`. */
function groups(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const doc of documents()) {
    const text = read(doc);
    for (let m = BLOCK.exec(text); m; m = BLOCK.exec(text)) {
      const key = `${doc.replace(/[/.]/g, '_')}__${m[1]!}`;
      const list = out.get(key) ?? [];
      list.push(m[2]!);
      out.set(key, list);
    }
  }
  return out;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  // As the README's tsconfig leaves it: TypeScript's default for ES2022 targets (true).
  useDefineForClassFields: true,
  strict: true,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  lib: ['lib.es2022.d.ts', 'lib.es2024.string.d.ts', 'lib.esnext.disposable.d.ts'],
  paths: {
    tsro: [path.join(ROOT, 'src', 'index.ts')],
    'tsro/testing': [path.join(ROOT, 'src', 'testing', 'index.ts')],
    'tsro/browser': [path.join(ROOT, 'src', 'browser.ts')],
    // The blocks are compiled from a temporary directory, outside this package's node_modules.
    'reflect-metadata': [path.join(ROOT, 'node_modules', 'reflect-metadata', 'index.d.ts')],
  },
};

describe('documentation code blocks (README.md, docs/*.md)', function () {
  this.timeout(120_000);

  it("marks every TypeScript block of the README for compilation (guides mark those that stand alone)", () => {
    const text = read('README.md');
    const blocks = text.match(/```ts\n/g)?.length ?? 0;
    const marked = text.match(/<!-- compile: \S+ -->\n```ts\n/g)?.length ?? 0;
    expect(marked, 'README blocks with a compile marker').to.equal(blocks);
    expect([...groups().values()].flat().length, 'compiled blocks in all').to.be.greaterThan(15);
  });

  it('compiles every block against the current API', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsro-docs-'));
    try {
      const files: string[] = [];
      for (const [group, blocks] of groups()) {
        const file = path.join(dir, `${group}.ts`);
        fs.writeFileSync(file, `${blocks.join('\n')}\nexport {};\n`);
        files.push(file);
      }
      const program = ts.createProgram(files, { ...COMPILER_OPTIONS, noEmit: true });
      const problems = files.flatMap((f) => {
        const source = program.getSourceFile(f)!;
        return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
          const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
          return `${path.basename(f)}:${where ? where.line + 1 : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
      });
      expect(problems).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs the README's example and prints what the README says it prints", async () => {
    const readme = read('README.md');
    const source = groups().get('README_md__example')!.join('\n');
    const expected = /It prints:\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(expected, 'the README shows the output').to.be.a('string');
    // Emitted inside the repository so that `import 'tsro'` resolves to this package (its own
    // name, through package.json "exports") and reflect-metadata to its dependency.
    const dir = fs.mkdtempSync(path.join(ROOT, 'dist', 'readme-example-'));
    try {
      const js = ts.transpileModule(source, { compilerOptions: { ...COMPILER_OPTIONS, paths: undefined } }).outputText;
      const file = path.join(dir, 'example.mjs');
      fs.writeFileSync(file, js);
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [file], { timeout: 60_000 }, (err, out, errText) => (err ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out)));
      });
      expect(stdout).to.equal(expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
