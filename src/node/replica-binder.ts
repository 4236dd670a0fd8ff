// The replicas of one node: one ReplicaCore per acquired source name, shared by every handle of
// that name, and its subscription to whichever connected host offers the name. A core whose
// source is not offered yet waits; the registry, if followed, says which host to connect to.

import { didYouMean } from '../util/closest-names';
import type { ApiDescription } from '../api/api-description';
import { apiOf, type AnyClass } from '../api/metadata';
import { DisconnectedError } from '../errors';
import type { SourceLocation } from '../registry/registry-source';
import { DynamicReplica, DynamicView } from '../replica/dynamic-replica';
import { ReplicaCore } from '../replica/replica-core';
import type { Replica } from '../replica/replica-types';
import type { ReplicaOwner, ReplicaView } from '../replica/replica-view';
import { typedReplicaFor } from '../replica/typed-replica';
import { ModelReplica, ModelView, type ModelReplicaOptions } from '../model/model-replica';
import type { Logger } from '../util/logger';
import type { Timers } from '../util/timers';
import type { PersistenceSaver } from './persistence-saver';
import type { DirectoryListener, Offer } from './source-directory';
import type { SignatureMismatch } from '../api/api-diff';

/** How many fetched source APIs the node keeps to explain mismatches. */
const MAX_DEFINITIONS = 32;

/** What the binder needs from the rest of the node. */
export interface BinderLinks {
  readonly logger: Logger;
  readonly timers: Timers;
  readonly saver: PersistenceSaver | undefined;
  /** True once the node is closed: nothing more may be acquired. */
  readonly closed: () => boolean;
  offer(name: string): Offer | undefined;
  /** Asks hosts that list on request whether they offer `name`. */
  lookup(name: string): void;
  /** Where the registry says a source lives, if a registry is followed and valid. */
  locate(name: string): SourceLocation | undefined;
  ensureConnected(url: string): void;
  /**
   * The names of every source the node knows of (connected hosts' offers, the registry's list),
   * and whether a registry counts in; undefined while no source list is in yet.
   */
  knownSourceNames(): { readonly names: readonly string[]; readonly registry: boolean } | undefined;
}

export class ReplicaBinder implements ReplicaOwner, DirectoryListener {
  readonly logger: Logger;
  readonly timers: Timers;
  readonly #links: BinderLinks;
  readonly #cores = new Map<string, ReplicaCore>();
  readonly #acquired = new Set<() => void>();
  /** Names whose missing source was pointed out already (#hintUnknown): once each. */
  readonly #hinted = new Set<string>();

  constructor(links: BinderLinks) {
    this.#links = links;
    this.logger = links.logger;
    this.timers = links.timers;
  }

  /** True once the node is closed (ReplicaOwner: waits end). */
  get closed(): boolean {
    return this.#links.closed();
  }

