// tsro in a user's own project. Packs the package the way `npm pack` (or an install from a git
// URL) does, from a copy of the sources without dist/ (so `prepare` has to build it), unpacks the
// tarball into a temporary project's node_modules (its dependencies linked from this checkout's,
// nothing downloaded), then compiles a user's host and typed client (spec/consumer/project) with
// each supported compiler and tsconfig (TypeScript 5.0, 6 and 7; ES2020 to ESNext; CommonJS and
// ESM; useDefineForClassFields on and off) and runs them. Also the settings a user may forget:
// no emitDecoratorMetadata, no experimentalDecorators.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'spec/consumer/project');
const MODULES = path.join(ROOT, 'node_modules');

/** The compilers a consumer may use, from this checkout's devDependencies. */
const COMPILERS = {
  ts5: path.join(MODULES, 'typescript5/bin/tsc'),
  ts6: path.join(MODULES, 'typescript/bin/tsc6'),
  ts7: path.join(MODULES, '@typescript/native/bin/tsc'),
} as const;

interface Config {
  readonly name: string;
  readonly compiler: keyof typeof COMPILERS;
  /** "module" or "commonjs" in the project's package.json. */
  readonly type: 'module' | 'commonjs';
  readonly compilerOptions: Record<string, unknown>;
  readonly files: readonly string[];
  readonly main: string;
}

// What a consumer adds to their tsconfig for tsro (docs/getting-started.md): the two decorator
// settings, and Node's types (tsro's declarations refer to node:events, node:stream, node:tls).
const DECORATORS = { experimentalDecorators: true, emitDecoratorMetadata: true, types: ['node'] };
const APP = ['thermostat.ts', 'host.ts', 'client.ts', 'main.ts'];

/** What `tsc --init` writes (TypeScript 6 and 7), with the two decorator settings added. */
const TSC_INIT = {
  module: 'nodenext',
  target: 'esnext',
  types: [] as string[],
  sourceMap: true,
  declaration: true,
  declarationMap: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: true,
};

const CONFIGS: readonly Config[] = [
  // tsc --init + decorators, and tsro's declarations checked too (skipLibCheck off).
  { name: 'TS 7, tsc --init (ESNext, ESM, define semantics), skipLibCheck off', compiler: 'ts7', type: 'module', compilerOptions: { ...TSC_INIT, ...DECORATORS, skipLibCheck: false }, files: APP, main: 'main.js' },
  { name: 'TS 7, ES2022, CommonJS (node16)', compiler: 'ts7', type: 'commonjs', compilerOptions: { target: 'es2022', module: 'node16', strict: true, ...DECORATORS }, files: APP, main: 'main.js' },
  { name: 'TS 6, tsc --init (ESNext, ESM)', compiler: 'ts6', type: 'module', compilerOptions: { ...TSC_INIT, ...DECORATORS }, files: APP, main: 'main.js' },
  { name: 'TS 6, ES2020, CommonJS, useDefineForClassFields off', compiler: 'ts6', type: 'commonjs', compilerOptions: { target: 'es2020', module: 'nodenext', strict: true, useDefineForClassFields: false, ...DECORATORS }, files: APP, main: 'main.js' },
  { name: 'TS 5.0, ES2022, CommonJS (module commonjs, esModuleInterop)', compiler: 'ts5', type: 'commonjs', compilerOptions: { target: 'es2022', module: 'commonjs', esModuleInterop: true, strict: true, ...DECORATORS }, files: APP, main: 'main.js' },
  { name: 'TS 5.0, ES2020, ESM, useDefineForClassFields on', compiler: 'ts5', type: 'module', compilerOptions: { target: 'es2020', module: 'nodenext', strict: true, useDefineForClassFields: true, ...DECORATORS }, files: APP, main: 'main.js' },
  { name: 'TS 7, no emitDecoratorMetadata, explicit types', compiler: 'ts7', type: 'commonjs', compilerOptions: { target: 'es2022', module: 'node16', strict: true, experimentalDecorators: true, types: ['node'] }, files: ['explicit.ts'], main: 'explicit.js' },
];

