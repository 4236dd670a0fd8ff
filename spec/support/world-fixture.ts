// The common setup of the end-to-end specs in one place: before each test of the describe that
// calls useWorld, a World with a host on `url()` and a node connected to it; after it, the World
// closes everything (and fails the test if anything was logged at error level). Tests read
// `f.w`, `f.host`, `f.node`, remote sources with `f.remote` and acquire replicas that are already
// valid with `f.valid` / `f.validDynamic`.

import { expect } from 'chai';
import type { DynamicReplica, Host, HostOptions, Node, NodeOptions, Replica } from '../../src/index';
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

export interface WorldOptions {
  readonly host?: HostOptions;
  readonly node?: NodeOptions;
}

/** Registers the beforeEach/afterEach of the calling describe; returns what the tests read. */
export function useWorld(url: () => string, options: WorldOptions = {}): WorldSetup {
  let current: { w: World; host: Host; node: Node } | undefined;
  const now = (): { w: World; host: Host; node: Node } => {
    if (!current) throw new Error('the world fixture is only there during a test (beforeEach to afterEach)');
    return current;
  };
  beforeEach(async () => {
    const w = new World();
    const host = await w.host(url(), options.host);
    const node = await w.connectedNode(host, options.node);
    current = { w, host, node };
  });
  afterEach(async () => {
    const w = current?.w;
    current = undefined;
    await w?.close();
  });
  return {
    get w() {
      return now().w;
    },
    get host() {
      return now().host;
    },
    get node() {
      return now().node;
    },
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
}