  /** The node closed: every wait of every replica ends with false. */
  endWaits(): void {
    for (const core of this.#cores.values()) core.endWaits();
  }

  /** Calls `fn` after every acquire (a Host connects to itself then). */
  onAcquire(fn: () => void): void {
    this.#acquired.add(fn);
  }

  acquire<T extends object>(cls: abstract new (...args: never[]) => T, name?: string): Replica<T> {
    const anyClass = cls as unknown as AnyClass;
    const api = apiOf(anyClass);
    const core = this.#coreFor(name ?? api.typeName);
    const { ctor, View, defaults } = typedReplicaFor(anyClass, this);
    const view = new View(core, this, api, this.#startingValues(core, api, defaults));
    const handle = new ctor(view);
    view.attach();
    this.#bind(core);
    this.#afterAcquire();
    return handle as unknown as Replica<T>;
  }

  acquireDynamic(name: string): DynamicReplica {
    const core = this.#coreFor(name);
    const view = new DynamicView(core, this);
    const handle = new DynamicReplica(view);
    view.attach();
    this.#bind(core);
    this.#afterAcquire();
    return handle;
  }

  acquireModel<T = unknown>(name: string, options: ModelReplicaOptions = {}): ModelReplica<T> {
    const core = this.#coreFor(name);
    const view = new ModelView(core, this, options);
    const handle = new ModelReplica<T>(view);
    view.attach();
    this.#bind(core);
    this.#afterAcquire();
    return handle;
  }

  /** A source the registry lists appeared: connect to its host if a replica waits for it. */
  sourceListed(name: string, hostUrl: string): void {
    const core = this.#cores.get(name);
    if (core && !core.subscription) this.#links.ensureConnected(hostUrl);
  }

  /** Binds every core that has no subscription (the registry became valid). */
  bindWaiting(): void {
    for (const core of this.#cores.values()) if (!core.subscription) this.#bind(core);
  }

  releaseHandle(_view: ReplicaView, core: ReplicaCore): void {
    if (core.handleCount > 0) {
      const sub = core.subscription;
      if (sub && !core.accepts(sub.signature)) {
        // Only handles that cannot use this source are left: stop its traffic.
        sub.connection.release(sub.sourceId);
        core.unsubscribe();
      }
      core.refreshStates();
      return;
    }
    this.#cores.delete(core.name);
    const sub = core.subscription;
    if (sub) sub.connection.release(sub.sourceId);
    core.unsubscribe();
  }

  // DirectoryListener

  offered(name: string): void {
    const core = this.#cores.get(name);
    if (core) this.#bind(core);
  }

  withdrawn(name: string, offer: Offer): void {
    const core = this.#cores.get(name);
    const sub = core?.subscription;
    if (sub?.connection === offer.connection && sub.sourceId === offer.info.id) core!.detach();
  }

  gone(name: string): void {
    this.#cores.get(name)?.refreshStates();
  }

  *waiting(): Iterable<string> {
    for (const [name, core] of this.#cores) if (!core.subscription) yield name;
  }

  /** The source lists changed: points out replicas whose name is still on none of them. */
  hintWaiting(): void {
    for (const core of this.#cores.values()) {
      if (!core.subscription && !this.#hinted.has(core.name) && !this.#links.offer(core.name) && !this.#links.locate(core.name)) {
        this.#hintUnknown(core.name);
      }
    }
  }

  /**
   * A replica of a name that no connected host offers and the registry (if any) does not list,
   * but close to one that is: most often a typo, which would otherwise only show as a timeout.
   * Said once, at once if the source lists are in (else when they arrive). A name close to none
   * is not pointed out: it is as likely a source that is about to be offered.
   */
  #hintUnknown(name: string): void {
    if (this.#hinted.has(name)) return;
    const known = this.#links.knownSourceNames();
    if (known === undefined) return;
    const hint = didYouMean(name, known.names);
    if (hint === '') return;
    this.#hinted.add(name);
    const where = known.registry ? 'no connected host or the registry' : 'no connected host';
    this.logger.warn(`a replica of "${name}" waits for a source that ${where} offers (yet).${hint}`);
  }

  /** Source APIs fetched to explain mismatches, by signature (a few: one per API version met). */
  readonly #definitions = new Map<string, Promise<ApiDescription>>();

  /**
   * Tells the mismatched handles of `core` what differs from the source `offer` names, and logs
   * it: from the API the core has (a dynamic handle's definition) or one fetched before, else
   * asked of the host (once per signature).
   */
  #explain(core: ReplicaCore, offer: Offer): void {
    const { connection, info } = offer;
    const signature = info.signature;
    let api = core.api?.signature === signature ? Promise.resolve(core.api) : this.#definitions.get(signature);
    if (api === undefined) {
      api = connection.describe(info.id);
      if (this.#definitions.size >= MAX_DEFINITIONS) this.#definitions.delete(this.#definitions.keys().next().value!);
      this.#definitions.set(signature, api);
      api.catch(() => this.#definitions.delete(signature));
    }
    api.then(
      (definition) => this.#logMismatches(core.explain(signature, definition)),
      (err: unknown) => this.#logMismatches(core.explain(signature, undefined, err instanceof Error ? err.message : String(err))),
    );
  }

  #logMismatches(mismatches: readonly SignatureMismatch[]): void {
    for (const m of mismatches) this.logger.warn(m.message);
  }

  #afterAcquire(): void {
    for (const fn of this.#acquired) fn();
  }

  #coreFor(name: string): ReplicaCore {
    if (this.#links.closed()) throw new DisconnectedError('the node is closed', 'CLOSED');
    let core = this.#cores.get(name);
    if (!core) {
      core = new ReplicaCore(name);
      this.#cores.set(name, core);
    }
    return core;
  }

  #startingValues(core: ReplicaCore, api: ApiDescription, defaults: readonly unknown[]): readonly unknown[] {
    return this.#links.saver ? this.#links.saver.restore(core, api, defaults) : defaults;
  }

  /** Subscribes a core to the host offering its source, if any and if some handle can use it. */
  #bind(core: ReplicaCore): void {
    const offer = this.#links.offer(core.name);
    if (!offer) {
      this.#links.lookup(core.name);
      const location = this.#links.locate(core.name);
      if (location) this.#links.ensureConnected(location.hostUrl);
      else this.#hintUnknown(core.name);
      return;
    }
    const { connection, info } = offer;
    const sub = core.subscription;
    // Typed handles whose class does not match: the node learns the source's API to say what differs.
    const explaining = core.startExplaining(info.signature);
    if (sub && sub.connection === connection && sub.sourceId === info.id) {
      core.refreshStates();
      if (explaining) this.#explain(core, offer);
      return;
    }
    core.announce(info.signature);
    if (explaining) this.#explain(core, offer);
    if (!core.accepts(info.signature)) return;
    if (sub) sub.connection.release(sub.sourceId);
    const known = core.matchingApi(info.signature);
    core.subscribe({ connection, sourceId: info.id, signature: info.signature }, known);
    connection.acquire(core, info.id, !known);
  }
}
