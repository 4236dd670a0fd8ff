// One protocol conversation over a frame link: the version handshake, packet encoding and
// decoding, ping answering, and closing with a reason the other side can read (Goodbye).
// It knows messages, not sockets: anything that moves frames (a socket FrameChannel, an
// in-memory pair in tests) can carry it.
//
// Contract:
// - Both sides send Handshake first. Until the peer's Handshake has arrived and its version
//   matched, any other packet is a PROTOCOL_ERROR. A different version closes the link with
//   PROTOCOL_MISMATCH on both sides (the side that notices sends Goodbye first).
// - After that, `onOpen` fires once, then every packet but Ping/Handshake reaches `onPacket`.
// - `onClose(error)` fires exactly once, whoever closed, with the reason (undefined for a clean
//   local close or the peer hanging up cleanly). Nothing is delivered after it.

import { CODES, DisconnectedError, ProtocolError, TsroError, type TsroErrorCode } from '../errors';
import type { DecodedPacket, ErrorInfoMessage, PacketMessage } from './messages';
import { checkFrameCost, DEFAULT_MAX_VALUES_PER_FRAME } from './frame-cost';
import { decodeHotPacketAt, type HotPacketHandler } from './hot-decoder';
import { decodeKnownPacket, encodePacket } from './packet-codec';
import { decodeValue, encodeValue } from './value-codec';
import { PROTOCOL_VERSION } from './protocol-version';

// What a peer needs from the layer below (frames in, frames out, a close signal) is the
// transport layer's FrameLink.
import type { FrameLink } from '../transport/frame-link';
import type { SharedFrame } from '../transport/shared-frame';
export type { FrameLink };

// Identifies the protocol implementation only: the handshake goes to peers not admitted yet, so
// it names no runtime or version an attacker could look up.
const AGENT = 'tsro';

/** The Goodbye frame telling the other side why the conversation ends. */
export function goodbyeFrame(error: TsroError, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
  const info = { code: error.code, name: error.name, message: error.message.slice(0, 1000) };
  let bytes = encodePacket({ goodbye: { error: info } });
  // Within the other side's announced limit where that is possible at all: the reason is the
  // point of a Goodbye, so it is cut, not the code.
  if (bytes.length > maxBytes) bytes = encodePacket({ goodbye: { error: { code: error.code, name: error.name, message: '' } } });
  return bytes;
}

/** Codes a Goodbye keeps; any other reason for closing is reported as DISCONNECTED. */
const GOODBYE_CODES: ReadonlySet<string> = new Set<TsroErrorCode>([
  'PROTOCOL_MISMATCH', 'PROTOCOL_ERROR', 'FRAME_TOO_LARGE', 'AUTH_FAILED', 'LIMIT_EXCEEDED', 'CLOSED', 'DISCONNECTED',
]);

/** The error a Goodbye from the other side stands for. */
function errorFromGoodbye(info: ErrorInfoMessage | null | undefined, label: string): TsroError {
  const code = info?.code ?? '';
  const message = `${label} closed the connection: ${info?.message || 'no reason given'}`;
  return GOODBYE_CODES.has(code) ? CODES[code as TsroErrorCode].make(message) : new DisconnectedError(message);
}

export class Peer {
  /** Called once when the handshake is done. */
  onOpen: () => void = () => {};
  /** Called for every packet after the handshake (not Ping, which is answered here). */
  onPacket: (packet: DecodedPacket) => void = () => {};
  /** Called exactly once when the conversation ends, with the reason. */
  onClose: (error: TsroError | undefined) => void = () => {};
  /**
   * Takes the steady-state packets (property changes, signals, calls, replies) decoded straight
   * to values, skipping `onPacket`; kinds it has no method for still reach `onPacket`.
   */
  hot: HotPacketHandler | undefined;

