// The internal side of one replica handle: how it sees the shared ReplicaCore (its state, its
// waiters, its events, how it presents values) and the checked paths for calling a slot and
// setting a property. The core and the node talk to views, never to the public handle, so the
// handle itself carries nothing but its public API and a remote member of any other name is
// free to use.

import { readonlyReason, type ApiDescription, type MethodDescription, type PropertyDescription } from '../api/api-description';
import { conformsAsIs, conformValue } from '../api/conform';
import { checkArgumentRange } from '../util/objects';
import { CancelledError, NotValidError, UsageError, type TsroError } from '../errors';
import { checkSignal, type CallOptions, type WaitOptions } from './call-options';
import { CallStream } from './call-stream';
import { setLongTimeout, type LongTimeout } from '../util/timers';
import { deepEqual } from '../util/deep-equal';
import { EventHub } from '../util/emitter';
import type { Logger } from '../util/logger';
import { encodeValue } from '../protocol/value-codec';
import type { ReplicaCore } from './replica-core';
import type { ReplicaState } from './replica-state';
import type { Timers } from '../util/timers';
import type { DynamicReplica } from './dynamic-replica';
import type { ReplicaHandle } from './replica-handle';
import type { Replica } from './replica-types';
import type { ModelReplicaOptions } from '../api/model-type';
import { signatureMismatch, type SignatureMismatch } from '../api/api-diff';

/** What a view needs from the node that made it. */
export interface ReplicaOwner {
  readonly logger: Logger;
  readonly timers: Timers;
  /** True once the node is closed (waits end). */
  readonly closed: boolean;
  releaseHandle(view: ReplicaView, core: ReplicaCore): void;
  /** For child objects: a replica of a child source, on the same node. */
  acquire<T extends object>(cls: abstract new (...args: never[]) => T, name?: string): Replica<T>;
  acquireDynamic(name: string): DynamicReplica;
  /** For model properties: a replica of a child model source, on the same node. */
  acquireModel(name: string, options?: ModelReplicaOptions): ReplicaHandle;
}

/**
 * The replica a child object property shows for `raw` (the child source's name, or null): a
 * new one from `make`, or null. Failures (a closed node) are logged and show null.
 */
export function makeChildReplica(owner: ReplicaOwner, raw: unknown, make: (name: string) => ReplicaHandle): ReplicaHandle | null {
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    return make(raw);
  } catch (err) {
    owner.logger.warn(`could not acquire child object "${raw}"`, err);
    return null;
  }
}

/** How long waitForSource waits when not told (QtRO's default). */
export const DEFAULT_WAIT_MS = 30_000;

export abstract class ReplicaView {
  /** Listeners of the public handle; only this view emits. */
  readonly events: EventHub;
  private lastState: ReplicaState = 'uninitialized';
  protected released = false;
  /** What differs from the source's API, once known, while the state is signatureMismatch. */
  #mismatch: SignatureMismatch | undefined;
  /** The source signature whose API the node is fetching to explain a mismatch: waits wait for it. */
  #explaining: string | undefined;
  private readonly waiters = new Set<(valid: boolean) => void>();

  constructor(
    readonly core: ReplicaCore,
    protected readonly owner: ReplicaOwner,
  ) {
    this.events = new EventHub(owner.logger);
  }

  /** Joins the core's views; called by the node once the handle exists. */
  attach(): void {
    this.core.join(this);
    this.lastState = this.core.stateFor(this);
  }

  /** The API class of a typed handle; undefined for a dynamic one. */
  abstract get classApi(): ApiDescription | undefined;

  /** True if this handle cannot work until the source sends its API definition. */
  get needsDefinition(): boolean {
    return this.classApi === undefined;
  }

  /** The values as this handle shows them right now. */
  abstract snapshot(): readonly unknown[] | undefined;

  /**
   * The core's values array or API was replaced (an Init, a subscription with another API).
   * Called before any event about it fires; a view that caches what it reads refreshes here.
   */
  sourceChanged(): void {}

  get name(): string {
    return this.core.name;
  }

