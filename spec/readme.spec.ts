// Every TypeScript block of README.md is compiled, so the documentation cannot drift from the
// API. A block is preceded by `<!-- compile: group -->`; blocks of one group are concatenated
// in order into one module (the tour builds on itself). Compiled with the TypeScript compiler
// API (the `typescript` dev dependency) against the sources, with this project's decorator
// options; module es2022, so top-level await is allowed.

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

function readmeGroups(): Map<string, string[]> {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const groups = new Map<string, string[]>();
  const block = /<!-- compile: (\S+) -->\n```ts\n([\s\S]*?)```/g;
  for (let m = block.exec(text); m; m = block.exec(text)) {
    const list = groups.get(m[1]!) ?? [];
    list.push(m[2]!);
    groups.set(m[1]!, list);
  }
  return groups;
}

describe('README code blocks', function () {
  this.timeout(60_000);

  it('marks every TypeScript block for compilation', () => {
    const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const all = text.match(/```ts\n/g)?.length ?? 0;
    const marked = text.match(/<!-- compile: \S+ -->\n```ts\n/g)?.length ?? 0;
    expect(marked, 'blocks with a compile marker').to.equal(all);
    expect(all).to.be.greaterThan(5);
  });

  it('compiles every block against the current API', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsro-readme-'));
    try {
      const files: string[] = [];
      for (const [group, blocks] of readmeGroups()) {
        const file = path.join(dir, `${group}.ts`);
        fs.writeFileSync(file, `${blocks.join('\n')}\nexport {};\n`);
        files.push(file);
      }
      const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ES2022,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        useDefineForClassFields: false,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        lib: ['lib.es2022.d.ts', 'lib.es2024.string.d.ts', 'lib.esnext.disposable.d.ts'],
        paths: { tsro: [path.join(ROOT, 'src', 'index.ts')], 'tsro/testing': [path.join(ROOT, 'src', 'testing', 'index.ts')] },
      });
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
});