  private open = false;
  private ended = false;
  /** The largest frame the other side accepts (announced in its Handshake). */
  private peerMaxFrameSize = Number.MAX_SAFE_INTEGER;
  /** What the other side sent as its credential in its Handshake (undefined if none). */
  peerCredential: unknown;
  /**
   * Sent in our Handshake (a node's): list at most this many sources at admission, the rest on
   * request (SourceQuery). 0: the whole list.
   */
  sourceListLimit = 0;
  /** What the other side announced as its source_list_limit (0: none, it wants the whole list). */
  peerSourceListLimit = 0;

  constructor(
    private readonly link: FrameLink,
    /** Names the other side in error messages, e.g. its URL. */
    readonly label: string,
    /** The largest frame this side accepts, announced to the other side. */
    private readonly maxFrameSize: number,
    /** Sent in our Handshake for the other side to check (a node's credential). */
    private readonly credential?: unknown,
    /** Most value elements one received frame may carry (see frame-cost.ts). */
    private readonly maxValuesPerFrame: number = DEFAULT_MAX_VALUES_PER_FRAME,
  ) {
    link.onFrame = (frame) => this.receive(frame, 0, frame.length);
    link.onFrameAt = (buf, start, end) => this.receive(buf, start, end);
    link.onClose = (error) => this.finish(error);
    link.farewell = (error) => goodbyeFrame(error, this.peerMaxFrameSize);
  }

  /**
   * While true (a host sets it until the node is admitted), any packet after the handshake,
   * Ping included, closes the connection with PROTOCOL_ERROR: a peer not admitted gets nothing.
   */
  awaitingAdmission = false;

  /** Sends our Handshake. Call once, after setting the callbacks. */
  start(): void {
    const credential = this.credential === undefined ? null : encodeValue(this.credential, 'the credential');
    const sourceListLimit = this.sourceListLimit > 0 ? this.sourceListLimit : undefined;
    this.send({ handshake: { version: PROTOCOL_VERSION, agent: AGENT, maxFrameSize: this.maxFrameSize, credential, sourceListLimit } });
  }

  /** The largest frame the other side accepts (what its Handshake announced; unbounded if nothing). */
  get peerFrameLimit(): number {
    return this.peerMaxFrameSize;
  }

  get isOpen(): boolean {
    return this.open && !this.ended;
  }

  get closed(): boolean {
    return this.ended;
  }

  /**
   * Queues a packet. Throws FRAME_TOO_LARGE, sending nothing, if it is larger than the other
   * side accepts; returns false if the link is closed.
   */
  send(packet: PacketMessage): boolean {
    return this.sendEncoded(encodePacket(packet));
  }

  /** Sends a packet encoded once for many peers (fan-out). Same contract as send(). */
  sendEncoded(bytes: Uint8Array): boolean {
    if (bytes.length > this.peerMaxFrameSize) {
      throw new ProtocolError(
        'FRAME_TOO_LARGE',
        `a frame of ${bytes.length} bytes is over the ${this.peerMaxFrameSize}-byte limit of ${this.label}`,
      );
    }
    return this.link.send(bytes);
  }

  /**
   * Sends a frame shared by many peers (fan-out), which the link may refer to instead of copying;
   * `key` >= 0 lets the link coalesce it with a held frame of the same key. Same contract as send().
   */
  sendShared(frame: SharedFrame, key: number): boolean {
    const bytes = frame.bytes;
    if (bytes.length > this.peerMaxFrameSize) return this.sendEncoded(bytes); // throws FRAME_TOO_LARGE
    const link = this.link;
    return link.sendShared !== undefined ? link.sendShared(frame, key) : link.send(bytes);
  }

  /**
   * Ends the conversation. With an error, the other side is told why (Goodbye) before the link
   * closes, and `onClose` receives it.
   */
  close(error?: TsroError): void {
    if (this.ended || this.pendingError) return;
    if (error) {
      try {
        this.link.send(goodbyeFrame(error, this.peerMaxFrameSize));
      } catch {
        // over this side's own sending limit: closes without the reason
      }
      this.pendingError = error;
    }
    this.link.close();
  }

  private pendingError: TsroError | undefined;

