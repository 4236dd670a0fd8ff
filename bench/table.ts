// Turns the scenarios' samples into rows (medians, the ratio against the raw baseline, whether
// the target is met) and prints them as a plain-text table.

import { GOALS, goalText } from './goals';
import type { MetricResult, Target } from './scenario';
import { median, summarize, type Summary } from './stats';

export interface Row {
  scenario: string;
  transport: string;
  metric: string;
  unit: string;
  better: 'lower' | 'higher';
  tsro: Summary;
  raw?: Summary;
  /** tsro / raw of the metric: the median of the per-run ratios (same run). */
  ratio?: number;
  target?: Target;
  met?: boolean;
  /** How far from the target, as a factor (>= 1 means that many times off), when missed. */
  missFactor?: number;
  status: string;
  qtro?: number;
  samples: { tsro: number[]; raw?: number[] };
  notes?: string[];
  extra?: Record<string, unknown>;
}

function pairedRatio(tsro: number[], raw: number[]): number {
  if (tsro.length === raw.length && raw.every((r) => r !== 0)) return median(tsro.map((t, i) => t / raw[i]!));
  return median(tsro) / median(raw);
}

export function evaluate(m: MetricResult): Row {
  const tsro = summarize(m.tsro);
  const raw = m.raw ? summarize(m.raw) : undefined;
  const ratio = m.raw && raw && raw.median !== 0 ? pairedRatio(m.tsro, m.raw) : undefined;
  let met: boolean | undefined;
  let missFactor: number | undefined;
  let status = '';
  const t = m.target;
  if (t) {
    const value = t.relativeToRaw ? ratio : tsro.median;
    if (value === undefined || Number.isNaN(value)) {
      status = 'n/a';
    } else {
      met = t.op === '<=' ? value <= t.value : value >= t.value;
      if (met) {
        status = 'met';
      } else if (t.value === 0) {
        status = `MISSED (${fmt(value, m.unit)})`;
      } else {
        missFactor = t.op === '<=' ? value / t.value : t.value / value;
        status = `MISSED x${missFactor.toFixed(2)}`;
      }
    }
  }
  return {
    scenario: m.scenario,
    transport: m.transport,
    metric: m.metric,
    unit: m.unit,
    better: m.better,
    tsro,
    raw,
    ratio,
    target: t,
    met,
    missFactor,
    status,
    qtro: m.qtro,
    samples: { tsro: m.tsro, raw: m.raw },
    notes: m.notes,
    extra: m.extra,
  };
}

/** A number in the metric's unit, short. */
export function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (unit.endsWith('/s')) {
    if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
    if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(0)} k`;
    return v.toFixed(0);
  }
  if (unit === 'ms') return Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(1);
  if (unit === 'µs') return v.toFixed(1);
  return Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1);
}

function fmtRatio(r: number | undefined): string {
  if (r === undefined || Number.isNaN(r)) return '-';
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}x`;
}

export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'tr', 'metric', 'unit', 'tsro median', 'min..max', 'raw median', 'tsro/raw', 'QtRO', 'goal', 'status'];
  const body = rows.map((r) => [
    r.scenario,
    r.transport,
    r.metric,
    r.unit,
    fmt(r.tsro.median, r.unit),
    r.tsro.n > 1 ? `${fmt(r.tsro.min, r.unit)}..${fmt(r.tsro.max, r.unit)}` : '',
    fmt(r.raw?.median, r.unit),
    fmtRatio(r.ratio),
    r.qtro === undefined ? '' : fmt(r.qtro, r.unit),
    r.target?.text ?? '',
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = new Set([4, 5, 6, 7, 8]);
  const line = (cells: string[]): string =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  for (const [i, b] of body.entries()) {
    if (previous && rows[i]!.scenario !== previous) out.push('');
    previous = rows[i]!.scenario;
    out.push(line(b));
  }
  return out.join('\n');
}

/**
 * Every goal of goals.ts with how this run did: met (every row held to it met it), MISSED (the
 * rows that missed, with their figure), or not measured by this run.
 */
export function formatGoalSummary(rows: Row[]): string {
  const out = ['goals (bench/goals.ts):'];
  const width = Math.max(...GOALS.map((g) => g.figure.length));
  for (const g of GOALS) {
    const held = rows.filter((r) => r.target?.goal === g.id);
    let status: string;
    if (held.length === 0) status = 'not measured in this run';
    else if (held.every((r) => r.met === true)) status = `met (${held.length} row${held.length > 1 ? 's' : ''})`;
    else {
      const missed = held.filter((r) => r.met !== true);
      status = `MISSED in ${missed.length} of ${held.length}: ${missed
        .map((r) => `${r.scenario}/${r.transport} ${r.metric} = ${r.target?.relativeToRaw ? fmtRatio(r.ratio) : `${fmt(r.tsro.median, r.unit)} ${r.unit}`}`)
        .join('; ')}`;
    }
    out.push(`  ${g.figure.padEnd(width)}  ${goalText(g).padEnd(16)}  ${status}  [${g.origin}]`);
  }
  return out.join('\n');
}
