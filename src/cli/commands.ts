// The commands: list, describe, get, set, call, watch, rows. Each takes its operands, the options and
// an Output, and either returns (exit code 0) or throws (see failure.ts). One-shot commands
// close their node before returning; watch runs until SIGINT or SIGTERM.

import { readonlyReason, type MethodDescription, type PropertyDescription } from '../api/api-description';
import { wireTypeToString } from '../api/wire-type';
import type { DynamicReplica } from '../replica/dynamic-replica';
import type { ReplicaState } from '../replica/replica-state';
import { MODEL_TYPE_NAME } from '../api/model-type';
import type { ModelReplica, ModelReplicaOptions } from '../model/model-replica';
import type { CommandName, Options } from './args';
import { CliFailure, ExitCode, toFailure, usage } from './failure';
import { allSources, knownSources, Session } from './session';
import { ArgumentSyntaxError, formatValue, parseArgument, toJson, type Json } from './values';

/** Where results go: stdout in the binary. */
export interface Output {
  line(text: string): void;
}

type Command = (operands: readonly string[], options: Options, out: Output) => Promise<void>;

/** Runs a one-shot command against a session that is closed afterwards, whatever happens. */
async function withSession<T>(url: string, options: Options, body: (s: Session) => Promise<T>): Promise<T> {
  const session = await Session.open(url, options);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

function emitJson(out: Output, value: Json): void {
  out.line(JSON.stringify(value));
}

/** Pads the columns of `rows` to the widest cell (the last column is not padded). */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

function paramName(p: { name: string }, i: number): string {
  return p.name || `arg${i + 1}`;
}

function signatureText(m: MethodDescription, withReturn: boolean): string {
  const params = m.params.map((p, i) => `${paramName(p, i)}${i >= m.required ? '?' : ''}: ${wireTypeToString(p.type)}`);
  const returns = m.stream === true ? `stream<${wireTypeToString(m.returns)}>` : wireTypeToString(m.returns);
  return `${m.name}(${params.join(', ')})${withReturn ? `: ${returns}` : ''}`;
}

function property(replica: DynamicReplica, name: string): PropertyDescription {
  const prop = replica.api!.propertyByName.get(name);
  if (!prop) {
    const known = replica.propertyNames;
    throw new CliFailure(
      ExitCode.NOT_FOUND,
      `source "${replica.name}" has no property "${name}" (properties: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  return prop;
}

function slot(replica: DynamicReplica, name: string): MethodDescription {
  const s = replica.api!.slotByName.get(name);
  if (!s) {
    const known = replica.api!.slots.map((x) => x.name);
    throw new CliFailure(
      ExitCode.NOT_FOUND,
      `source "${replica.name}" has no slot "${name}" (slots: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  return s;
}

function parseOperand(text: string, type: Parameters<typeof parseArgument>[1], what: string): unknown {
  try {
    return parseArgument(text, type);
  } catch (err) {
    if (err instanceof ArgumentSyntaxError) throw usage(`${what}: ${err.message}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------

const list: Command = (operands, options, out) =>
  withSession(operands[0]!, options, async (session) => {
    const sources = (await allSources(session.node)).sort((a, b) => a.name.localeCompare(b.name));
    if (options.json) {
      emitJson(out, sources.map((s) => ({ name: s.name, typeName: s.typeName, signature: s.signature, url: s.url })));
      return;
    }
    if (sources.length === 0) {
      out.line(`no sources at ${session.url}`);
      return;
    }
    const rows = [['NAME', 'TYPE', 'SIGNATURE', 'URL'], ...sources.map((s) => [s.name, s.typeName, s.signature.slice(0, 12), s.url])];
    for (const l of table(rows)) out.line(l);
  });

const describe: Command = (operands, options, out) =>
  withSession(operands[0]!, options, async (session) => {
    const replica = await session.replica(operands[1]!);
    const api = replica.api!;
    if (options.json) {
      emitJson(out, {
        name: replica.name,
        typeName: api.typeName,
        signature: api.signature,
        url: session.url,
        properties: api.properties.map((p) => ({
          name: p.name,
          type: wireTypeToString(p.type),
          readonly: p.readonly,
          mode: p.mode,
          value: toJson(replica.get(p.name)),
        })),
        signals: api.signals.map((s) => ({
          name: s.name,
          params: s.params.map((p, i) => ({ name: paramName(p, i), type: wireTypeToString(p.type) })),
        })),
        slots: api.slots.map((s) => ({
          name: s.name,
          params: s.params.map((p, i) => ({ name: paramName(p, i), type: wireTypeToString(p.type), optional: i >= s.required })),
          returns: wireTypeToString(s.returns),
        })),
      });
      return;
    }
    out.line(`${replica.name}: type ${api.typeName} at ${session.url}`);
    out.line(`signature ${api.signature}`);
    out.line('properties:');
    if (api.properties.length === 0) out.line('  (none)');
    const rows = api.properties.map((p) => [
      `  ${p.name}`,
      wireTypeToString(p.type),
      p.mode,
      `= ${truncate(formatValue(replica.get(p.name), Infinity), 60)}`,
    ]);
    for (const l of table(rows)) out.line(l);
    out.line('signals:');
    if (api.signals.length === 0) out.line('  (none)');
    for (const s of api.signals) out.line(`  ${signatureText(s, false)}`);
    out.line('slots:');
    if (api.slots.length === 0) out.line('  (none)');
    for (const s of api.slots) out.line(`  ${signatureText(s, true)}`);
  });

const get: Command = (operands, options, out) =>
  withSession(operands[0]!, options, async (session) => {
    const replica = await session.replica(operands[1]!);
    const name = operands[2];
    if (name !== undefined) {
      const value = replica.get(property(replica, name).name);
      if (options.json) emitJson(out, toJson(value));
      else for (const l of formatValue(value).split('\n')) out.line(l);
      return;
    }
    if (options.json) {
      const all: Record<string, unknown> = {};
      for (const p of replica.propertyNames) Object.defineProperty(all, p, { value: replica.get(p), enumerable: true });
      emitJson(out, toJson(all));
      return;
    }
    const width = Math.max(0, ...replica.propertyNames.map((p) => p.length));
    for (const p of replica.propertyNames) out.line(`${p.padEnd(width)} = ${formatValue(replica.get(p)).replace(/\n/g, `\n${' '.repeat(width + 3)}`)}`);
  });

const set: Command = (operands, options, out) =>
  withSession(operands[0]!, options, async (session) => {
    const replica = await session.replica(operands[1]!);
    const prop = property(replica, operands[2]!);
    const what = `${replica.name}.${prop.name}`;
    if (prop.readonly) throw new CliFailure(ExitCode.REFUSED, `property ${what} ${readonlyReason(prop)} (READONLY)`);
    const value = parseOperand(operands[3]!, prop.type, `value for ${what}`);
    try {
      await session.bounded(replica.set(prop.name, value), `setting ${what}`);
    } catch (err) {
      throw toFailure(err, `setting ${what}`);
    }
    if (options.json) emitJson(out, { source: replica.name, property: prop.name, value: toJson(value) });
    else out.line(`${what} = ${formatValue(value, Infinity)}`);
  });

const call: Command = (operands, options, out) =>
  withSession(operands[0]!, options, async (session) => {
    const replica = await session.replica(operands[1]!);
    const s = slot(replica, operands[2]!);
    const what = `${replica.name}.${s.name}()`;
    const args = operands.slice(3).map((text, i) =>
      parseOperand(text, s.params[i]?.type ?? 'any', `argument ${i + 1} (${s.params[i] ? paramName(s.params[i]!, i) : 'extra'}) of ${what}`),
    );
    if (s.stream === true) {
      await printStream(replica.invoke<AsyncIterableIterator<unknown>>(s.name, ...args), session, options, out, what);
      return;
    }
    let result: unknown;
    try {
      result = await session.bounded(replica.invoke(s.name, ...args), `calling ${what}`);
    } catch (err) {
      throw toFailure(err, what);
    }
    if (options.json) emitJson(out, toJson(result));
    else if (!(s.returns === 'void' && result === undefined)) for (const l of formatValue(result).split('\n')) out.line(l);
  });

/** A non-negative integer operand. */
function indexOperand(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw usage(`${what} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return n;
}

/** A valid replica of model `name`, or a NOT_FOUND failure. */
async function modelReplica(session: Session, name: string, options: Options, acquire: ModelReplicaOptions): Promise<ModelReplica> {
  const offered = knownSources(session.node).find((s) => s.name === name);
  if (offered && offered.typeName !== MODEL_TYPE_NAME) {
    throw new CliFailure(ExitCode.NOT_FOUND, `source "${name}" at ${session.url} is a ${offered.typeName}, not a model (see tsro get)`);
  }
  const replica = session.node.acquireModel(name, acquire);
  if (await replica.waitForSource(options.timeout)) return replica;
  throw new CliFailure(ExitCode.NOT_FOUND, `no model "${name}" at ${session.url} (not offered within ${options.timeout} ms; see tsro list ${session.url})`);
}

const rows: Command = (operands, options, out) =>
  withSession(operands[0]!, options, async (session) => {
    const start = indexOperand(operands[2], 'START', 0);
    const requested = indexOperand(operands[3], 'COUNT', Infinity);
    const model = await modelReplica(session, operands[1]!, options, { cacheSize: 0 });
    const count = Math.min(requested, Math.max(0, model.rowCount - start));
    if (start > model.rowCount || (operands[3] !== undefined && start + requested > model.rowCount)) {
      throw new CliFailure(ExitCode.REFUSED, `model "${model.name}" has ${model.rowCount} rows: cannot show ${operands[3] ?? 'rows'} from ${start} (OUT_OF_RANGE)`);
    }
    // In pages, printed as they come: a million rows never sit in memory at once.
    const PAGE = 1000;
    for (let at = start; at < start + count; at += PAGE) {
      let page: unknown[];
      try {
        page = await session.bounded(model.fetch(at, Math.min(PAGE, start + count - at)), `fetching rows of ${model.name}`);
      } catch (err) {
        throw toFailure(err, `fetching rows of ${model.name}`);
      }
      page.forEach((row, k) => {
        if (options.json) emitJson(out, { index: at + k, row: toJson(row) });
        else out.line(`${at + k}: ${formatValue(row, Infinity)}`);
      });
      if (page.length < PAGE && at + page.length < start + count) break; // the model shrank meanwhile
    }
  });

/** Rows `tsro watch` keeps of a model (from row 0): changes to them print with their values. */
const WATCHED_ROWS = 1000;

/** `tsro watch` on a model: the row count, then its row operations. */
async function watchModel(session: Session, name: string, options: Options, out: Output): Promise<void> {
  const model = session.node.acquireModel(name, { prefetch: WATCHED_ROWS, cacheSize: WATCHED_ROWS });
  const now = (): string => new Date().toISOString();
  let stopping = false;
  const print = (event: string, args: number[], rows?: unknown[]): void => {
    if (stopping) return;
    if (options.json) {
      const doc: Record<string, Json> = { time: now(), event, args };
      if (rows) doc.rows = rows.map(toJson);
      emitJson(out, doc);
    } else {
      out.line(`${event}(${args.join(', ')})${rows ? ` ${rows.map((r) => formatValue(r, Infinity)).join(', ')}` : ''}`);
    }
  };
  const held = (start: number, count: number): unknown[] | undefined => {
    const rows: unknown[] = [];
    for (let i = start; i < start + count; i++) if (model.hasRow(i)) rows.push(model.row(i));
    return rows.length === count ? rows : undefined;
  };
  // The row count is printed once the prefetched rows are in (their arrival is not news); from
  // then on every operation, with the rows when the cache has them.
  let primed = false;
  const prime = (): void => {
    if (primed || (model.rowCount > 0 && !held(0, Math.min(WATCHED_ROWS, model.rowCount)))) return;
    primed = true;
    print('rowCount', [model.rowCount]);
  };
  model.on('initialized', () => {
    primed = false;
    prime();
  });
  model.on('rowsInserted', (start, count) => print('rowsInserted', [start, count], held(start, count)));
  model.on('rowsRemoved', (start, count) => print('rowsRemoved', [start, count]));
  model.on('rowsMoved', (start, count, destination) => print('rowsMoved', [start, count, destination]));
  model.on('rowsChanged', (start, count) => {
    if (primed) print('rowsChanged', [start, count], held(start, count));
    else prime();
  });
  model.on('modelReset', () => print('modelReset', [model.rowCount]));
  model.on('stateChanged', (state, previous) => {
    if (stopping) return;
    if (options.json) emitJson(out, { time: now(), event: 'state', state, previous });
    else out.line(`state ${state}`);
  });
  const stopped = stopSignal();
  const valid = await Promise.race([model.waitForSource(options.timeout), stopped.promise.then(() => undefined)]);
  if (valid === false) {
    stopped.dispose();
    throw new CliFailure(ExitCode.NOT_FOUND, `no model "${name}" at ${session.url} (not offered within ${options.timeout} ms)`);
  }
  await stopped.promise;
  stopping = true;
}

const watch: Command = async (operands, options, out) => {
  const session = await Session.open(operands[0]!, options, true);
  try {
    session.checkOffered(operands[1]!);
    if (knownSources(session.node).find((s) => s.name === operands[1])?.typeName === MODEL_TYPE_NAME) {
      await watchModel(session, operands[1]!, options, out);
      return;
    }
    const replica = session.node.acquireDynamic(operands[1]!);
    const now = (): string => new Date().toISOString();
    const heard = new Set<string>();
    let stopping = false; // closing the node turns the replica suspect: not news
    const listen = (): void => {
      const api = replica.api;
      if (!api) return;
      for (const p of api.properties) {
        const event = `${p.name}Changed`;
        if (heard.has(event)) continue;
        heard.add(event);
        replica.on(event, (value: unknown) => {
          if (stopping) return;
          if (options.json) emitJson(out, { time: now(), event: 'change', property: p.name, value: toJson(value) });
          else out.line(`${p.name} = ${formatValue(value, Infinity)}`);
        });
      }
      for (const s of api.signals) {
        if (heard.has(s.name)) continue;
        heard.add(s.name);
        replica.on(s.name, (...args: unknown[]) => {
          if (stopping) return;
          if (options.json) emitJson(out, { time: now(), event: 'signal', signal: s.name, args: args.map(toJson) });
          else out.line(`${s.name}(${args.map((a) => formatValue(a, Infinity)).join(', ')})`);
        });
      }
    };
    // `initialized` comes before `stateChanged` and the `<prop>Changed` of the initial values, so
    // listening from there prints the current values first; again after a reconnect (the API
    // may have grown if the host came back with another version).
    replica.on('initialized', listen);
    replica.on('stateChanged', (state: ReplicaState, previous: ReplicaState) => {
      if (stopping) return;
      if (options.json) emitJson(out, { time: now(), event: 'state', state, previous });
      else out.line(`state ${state}`);
    });
    const stopped = stopSignal();
    const valid = await Promise.race([replica.waitForSource(options.timeout), stopped.promise.then(() => undefined)]);
    if (valid === false) {
      stopped.dispose();
      throw new CliFailure(
        ExitCode.NOT_FOUND,
        `no source "${replica.name}" at ${session.url} (not offered within ${options.timeout} ms; see tsro list ${session.url})`,
      );
    }
    await stopped.promise;
    stopping = true;
  } finally {
    await session.close();
  }
};

/**
 * A stream slot's items, one a line as they arrive, until it ends or SIGINT/SIGTERM (which ends
 * it at the source too). --timeout bounds each wait for the next item, not the whole stream.
 */
async function printStream(stream: AsyncIterableIterator<unknown>, session: Session, options: Options, out: Output, what: string): Promise<void> {
  const stopped = stopSignal();
  const stop = stopped.promise.then(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([session.bounded(stream.next(), `waiting for the next item of ${what}`), stop]);
      if (next === undefined || next.done === true) break;
      if (options.json) emitJson(out, toJson(next.value));
      else out.line(formatValue(next.value, Infinity));
    }
  } catch (err) {
    throw toFailure(err, what);
  } finally {
    stopped.dispose();
    await stream.return?.();
  }
}

/** Resolves on the first SIGINT or SIGTERM; `dispose` removes the handlers. */
function stopSignal(): { promise: Promise<void>; dispose(): void } {
  let dispose!: () => void;
  const promise = new Promise<void>((resolve) => {
    const onSignal = (): void => {
      dispose();
      resolve();
    };
    dispose = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { promise, dispose };
}

export const COMMAND_IMPLEMENTATIONS: Readonly<Record<CommandName, Command>> = { list, describe, get, set, call, watch, rows };
