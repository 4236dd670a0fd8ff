// The shared state behind every replica handle of one source name in one node: the values, the
// source's API, where it is subscribed, and the handles to notify. Handles are reference
// counted; the subscription (one per node and name, whatever the number of handles) is dropped
// when the last handle is released.

import type { ApiDescription } from '../api/api-description';
import { ProtocolError, type TsroError } from '../errors';
import type { ValueMessage } from '../protocol/value-codec';
import type { PacketMessage } from '../protocol/messages';
import type { ReplicaView } from './replica-view';
import type { ReplicaState } from './replica-state';
import type { CallOptions } from './call-options';
import type { CallStream, StreamControl } from './call-stream';
import type { SignatureMismatch } from '../api/api-diff';

/** Where a core is subscribed: which connection, which source id there. */
export interface Subscription {
  readonly connection: SubscriptionLink;
  readonly sourceId: number;
  readonly signature: string;
}

/** What a core needs from the client connection it is subscribed through. */
export interface SubscriptionLink {
  readonly url: string;
  acquire(core: ReplicaCore, sourceId: number, wantDefinition: boolean): void;
  release(sourceId: number): void;
  invoke(sourceId: number, slotIndex: number, args: readonly unknown[], slot: string, source: string, options?: CallOptions): Promise<unknown>;
  setProperty(sourceId: number, index: number, value: ValueMessage, what: string, options?: CallOptions): Promise<void>;
  openStream(
    sourceId: number,
    slotIndex: number,
    args: readonly unknown[],
    slot: string,
    source: string,
    options: CallOptions | undefined,
    stream: CallStream,
  ): StreamControl;
  /** Sends a packet as is (model requests); false if the connection is closed. */
  send(packet: PacketMessage): boolean;
}

type Phase = 'pending' | 'valid' | 'suspect';

const changedEvents = new Map<string, string>();

/** `<name>Changed`, interned: built once per property name rather than once per change. */
export function changedEventName(name: string): string {
  let event = changedEvents.get(name);
  if (event === undefined) {
    event = `${name}Changed`;
    changedEvents.set(name, event);
  }
  return event;
}

const changedEventLists = new WeakMap<ApiDescription, readonly string[]>();

/** `<name>Changed` of every property of `api`, by index: worked out once per API. */
function changedEventsOf(api: ApiDescription): readonly string[] {
  let events = changedEventLists.get(api);
  if (events === undefined) {
    events = api.properties.map((p) => changedEventName(p.name));
    changedEventLists.set(api, events);
  }
  return events;
}

/** Persisted properties: their indices, the API they belong to, and who saves them. */
export interface Persistence {
  readonly signature: string;
  readonly indices: readonly number[];
  readonly save: () => void;
}

export class ReplicaCore {
  /**
   * The views following this core. Replaced, never changed in place, when one joins or leaves
   * (rare), so that delivering an update walks a plain array and a listener that releases a
   * handle mid-delivery cannot disturb the walk.
   */
  private views: readonly ReplicaView[] = [];
  #api: ApiDescription | undefined;
  #values: unknown[] | undefined;
  #subscription: Subscription | undefined;
  #sourceSignature: string | undefined;
  private phase: Phase = 'pending';
  private definitionReceived = false;
  #persistence: Persistence | undefined;

  constructor(readonly name: string) {}

  /** The source's API once known (from a matching typed class or a received definition). */
  get api(): ApiDescription | undefined {
    return this.#api;
  }

  /** The source's values by property index, once initialized. */
  get values(): unknown[] | undefined {
    return this.#values;
  }

  /** Where this core is subscribed, if it is. */
  get subscription(): Subscription | undefined {
    return this.#subscription;
  }

  /** Signature the current source announced (set while a source of this name is known). */
  get sourceSignature(): string | undefined {
    return this.#sourceSignature;
  }

  /** Subscribed through `subscription`; `knownApi` is the API a typed handle expects of it, if any. */
  subscribe(subscription: Subscription, knownApi: ApiDescription | undefined): void {
    this.#subscription = subscription;
    if (knownApi && knownApi !== this.#api) {
      this.#api = knownApi;
      this.sourceChanged();
    }
  }

  /** The values array or the API changed: views that cache what they read look again. */
  private sourceChanged(): void {
    const views = this.views;
    for (let i = 0; i < views.length; i++) views[i]!.sourceChanged();
  }

  /** No longer subscribed (the node released it); values and state stay as they are. */
  unsubscribe(): void {
    this.#subscription = undefined;
  }

  /** True once persisted properties are saved for this core. */
  get persisted(): boolean {
    return this.#persistence !== undefined;
  }

  /** Saves these persisted properties after every Init and every change of one of them. */
  persistWith(persistence: Persistence): void {
    this.#persistence = persistence;
  }

  /** A handle's view starts following this core. */
  join(view: ReplicaView): void {
    if (!this.views.includes(view)) this.views = [...this.views, view];
  }

  /** A released handle's view stops following this core. */
  leave(view: ReplicaView): void {
    if (this.views.includes(view)) this.views = this.views.filter((v) => v !== view);
  }

  /** Number of live handles of this source in this node. */
  get handleCount(): number {
    return this.views.length;
  }

  get initialized(): boolean {
    return this.phase !== 'pending';
  }

  /** True if some handle needs the API definition sent over the wire. */
  get needsDefinition(): boolean {
    if (this.definitionReceived) return false;
    for (const h of this.views) if (h.needsDefinition) return true;
    return false;
  }

