// The common setup of the end-to-end specs in one place: before each test of the describe that
// calls useWorld, a World with a host on `url()` and a node connected to it; after it, the World
// closes everything (and fails the test if anything was logged at error level). Tests read
// `f.w`, `f.host`, `f.node`, remote sources with `f.remote` and acquire replicas that are already
// valid with `f.valid` / `f.validDynamic`; given a `source`, the fixture remotes it and acquires
// its replicas too (`f.source`, `f.r`, `f.dyn`).

import { expect } from 'chai';
import type { DynamicReplica, Host, HostOptions, Node, NodeOptions, Replica } from '../../src/index';
import { typeNameOf, type AnyClass } from '../../src/api/metadata';
import { World, WAIT_MS } from './e2e';

export interface WorldSetup {
  /** This test's World: more hosts and nodes, taps, raw clients; closed after the test. */
  readonly w: World;
  /** The host, listening. */
  readonly host: Host;
  /** A node connected to the host. */
  readonly node: Node;
  /** Remotes `source` on the host (the test fails if it cannot) and returns it. */
  remote<S extends object>(source: S, name?: string): S;
  /** A typed replica on the node (or `on`), once it is valid. */
  valid<T extends object>(cls: abstract new (...args: never[]) => T, name?: string, on?: Node): Promise<Replica<T>>;
  /** A dynamic replica on the node (or `on`), once it is valid. */
  validDynamic(name: string, on?: Node): Promise<DynamicReplica>;
}

/** A world with one source remoted and its replicas acquired, valid, for each test. */
export interface SourceSetup<S extends object, T extends object> extends WorldSetup {
  /** The source object, remoted on the host. */
  readonly source: S;
  /** A typed replica of it (if `typed` was given), valid. */
  readonly r: Replica<T>;
  /** A dynamic replica of it (if `dynamic` was given), valid. */
  readonly dyn: DynamicReplica;
}

export interface WorldOptions {
  readonly host?: HostOptions;
  readonly node?: NodeOptions;
}

export interface SourceOptions<S extends object, T extends object> extends WorldOptions {
  /** Makes the source remoted for each test (under `name`, else its type name). */
  readonly source: () => S;
  readonly name?: string;
  /** Acquire a typed replica of this class, valid before the test starts. */
  readonly typed?: abstract new (...args: never[]) => T;
  /** Acquire a dynamic replica too, valid before the test starts. */
  readonly dynamic?: boolean;
}

interface Current {
  w: World;
  host: Host;
  node: Node;
  source?: object;
  r?: unknown;
  dyn?: DynamicReplica;
}

/** Registers the beforeEach/afterEach of the calling describe; returns what the tests read. */
export function useWorld(url: () => string, options?: WorldOptions): WorldSetup;
/** The same, with a source remoted and replicas of it acquired and valid before each test. */
export function useWorld<S extends object, T extends object = S>(url: () => string, options: SourceOptions<S, T>): SourceSetup<S, T>;
export function useWorld(url: () => string, options: Partial<SourceOptions<object, object>> = {}): SourceSetup<object, object> {
  let current: Current | undefined;
  const now = (): Current => {
    if (!current) throw new Error('the world fixture is only there during a test (beforeEach to afterEach)');
    return current;
  };
  const setup = {} as SourceSetup<object, object>;
  beforeEach(async () => {
    const w = new World();
    const host = await w.host(url(), options.host);
    const node = await w.connectedNode(host, options.node);
    current = { w, host, node };
    if (options.source) {
      const source = options.source();
      current.source = setup.remote(source, options.name);
      const name = options.name ?? typeNameOf(source.constructor as AnyClass);
      if (options.typed) current.r = await setup.valid(options.typed, options.name);
      if (options.dynamic) current.dyn = await setup.validDynamic(name!);
    }
  });
  afterEach(async () => {
    const w = current?.w;
    current = undefined;
    await w?.close();
  });
  const methods: Pick<WorldSetup, 'remote' | 'valid' | 'validDynamic'> = {
    remote(source, name) {
      expect(now().host.enableRemoting(source, name), `remoting ${name ?? source.constructor.name}`).to.equal(true);
      return source;
    },
    async valid(cls, name, on) {
      const r = (on ?? now().node).acquire(cls, name);
      expect(await r.waitForSource(WAIT_MS), `the replica of ${name ?? cls.name} to become valid`).to.equal(true);
      return r;
    },
    async validDynamic(name, on) {
      const dyn = (on ?? now().node).acquireDynamic(name);
      expect(await dyn.waitForSource(WAIT_MS), `the dynamic replica of ${name} to become valid`).to.equal(true);
      return dyn;
    },
  };
  Object.assign(setup, methods);
  for (const key of ['w', 'host', 'node'] as const) Object.defineProperty(setup, key, { get: () => now()[key] });
  Object.defineProperty(setup, 'source', { get: () => now().source ?? missing('source') });
  Object.defineProperty(setup, 'r', { get: () => now().r ?? missing('typed') });
  Object.defineProperty(setup, 'dyn', { get: () => now().dyn ?? missing('dynamic') });
  return setup;
}

function missing(option: string): never {
  throw new Error(`the world fixture was not given \`${option}\``);
}

/**
 * For a describe block whose tests build their own hosts and nodes: a fresh World for each test,
 * closed after it. The returned object stands for the current test's World (it forwards to it),
 * so tests use it as they would a `let w: World` assigned in beforeEach.
 */
export function worldPerTest(): World {
  let current: World | undefined;
  beforeEach(() => {
    current = new World();
  });
  afterEach(async () => {
    const w = current;
    current = undefined;
    await w?.close();
  });
  return new Proxy({} as World, {
    get(_target, key) {
      if (!current) throw new Error('the World of worldPerTest() is only there during a test (beforeEach to afterEach)');
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
