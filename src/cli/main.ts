#!/usr/bin/env node
// The `tsro` command-line inspector (package.json "bin"): list the sources of a host, describe
// one, get and set its properties, call its slots, watch it. Dynamic replicas only: it needs no
// API classes. Usage: `tsro --help`; exit codes: failure.ts and docs/cli.md.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { commandHelp, mainHelp, parseCommandLine } from './args';
import { COMMAND_IMPLEMENTATIONS, type Output } from './commands';
import { ExitCode, oneLine, toFailure } from './failure';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI on `argv` (without node and the script); resolves with the exit code. */
export async function run(argv: readonly string[], out: Output, err: (line: string) => void): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    switch (parsed.kind) {
      case 'help':
        out.line((parsed.command ? commandHelp(parsed.command) : mainHelp()).trimEnd());
        return ExitCode.OK;
      case 'version':
        out.line(version());
        return ExitCode.OK;
      case 'run':
        await COMMAND_IMPLEMENTATIONS[parsed.command](parsed.operands, parsed.options, out);
        return ExitCode.OK;
    }
  } catch (e) {
    const failure = toFailure(e);
    err(`tsro: ${oneLine(failure.message)}`);
    return failure.exitCode;
  }
}

if (require.main === module) {
  // A reader that went away (`tsro watch ... | head -1`) ends the program quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(ExitCode.OK);
    throw e;
  });
  // Whatever escapes is still one line, never a stack trace.
  process.on('uncaughtException', (e) => {
    process.stderr.write(`tsro: ${oneLine(toFailure(e).message)}\n`);
    process.exit(ExitCode.INTERNAL);
  });
  const out: Output = { line: (text) => void process.stdout.write(`${text}\n`) };
  void run(process.argv.slice(2), out, (line) => void process.stderr.write(`${line}\n`)).then((code) => {
    process.exitCode = code;
  });
}