  get state(): ReplicaState {
    return this.lastState;
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** What differs from the source's API (state signatureMismatch, once known). */
  get mismatch(): SignatureMismatch | undefined {
    return this.#mismatch;
  }

  /**
   * True if a mismatch of this view with a source of `signature` is to be explained: a class
   * API that differs, and no explanation of it yet. Model replicas compare only a row type, and
   * their sources answer an Acquire with a ModelInit, not a definition: not explained.
   */
  needsExplanation(signature: string): boolean {
    const api = this.classApi;
    if (api === undefined || api.signature === signature || !this.explainsMismatch) return false;
    // Not yet explained for this source, or the last try could not learn its API: try again.
    const known = this.#mismatch;
    return known === undefined || known.sourceSignature !== signature || !known.sourceKnown;
  }

  /** False for views whose mismatch is not explained (models). */
  protected get explainsMismatch(): boolean {
    return true;
  }

  /** The node is fetching the API of a source of `signature`: waits that end on the mismatch wait for it. */
  explaining(signature: string): void {
    this.#explaining = signature;
  }

  /**
   * The API of the source of `signature` (or why it is not known): if this view mismatches it,
   * `mismatch` says what differs and `signatureMismatch` is emitted with it. Returns the mismatch, if any.
   */
  explain(signature: string, sourceApi: ApiDescription | undefined, whyUnknown?: string): SignatureMismatch | undefined {
    if (this.#explaining === signature) this.#explaining = undefined;
    const api = this.classApi;
    if (this.released || api === undefined || !this.needsExplanation(signature) || this.core.sourceSignature !== signature) {
      this.settleWaiters();
      return undefined;
    }
    const mismatch = signatureMismatch(this.name, api, signature, sourceApi, whyUnknown);
    this.#mismatch = mismatch;
    if (this.lastState === 'signatureMismatch') this.events.fire('signatureMismatch', mismatch);
    this.settleWaiters();
    return mismatch;
  }

  /**
   * Resolves true once valid, false if the timeout passes first (`ms`, or `{ timeout }`; default
   * 30 s; Infinity or a negative number: none), on signature mismatch, release or the node
   * closing. Rejects with CANCELLED if `{ signal }` aborts first.
   */
  waitForSource(wait: number | WaitOptions = DEFAULT_WAIT_MS): Promise<boolean> {
    let ms: number;
    let signal: AbortSignal | undefined;
    try {
      if (typeof wait === 'number') ms = wait;
      else if (wait !== null && typeof wait === 'object') {
        ms = wait.timeout ?? DEFAULT_WAIT_MS;
        signal = wait.signal;
        checkSignal(signal);
      } else {
        throw new UsageError('TYPE_MISMATCH', `waitForSource takes a number of ms or { timeout, signal } (got ${String(wait)})`);
      }
      if (typeof ms !== 'number' || Number.isNaN(ms)) throw new UsageError('TYPE_MISMATCH', `waitForSource: timeout must be a number of ms (got ${String(ms)})`);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(new CancelledError(`waiting for the source of "${this.name}" was cancelled`, signal.reason));
    if (this.lastState === 'valid') return Promise.resolve(true);
    if ((this.lastState === 'signatureMismatch' && this.#explaining === undefined) || this.released || this.owner.closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      let timer: LongTimeout | undefined;
      const onAbort = (): void => {
        cleanup();
        reject(new CancelledError(`waiting for the source of "${this.name}" was cancelled`, signal!.reason));
      };
      const cleanup = (): void => {
        timer?.clear();
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(done);
      };
      const done = (valid: boolean): void => {
        cleanup();
        resolve(valid);
      };
      // QtRO's waitForSource(-1) waits for ever.
      if (ms >= 0 && ms !== Infinity) timer = setLongTimeout(this.owner.timers, () => done(false), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(done);
    });
  }

  /** The node closed: waits end with false. */
  endWaits(): void {
    for (const w of [...this.waiters]) w(false);
  }

  /** What a call-options view shows for `key` instead of the handle's member; undefined: the member. */
  boundMember(_key: string | symbol, _options: CallOptions): ((...args: never[]) => unknown) | undefined {
    return undefined;
  }

  /** A call-options view's assignment of `key`: true if handled here. */
  boundAssign(_key: string | symbol, _value: unknown, _options: CallOptions): boolean {
    return false;
  }

  /** Drops this handle: waiters resolve false, listeners go, the node is told. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.core.leave(this);
    for (const w of [...this.waiters]) w(false);
    this.owner.releaseHandle(this, this.core);
    this.events.clear();
  }

  /**
   * The host cannot initialize this replica: the state stays what it is (not valid),
   * waitForSource resolves false now, and `acquireRefused(error)` tells listeners why.
   */
  deliverRefusal(error: TsroError): void {
    for (const w of [...this.waiters]) w(false);
    this.events.fire('acquireRefused', error);
  }

  refreshState(): void {
    const next = this.core.stateFor(this);
    if (next === this.lastState) return;
    const old = this.lastState;
    this.lastState = next;
    if (next !== 'signatureMismatch') {
      this.#mismatch = undefined;
      this.#explaining = undefined;
    }
    this.events.fire('stateChanged', next, old);
    this.settleWaiters();
  }

  private settleWaiters(): void {
    // A mismatch being explained: waits end once it is, so that `signatureMismatch` is set then.
    if (this.lastState === 'signatureMismatch' && this.#explaining !== undefined) return;
    if (this.lastState === 'valid' || this.lastState === 'signatureMismatch') {
      const valid = this.lastState === 'valid';
      for (const w of [...this.waiters]) w(valid);
    }
  }

  /**
   * After the core took an Init: `initialized`, then `stateChanged`, then `<prop>Changed` for
   * every property whose value differs from what this handle showed before (all of them on a
   * dynamic replica's first initialization).
   */
  afterInitialize(before: readonly unknown[] | undefined): void {
    const next = this.core.stateFor(this);
    if (next === 'signatureMismatch') {
      this.refreshState();
      return;
    }
    const old = this.lastState;
    this.lastState = next;
    this.#mismatch = undefined;
    this.#explaining = undefined;
    this.events.fire('initialized');
    if (old !== next) this.events.fire('stateChanged', next, old);
    this.settleWaiters();
    const api = this.core.api!;
    const values = this.core.values!;
    for (const p of api.properties) {
      // Structural: a decoded array is never the default's object, but may equal it.
      if (before === undefined || !deepEqual(before[p.index], values[p.index])) {
        this.events.fire(`${p.name}Changed`, this.presentedValue(p.index, values[p.index]));
      }
    }
  }

  /**
   * A property value (as received, shared by every handle of the core) as this handle shows it:
   * as is here; typed handles make instances of value types.
   */
  presentedValue(_index: number, raw: unknown): unknown {
    return raw;
  }

  /** `event` is the property's `<name>Changed`. */
  deliverChange(event: string, value: unknown, _index: number): void {
    if (this.lastState !== 'signatureMismatch') this.events.fireOne(event, value);
  }

  deliverSignal(name: string, args: unknown[], _index: number): void {
    if (this.lastState !== 'signatureMismatch') this.events.fireArgs(name, args);
  }

  private notValid(action: string): NotValidError {
    if (this.released) return new NotValidError(`replica of "${this.name}" was released: cannot ${action}`);
    if (this.lastState === 'signatureMismatch') {
      return new NotValidError(
        `replica of "${this.name}" does not match the source's API (signature mismatch): cannot ${action}`,
        'SIGNATURE_MISMATCH',
      );
    }
    return new NotValidError(`replica of "${this.name}" is ${this.lastState}, not valid: cannot ${action}`);
  }

  /**
   * Checks, encodes and sends a slot call. Every failure is a rejection, never a throw. A stream
   * slot's call returns its CallStream instead (failures then reject its first next()).
   */
  callSlot(slot: MethodDescription, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    if (slot.stream === true) return this.streamSlot(slot, args, options) as unknown as Promise<unknown>;
    try {
      const sub = this.core.subscription;
      if (this.released || this.lastState !== 'valid' || !sub) throw this.notValid(`call slot "${slot.name}"`);
      const checked = this.checkArguments(slot, args);
      return sub.connection.invoke(sub.sourceId, slot.index, checked, slot.name, this.name, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private checkArguments(slot: MethodDescription, args: readonly unknown[]): readonly unknown[] {
    if (args.length < slot.required || args.length > slot.params.length) {
      checkArgumentRange(slot.required, slot.params.length, args.length, `slot "${slot.name}" of "${this.name}"`);
    }
    const params = slot.params;
    let coerced: unknown[] | undefined;
    for (let i = 0; i < args.length; i++) {
      const type = params[i]!.type;
      if (conformsAsIs(type, args[i])) continue;
      const v = conformValue(type, args[i], `argument ${i + 1} of slot "${slot.name}" of "${this.name}"`);
      if (v !== args[i]) (coerced ??= [...args])[i] = v;
    }
    return coerced ?? args;
  }

  /**
   * A stream slot's call: checked now, sent on the first next() of what it returns. `map`
   * presents each item (typed replicas revive value types).
   */
  streamSlot(slot: MethodDescription, args: readonly unknown[], options?: CallOptions, map?: (item: unknown) => unknown): CallStream {
    let checked: readonly unknown[] | undefined;
    let failure: unknown;
    try {
      checked = this.checkArguments(slot, args);
    } catch (err) {
      failure = err;
    }
    return new CallStream((stream) => {
      if (failure !== undefined) throw failure;
      const sub = this.core.subscription;
      if (this.released || this.lastState !== 'valid' || !sub) throw this.notValid(`call stream slot "${slot.name}"`);
      return sub.connection.openStream(sub.sourceId, slot.index, checked!, slot.name, this.name, options, stream);
    }, map);
  }

  /**
   * Checks, encodes and sends a property set; throws at once if it is refused here. The local
   * value changes only when the source's change comes back.
   */
  writeProperty(prop: PropertyDescription, value: unknown, options?: CallOptions): Promise<void> {
    const sub = this.core.subscription;
    if (this.released || this.lastState !== 'valid' || !sub) throw this.notValid(`set property "${prop.name}"`);
    const what = `property "${prop.name}" of "${this.name}"`;
    if (prop.readonly) throw new UsageError('READONLY', `${what} ${readonlyReason(prop)}`);
    const encoded = encodeValue(conformValue(prop.type, value, what), what);
    return sub.connection.setProperty(sub.sourceId, prop.index, encoded, `setting ${what}`, options);
  }
}
