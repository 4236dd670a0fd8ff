// Summarizes V8 .cpuprofile files (from `node --cpu-prof`): self time per function and per file,
// busiest first, with idle time and GC shown apart.
//
//   node --expose-gc --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/run.js --only fanout --transport tcp --runs 1
//   node dist/bench/profile-summary.js /tmp/prof/*.cpuprofile [--top 25] [--callers writeBuffer]
//
// Each file is one process (the bench and each child it forked write their own); they are
// summarized one by one, the busiest first.

import * as fs from 'node:fs';
import * as path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Entry {
  name: string;
  ms: number;
}

export interface ProfileSummary {
  file: string;
  /** For --callers NAME: self time of functions named NAME, by caller chain. */
  callers: Entry[];
  totalMs: number;
  idleMs: number;
  busyMs: number;
  functions: Entry[];
  files: Entry[];
}

function shortUrl(url: string): string {
  if (!url) return '';
  const clean = url.replace(/^file:\/\//, '');
  const dist = clean.lastIndexOf('/dist/');
  if (dist >= 0) return clean.slice(dist + '/dist/'.length);
  const nm = clean.lastIndexOf('/node_modules/');
  if (nm >= 0) return clean.slice(nm + '/node_modules/'.length);
  return clean;
}

function frameName(cf: CallFrame): string {
  const url = shortUrl(cf.url);
  return `${cf.functionName || '(anonymous)'}${url ? ` ${url}:${cf.lineNumber + 1}` : ''}`;
}

export function summarizeProfile(file: string, callersOf?: string): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; attribute it to the sample's node.
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  const callers = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const cf = node.callFrame;
    total += us;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const url = shortUrl(cf.url);
    const name = frameName(cf);
    fn.set(name, (fn.get(name) ?? 0) + us);
    if (callersOf !== undefined && cf.functionName === callersOf) {
      // The nearest three callers outside Node's own internals.
      const chain: string[] = [];
      for (let p = parent.get(id); p !== undefined && chain.length < 3; p = parent.get(p)) {
        const pcf = byId.get(p)!.callFrame;
        if (!pcf.url.startsWith('node:') && pcf.functionName !== '') chain.push(frameName(pcf));
      }
      const key = chain.join(' < ') || '(no JS caller)';
      callers.set(key, (callers.get(key) ?? 0) + us);
    }
    const fileKey = url || cf.functionName;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
  }
  const sortEntries = (m: Map<string, number>): Entry[] =>
    [...m.entries()].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return {
    file,
    totalMs: total / 1000,
    idleMs: idle / 1000,
    busyMs: (total - idle) / 1000,
    functions: sortEntries(fn),
    files: sortEntries(files),
    callers: sortEntries(callers),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  let top = 25;
  let callersOf: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--top') top = Number(args[++i]);
    else if (args[i] === '--callers') callersOf = args[++i];
    else files.push(args[i]!);
  }
  if (files.length === 0) {
    console.error('usage: node dist/bench/profile-summary.js file.cpuprofile... [--top N] [--callers functionName]');
    process.exit(2);
  }
  const summaries = files.map((f) => summarizeProfile(f, callersOf)).sort((a, b) => b.busyMs - a.busyMs);
  for (const s of summaries) {
    console.log(`\n== ${path.basename(s.file)}: ${s.busyMs.toFixed(0)} ms busy, ${s.idleMs.toFixed(0)} ms idle`);
    console.log('   self ms   % busy  function');
    for (const e of s.functions.slice(0, top)) {
      console.log(`${e.ms.toFixed(1).padStart(10)}  ${((100 * e.ms) / s.busyMs).toFixed(1).padStart(6)}%  ${e.name}`);
    }
    if (callersOf !== undefined) {
      console.log(`   self time of ${callersOf}, by caller:`);
      for (const e of s.callers.slice(0, top)) {
        console.log(`${e.ms.toFixed(1).padStart(10)}  ${((100 * e.ms) / s.busyMs).toFixed(1).padStart(6)}%  ${e.name}`);
      }
    }
    console.log('   by file:');
    for (const e of s.files.slice(0, 12)) {
      console.log(`${e.ms.toFixed(1).padStart(10)}  ${((100 * e.ms) / s.busyMs).toFixed(1).padStart(6)}%  ${e.name}`);
    }
  }
}

if (require.main === module) main();
