// In-memory links for the unit specs of one layer: two FrameChannels over a duplex pair (no
// socket), Peers on them, a frame recorder for the side a test plays by hand, and sinon fake
// timers that leave the event loop's own scheduling (nextTick, setImmediate) real, so streams
// keep flowing while the test moves the clock.

import * as sinon from 'sinon';
import type { TsroError } from '../../src/errors';
import type { DecodedPacket, PacketMessage } from '../../src/protocol/messages';
import { decodePacket, encodePacket } from '../../src/protocol/packet-codec';
import { Peer } from '../../src/protocol/peer';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { duplexPair } from '../../src/transport/node/duplex-pair';
import { FrameChannel } from '../../src/transport/node/frame-channel';
import { within } from './fixtures';

export const UNIT_WAIT_MS = 2000;

/** Fake setTimeout/clearTimeout/Date only; restore in afterEach. */
export function fakeClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
}

/** Two frame channels joined back to back, labelled `a` and `b`. */
export function channelPair(maxFrameSize = 1 << 20): [FrameChannel, FrameChannel] {
  const [x, y] = duplexPair();
  return [new FrameChannel(x, { label: 'a', maxFrameSize }), new FrameChannel(y, { label: 'b', maxFrameSize })];
}

/** Everything that arrives on a channel, decoded, with a way to await the next of a kind. */
export class FrameRecorder {
  readonly packets: DecodedPacket[] = [];
  closed: TsroError | undefined | null = null;
  private readonly waiters: { kind: string; resolve: (p: DecodedPacket) => void }[] = [];
  private readonly closeWaiters: ((e: TsroError | undefined) => void)[] = [];

  constructor(readonly channel: FrameChannel) {
    channel.onFrame = (frame) => {
      const p = decodePacket(frame);
      const i = this.waiters.findIndex((w) => w.kind === p.kind);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(p);
      else this.packets.push(p);
    };
    channel.onClose = (error) => {
      this.closed = error;
      for (const w of this.closeWaiters.splice(0)) w(error);
    };
  }

  send(packet: PacketMessage): void {
    this.channel.send(encodePacket(packet));
  }

  handshake(version = PROTOCOL_VERSION, credential?: PacketMessage['handshake']): void {
    this.send({ handshake: { version, agent: 'spec', maxFrameSize: 1 << 20, ...credential } });
  }

  /** The next packet of `kind` (one already received first). */
  next(kind: string, ms = UNIT_WAIT_MS): Promise<DecodedPacket> {
    const i = this.packets.findIndex((p) => p.kind === kind);
    if (i >= 0) return Promise.resolve(this.packets.splice(i, 1)[0]!);
    return within(new Promise<DecodedPacket>((resolve) => this.waiters.push({ kind, resolve })), ms, `a ${kind} packet`);
  }

  /** Resolves with the channel's close reason once it has closed. */
  ended(ms = UNIT_WAIT_MS): Promise<TsroError | undefined> {
    if (this.closed !== null) return Promise.resolve(this.closed);
    return within(new Promise<TsroError | undefined>((resolve) => this.closeWaiters.push(resolve)), ms, 'the channel to close');
  }
}

/** A Peer with its callbacks recorded: opened, packets, close reason. */
export class RecordedPeer {
  readonly peer: Peer;
  readonly packets: DecodedPacket[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<TsroError | undefined>;
  private readonly waiters: { kind: string; resolve: (p: DecodedPacket) => void }[] = [];

  constructor(channel: FrameChannel, label: string, options: { maxFrameSize?: number; credential?: unknown } = {}) {
    this.peer = new Peer(channel, label, options.maxFrameSize ?? 1 << 20, options.credential);
    this.opened = new Promise((resolve) => (this.peer.onOpen = resolve));
    this.closed = new Promise((resolve) => (this.peer.onClose = resolve));
    this.peer.onPacket = (p) => {
      const i = this.waiters.findIndex((w) => w.kind === p.kind);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(p);
      else this.packets.push(p);
    };
  }

  /** The next packet of `kind` (one already received first). */
  next(kind: string, ms = UNIT_WAIT_MS): Promise<DecodedPacket> {
    const i = this.packets.findIndex((p) => p.kind === kind);
    if (i >= 0) return Promise.resolve(this.packets.splice(i, 1)[0]!);
    return within(new Promise<DecodedPacket>((resolve) => this.waiters.push({ kind, resolve })), ms, `a ${kind} packet`);
  }
}