  /** The API the source is expected to have, if a typed handle's class matches its signature. */
  matchingApi(signature: string): ApiDescription | undefined {
    if (this.api?.signature === signature) return this.api;
    for (const h of this.views) {
      const api = h.classApi;
      if (api && api.signature === signature) return api;
    }
    return undefined;
  }

  /** True if some handle can use a source with this signature. */
  accepts(signature: string): boolean {
    for (const h of this.views) if (h.classApi === undefined || h.classApi.signature === signature) return true;
    return false;
  }

  /** Applies an Init: the full snapshot, and the definition if one came with it. */
  initialize(values: unknown[], definition: ApiDescription | undefined): void {
    const sub = this.subscription;
    if (definition) {
      if (sub && definition.signature !== sub.signature) {
        throw new ProtocolError('PROTOCOL_ERROR', `source "${this.name}" sent a definition that does not match its announced signature`);
      }
      this.#api = definition;
      this.definitionReceived = true;
    } else if (!this.api || (sub && this.api.signature !== sub.signature)) {
      this.#api = sub ? this.matchingApi(sub.signature) : undefined;
    }
    const api = this.api;
    if (!api) throw new ProtocolError('PROTOCOL_ERROR', `source "${this.name}" sent values without a known API`);
    if (values.length !== api.properties.length) {
      throw new ProtocolError(
        'PROTOCOL_ERROR',
        `source "${this.name}" sent ${values.length} property values, its API has ${api.properties.length}`,
      );
    }
    const before = new Map<ReplicaView, readonly unknown[] | undefined>();
    for (const h of this.views) before.set(h, h.snapshot());
    this.#values = values;
    this.phase = 'valid';
    this.sourceChanged();
    for (const h of this.views) h.afterInitialize(before.get(h));
    if (this.#persistence?.signature === api.signature) this.#persistence.save();
  }

  propertyChanged(index: number, value: unknown): void {
    const values = this.#values;
    const api = this.#api;
    const events = api === undefined ? undefined : changedEventsOf(api);
    if (values === undefined || events === undefined || index >= events.length) {
      throw new ProtocolError('PROTOCOL_ERROR', `source "${this.name}" changed unknown property #${index}`);
    }
    values[index] = value;
    const event = events[index]!;
    const views = this.views;
    for (let i = 0; i < views.length; i++) views[i]!.deliverChange(event, value, index);
    const persistence = this.#persistence;
    if (persistence !== undefined && persistence.indices.includes(index) && persistence.signature === api!.signature) persistence.save();
  }

  signalEmitted(index: number, args: unknown[]): void {
    const signal = this.#api?.signals[index];
    if (!signal) throw new ProtocolError('PROTOCOL_ERROR', `source "${this.name}" emitted unknown signal #${index}`);
    const views = this.views;
    for (let i = 0; i < views.length; i++) views[i]!.deliverSignal(signal.name, args, index);
  }

  /** The host refused to initialize this replica (AcquireRefused): its handles say so. */
  refused(error: TsroError): void {
    for (const h of [...this.views]) h.deliverRefusal(error);
  }

  /** The source went away (disabled, connection lost): values stay, but are no longer vouched for. */
  detach(): void {
    this.#subscription = undefined;
    this.#sourceSignature = undefined;
    if (this.phase === 'valid') this.phase = 'suspect';
    this.refreshStates();
  }

  /** A source of this name is known, with this signature (handles may now be mismatched). */
  announce(signature: string): void {
    this.#sourceSignature = signature;
    this.refreshStates();
  }

  /**
   * The views that mismatch a source of `signature` and have no explanation of it yet; they are
   * told that one is being fetched (their waits wait for it).
   */
  startExplaining(signature: string): boolean {
    let any = false;
    for (const h of this.views) {
      if (!h.needsExplanation(signature)) continue;
      h.explaining(signature);
      any = true;
    }
    return any;
  }

  /**
   * The API of the source of `signature` (undefined, with why, if it could not be learned): each
   * mismatched view learns what differs. Returns one mismatch per distinct class API, to log.
   */
  explain(signature: string, sourceApi: ApiDescription | undefined, whyUnknown?: string): SignatureMismatch[] {
    const out = new Map<string, SignatureMismatch>();
    for (const h of [...this.views]) {
      const m = h.explain(signature, sourceApi, whyUnknown);
      if (m) out.set(m.replicaSignature, m);
    }
    return [...out.values()];
  }

  /** The node closed: every view's waits end with false. */
  endWaits(): void {
    for (const h of this.views) h.endWaits();
  }

  refreshStates(): void {
    for (const h of this.views) h.refreshState();
  }

  /** State a handle reports. */
  stateFor(handle: ReplicaView): ReplicaState {
    const classApi = handle.classApi;
    if (classApi && this.sourceSignature !== undefined && classApi.signature !== this.sourceSignature) {
      return 'signatureMismatch';
    }
    if (classApi && this.api && this.api.signature !== classApi.signature && this.phase !== 'pending') {
      // Initialized from a different API than this handle's class: its values mean nothing here.
      return 'signatureMismatch';
    }
    switch (this.phase) {
      case 'pending':
        return classApi ? 'default' : 'uninitialized';
      case 'valid':
        return 'valid';
      case 'suspect':
        return 'suspect';
    }
  }
}