/** Settings a user may forget: each must fail with an error that names it. */
const NO_METADATA: Config = { name: 'no metadata', compiler: 'ts7', type: 'commonjs', compilerOptions: { target: 'es2022', module: 'node16', strict: true, experimentalDecorators: true, types: ['node'] }, files: ['nometa.ts'], main: 'nometa.js' };
const STANDARD: Config = { name: 'standard decorators', compiler: 'ts7', type: 'commonjs', compilerOptions: { target: 'es2022', module: 'node16', strict: true }, files: ['standard.ts'], main: 'standard.js' };
const NEGATIVE: readonly Config[] = [NO_METADATA, STANDARD];

interface Project {
  readonly dir: string;
  readonly compiled: Promise<{ stdout: string; stderr: string; code: number }>;
}

/** Runs a command; resolves with its output and exit code (never rejects for a failing exit). */
async function exec(file: string, args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, encoding: 'utf8', timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string; message: string };
    return { stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}\n${e.message}`, code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** A limit of `n` tasks at once (the machine has two cores). */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

describe('tsro in a consumer project (packed, installed, compiled with TS 5.0 / 6 / 7)', function () {
  // Bounded by the compilers: about 30 s of CPU in all on this machine, mostly TypeScript 5 and 6.
  this.timeout(300_000);
  let work: string;
  let packed: Packed;
  let app: string;
  const projects = new Map<string, Project>();
  const limit = limiter(2);

  before(async function () {
    for (const [name, tsc] of Object.entries(COMPILERS)) {
      if (!fs.existsSync(tsc)) throw new Error(`compiler ${name} not found at ${tsc}: run npm ci`);
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsro-consumer-'));
    // The package's own files, as a fresh clone has them: no dist/.
    const pkg = path.join(work, 'pkg');
    fs.mkdirSync(pkg);
    for (const f of ['package.json', 'tsconfig.json', 'tsconfig.lib.json', 'README.md', 'LICENSE']) {
      fs.copyFileSync(path.join(ROOT, f), path.join(pkg, f));
    }
    fs.cpSync(path.join(ROOT, 'src'), path.join(pkg, 'src'), { recursive: true });
    fs.symlinkSync(MODULES, path.join(pkg, 'node_modules'), 'dir');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const pack = await exec(npm, ['pack', '--json', '--pack-destination', work], pkg);
    expect(pack.code, `npm pack failed:\n${pack.stderr}`).to.equal(0);
    const parsed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Packed[];
    packed = parsed[0]!;

    // Installed: the tarball unpacked as node_modules/tsro, its dependencies linked.
    app = path.join(work, 'app');
    const tsro = path.join(app, 'node_modules', 'tsro');
    fs.mkdirSync(tsro, { recursive: true });
    const untar = await exec('tar', ['-xzf', path.join(work, packed.filename), '-C', tsro, '--strip-components=1'], work);
    expect(untar.code, untar.stderr).to.equal(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(tsro, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of [...Object.keys(manifest.dependencies), '@types/node']) {
      const link = path.join(app, 'node_modules', dep);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(MODULES, dep), link, 'dir');
    }

    // Every project compiles at once (two at a time); each test awaits its own.
    for (const c of [...CONFIGS, ...NEGATIVE]) {
      const dir = path.join(app, `p${projects.size}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${projects.size}`, private: true, type: c.type }));
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...c.compilerOptions, rootDir: '.', outDir: 'out' }, files: c.files }, null, 2));
      for (const f of c.files) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
      const compiled = limit(() => exec(process.execPath, [COMPILERS[c.compiler], '-p', dir], dir));
      compiled.catch(() => undefined);
      projects.set(c.name, { dir, compiled });
    }
  });

  after(function () {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('npm pack (prepare builds dist/lib) ships only the library, tsro.proto, README and LICENSE', function () {
    const paths = packed.files.map((f) => f.path);
    console.log(`      packed: ${packed.filename}, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked, ${packed.entryCount} files`);
    expect(paths).to.include.members(['package.json', 'README.md', 'LICENSE', 'src/protocol/tsro.proto', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/cli/main.js']);
    const stray = paths.filter((p) => !p.startsWith('dist/lib/') && !['package.json', 'README.md', 'LICENSE', 'src/protocol/tsro.proto'].includes(p));
    expect(stray, 'files outside the library').to.deep.equal([]);
    expect(paths.filter((p) => /spec|bench|samples/.test(p)), 'tests, benchmarks or samples in the package').to.deep.equal([]);
    // Every entry point the manifest names is in the package.
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'node_modules/tsro/package.json'), 'utf8')) as {
      main: string; types: string; bin: Record<string, string>; exports: Record<string, string | Record<string, string>>;
    };
    const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin)];
    for (const e of Object.values(manifest.exports)) targets.push(...(typeof e === 'string' ? [e] : Object.values(e)));
    for (const t of targets) expect(paths, `entry point ${t}`).to.include(path.posix.normalize(t));
  });

  it('ships no source maps, and no .js points at one', function () {
    expect(packed.files.filter((f) => f.path.endsWith('.map')).map((f) => f.path)).to.deep.equal([]);
    for (const f of packed.files.filter((x) => x.path.endsWith('.js'))) {
      expect(fs.readFileSync(path.join(app, 'node_modules/tsro', f.path), 'utf8'), f.path).not.to.include('sourceMappingURL');
    }
  });

  it('declarations of the public classes show no internals', function () {
    /** The declaration of class `name` in a .d.ts of the package. */
    const declared = (rel: string, name: string): string => {
      const text = fs.readFileSync(path.join(app, 'node_modules/tsro/dist/lib', rel), 'utf8');
      const start = text.indexOf(`export declare class ${name} `);
      expect(start, `class ${name} in ${rel}`).to.be.greaterThan(-1);
      return text.slice(start, text.indexOf('\n}', start));
    };
    const node = declared('node/node.d.ts', 'Node');
    const dynamic = declared('replica/dynamic-replica.d.ts', 'DynamicReplica');
    for (const internal of ['sourcesOffered', 'connectionClosed', 'releaseHandle']) expect(node, `Node.${internal}`).not.to.contain(internal);
    for (const internal of ['presentedValue', 'snapshot', 'needsDefinition', 'classApi']) expect(dynamic, `DynamicReplica.${internal}`).not.to.contain(internal);
    expect(node.split('\n')[0]).not.to.match(/implements/);
  });

  for (const c of CONFIGS) {
    it(`${c.name}: compiles a host and a typed client, and they work`, async function () {
      const p = projects.get(c.name)!;
      const compiled = await p.compiled;
      expect(compiled.code, `tsc failed:\n${compiled.stdout}${compiled.stderr}`).to.equal(0);
      const ran = await exec(process.execPath, [path.join(p.dir, 'out', c.main)], p.dir);
      expect(ran.code, `node failed:\n${ran.stdout}${ran.stderr}`).to.equal(0);
      expect(ran.stdout).to.match(/^CONSUMER OK /m);
    });
  }

  it('without emitDecoratorMetadata: DECLARATION_INVALID that names the setting and the fix', async function () {
    const p = projects.get(NO_METADATA.name)!;
    const compiled = await p.compiled;
    expect(compiled.code, `tsc failed:\n${compiled.stdout}`).to.equal(0);
    const ran = await exec(process.execPath, [path.join(p.dir, 'out', NO_METADATA.main)], p.dir);
    expect(ran.code).not.to.equal(0);
    expect(ran.stdout).not.to.contain('CONSUMER OK');
    expect(ran.stderr).to.contain('DECLARATION_INVALID');
    expect(ran.stderr).to.contain('Meter: property "reading" has no type metadata');
    expect(ran.stderr).to.contain('"emitDecoratorMetadata": true');
    expect(ran.stderr).to.contain("{ type: ... }");
  });

  it('without experimentalDecorators: the compiler refuses the decorators, and so does tsro, naming the setting', async function () {
    const p = projects.get(STANDARD.name)!;
    const compiled = await p.compiled;
    expect(compiled.code, 'TypeScript accepted tsro decorators as standard decorators').not.to.equal(0);
    const ran = await exec(process.execPath, [path.join(p.dir, 'out', STANDARD.main)], p.dir);
    expect(ran.code).not.to.equal(0);
    expect(ran.stderr).to.contain('DECLARATION_INVALID');
    expect(ran.stderr).to.contain('"experimentalDecorators": true');
  });
});

