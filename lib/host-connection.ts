// The host side of one accepted connection: sends the source list once the node's handshake
// checks out, answers Acquire with Init, runs slot calls and property sets, and unsubscribes
// the connection from everything when it ends.

import { NotValidError, ProtocolError, type TsroError } from '../errors';
import { encodeReplyValue } from './protocol/hot-packets';
import { decodeValues } from './protocol/value-codec';
import type { DecodedPacket, PacketMessage } from './protocol/messages';
import type { Peer } from './protocol/peer';
import { errorInfo, type CallOutcome, type SourceBinding, type SourceListener } from './source-binding';

/** What a host-side connection needs from its host. */
export interface HostConnectionOwner {
  bindingById(id: number): SourceBinding | undefined;
  sourceListPacket(): PacketMessage;
  connectionOpened(conn: HostConnection): void;
  connectionEnded(conn: HostConnection, error: TsroError | undefined): void;
  warn(message: string, error?: unknown): void;
}

export class HostConnection implements SourceListener {
  private readonly subscriptions = new Set<SourceBinding>();
  /** Resolves once the connection is closed and its socket released. */
  readonly ended: Promise<void>;
  private markEnded!: () => void;

  constructor(
    private readonly peer: Peer,
    private readonly owner: HostConnectionOwner,
  ) {
    peer.onOpen = () => {
      owner.connectionOpened(this);
      peer.send(owner.sourceListPacket());
    };
    peer.onPacket = (p) => this.receive(p);
    peer.hot = { invoke: (source, index, serial, args) => this.invoke(source, index, serial, args) };
    this.ended = new Promise<void>((resolve) => (this.markEnded = resolve));
    peer.onClose = (error) => {
      for (const b of this.subscriptions) b.removeListener(this);
      this.subscriptions.clear();
      owner.connectionEnded(this, error);
      this.markEnded();
    };
  }

  get label(): string {
    return this.peer.label;
  }

  get isOpen(): boolean {
    return this.peer.isOpen;
  }

  /** Fan-out path: a change this node cannot accept (too large) closes its connection, logged. */
  sendEncoded(bytes: Uint8Array): boolean {
    try {
      return this.peer.sendEncoded(bytes);
    } catch (err) {
      this.peer.close(err as TsroError);
      return false;
    }
  }

  send(packet: PacketMessage): boolean {
    return this.peer.send(packet);
  }

  close(error?: TsroError): void {
    this.peer.close(error);
  }

  /** The binding went away (disabled): forget it without telling it. */
  forget(binding: SourceBinding): void {
    this.subscriptions.delete(binding);
  }

  private receive(p: DecodedPacket): void {
    switch (p.kind) {
      case 'invoke': {
        const m = p.invoke!;
        this.invoke(m.source ?? 0, m.index ?? 0, m.serial ?? 0, decodeValues(m.args));
        return;
      }
      case 'setProperty': {
        const m = p.setProperty!;
        const serial = m.serial ?? 0;
        const binding = this.owner.bindingById(m.source ?? 0);
        try {
          if (!binding) throw new NotValidError(`no source #${m.source} on this host`, 'UNKNOWN_SOURCE');
          binding.setProperty(m.index ?? 0, m.value);
          this.reply(serial, { value: undefined, what: 'property set' });
        } catch (err) {
          this.reply(serial, { error: errorInfo(err) });
        }
        return;
      }
      case 'acquire': {
        const m = p.acquire!;
        const binding = this.owner.bindingById(m.source ?? 0);
        if (!binding) {
          // Disabled between its announcement and this request: say so, the node will wait.
          this.peer.send({ sourceRemoved: { source: m.source ?? 0 } });
          return;
        }
        let init: Uint8Array;
        try {
          init = binding.initPacket(m.wantDefinition === true);
        } catch (err) {
          this.owner.warn(`cannot initialize a replica of "${binding.name}" for ${this.label}`, err);
          return;
        }
        try {
          this.peer.sendEncoded(init);
        } catch (err) {
          this.owner.warn(`cannot initialize a replica of "${binding.name}" for ${this.label}`, err);
          return;
        }
        this.subscriptions.add(binding);
        binding.addListener(this);
        return;
      }
      case 'release': {
        const binding = this.owner.bindingById(p.release!.source ?? 0);
        if (binding && this.subscriptions.delete(binding)) binding.removeListener(this);
        return;
      }
      case 'pong':
        return;
      default:
        throw new ProtocolError('PROTOCOL_ERROR', `${this.label} sent ${p.kind}, which only hosts send`);
    }
  }

  private invoke(source: number, index: number, serial: number, args: unknown[]): void {
    const binding = this.owner.bindingById(source);
    if (!binding) {
      this.reply(serial, { error: errorInfo(new NotValidError(`no source #${source} on this host`, 'UNKNOWN_SOURCE')) });
      return;
    }
    binding.invoke(index, args, (outcome) => this.reply(serial, outcome), this);
  }

  private reply(serial: number, outcome: CallOutcome): void {
    if (serial === 0 || this.peer.closed) return;
    if ('error' in outcome) {
      this.peer.send({ reply: { serial, error: outcome.error } });
      return;
    }
    try {
      this.peer.sendEncoded(encodeReplyValue(serial, outcome.value, outcome.what));
    } catch (err) {
      // Cannot be carried, or over the node's frame limit: it still gets an answer, the error.
      this.peer.send({ reply: { serial, error: errorInfo(err) } });
    }
  }
}
