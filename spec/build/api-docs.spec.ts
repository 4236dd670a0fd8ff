// The API reference builds clean: TypeDoc (typedoc.json: the 'tsro' and 'tsro/testing' entry
// points) with every exported symbol documented, every link resolving and nothing referenced that
// is not exported, warnings treated as errors. This runs what `npm run docs` runs (into a
// temporary directory), so an undocumented export fails the suite, not just the docs build.
// TypeDoc takes about 10 s of CPU.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');

/** typedoc.json, whose comments TypeDoc allows (JSON with comments). */
function config(): { validation?: Record<string, boolean>; treatWarningsAsErrors?: boolean; entryPoints?: string[] } {
  const text = fs.readFileSync(path.join(ROOT, 'typedoc.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text) as ReturnType<typeof config>;
}

describe('API reference (TypeDoc)', function () {
  this.timeout(180_000);

  it('is configured to fail on any undocumented export, broken link or unexported reference', () => {
    const c = config();
    expect(c.treatWarningsAsErrors).to.equal(true);
    expect(c.validation).to.deep.include({ notDocumented: true, invalidLink: true, notExported: true });
    expect(c.entryPoints).to.include.members(['src/index.ts', 'src/testing/index.ts']);
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.docs).to.match(/^typedoc\b/);
  });

  it('builds with no warning', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tsro-api-docs-'));
    try {
      const typedoc = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
      const result = await run(process.execPath, [typedoc, '--out', out], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
        (err: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '', failed: err.code ?? 1 }),
      );
      const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
      const problems = output.split('\n').filter((l) => /\[(warning|error)\]/.test(l));
      expect(problems, output).to.deep.equal([]);
      expect('failed' in result ? result.failed : 0, output).to.equal(0);
      expect(fs.existsSync(path.join(out, 'index.html'))).to.equal(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