  /** Ends the conversation at once, dropping what is queued (for a peer that stopped answering). */
  destroy(error: TsroError): void {
    if (this.ended || this.pendingError) return;
    this.pendingError = error;
    this.link.destroy(error);
  }


  private finish(error: TsroError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.onClose(this.pendingError ?? error);
  }

  /**
   * Takes a packet that reached this side outside the link (a shared stream of the same host)
   * exactly as if it had come over it: the same size and value limits, the hot path, onPacket,
   * and a protocol error closes the conversation. Ignored before the handshake.
   */
  receiveShared(packet: Uint8Array): void {
    if (!this.open) return;
    if (packet.length > this.maxFrameSize) {
      this.close(new ProtocolError('FRAME_TOO_LARGE', `${this.label} published a ${packet.length}-byte packet, over the ${this.maxFrameSize}-byte limit`));
      return;
    }
    this.receive(packet, 0, packet.length);
  }

  /** Frames received so far: a sign of life for idle checks (a counter, nothing on the hot path). */
  framesReceived = 0;

  /** The frame buf[start, end): a range, so that the hot path needs no view of it. */
  private receive(buf: Uint8Array, start: number, end: number): void {
    if (this.ended || this.pendingError) return;
    this.framesReceived++;
    if (this.open && this.hot !== undefined && !this.awaitingAdmission) {
      try {
        if (decodeHotPacketAt(buf, start, end, this.hot, this.maxValuesPerFrame)) return;
      } catch (err) {
        if (err instanceof ProtocolError) {
          this.close(err);
          return;
        }
        throw err;
      }
    }
    const frame = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
    let packet: DecodedPacket | undefined;
    try {
      checkFrameCost(frame, this.maxValuesPerFrame);
      packet = decodeKnownPacket(frame);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.close(err);
      return;
    }
    if (!this.open || this.awaitingAdmission) {
      // Before admission only the handshake (and a Goodbye) is understood, whatever its kind.
      if (packet?.kind === 'goodbye') {
        this.pendingError = errorFromGoodbye(packet.goodbye?.error, this.label);
        this.link.destroy();
      } else if (!this.open && packet) {
        this.handshake(packet);
      } else {
        const what = packet ? packet.kind : 'a packet of a kind this version does not know';
        this.close(new ProtocolError('PROTOCOL_ERROR', `${this.label} sent ${what} before ${this.open ? 'it was admitted' : 'its handshake'}`));
      }
      return;
    }
    // A kind this version does not know (a newer peer's) is skipped: see tsro.proto.
    if (packet === undefined) return;
    switch (packet.kind) {
      case 'ping':
        this.link.send(encodePacket({ pong: { nonce: packet.ping?.nonce ?? 0 } }));
        return;
      case 'goodbye':
        this.pendingError = errorFromGoodbye(packet.goodbye?.error, this.label);
        this.link.destroy();
        return;
      case 'handshake':
        this.close(new ProtocolError('PROTOCOL_ERROR', `${this.label} sent a second handshake`));
        return;
    }
    try {
      this.onPacket(packet);
    } catch (err) {
      if (err instanceof ProtocolError) this.close(err);
      else throw err;
    }
  }

  private handshake(packet: DecodedPacket): void {
    if (packet.kind !== 'handshake') {
      this.close(new ProtocolError('PROTOCOL_ERROR', `${this.label} sent ${packet.kind} before its handshake`));
      return;
    }
    const version = packet.handshake?.version ?? 0;
    if (version !== PROTOCOL_VERSION) {
      this.close(
        new ProtocolError(
          'PROTOCOL_MISMATCH',
          `${this.label} speaks tsro protocol version ${version}, this side speaks ${PROTOCOL_VERSION}`,
        ),
      );
      return;
    }
    const max = packet.handshake?.maxFrameSize ?? 0;
    if (max > 0) this.peerMaxFrameSize = max;
    const credential = packet.handshake?.credential;
    this.peerCredential = credential ? decodeValue(credential) : undefined;
    this.peerSourceListLimit = packet.handshake?.sourceListLimit ?? 0;
    this.open = true;
    this.onOpen();
  }
}
