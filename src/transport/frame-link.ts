// The one interface between the protocol and whatever carries its frames: a FrameLink moves whole
// frames both ways and says once why it closed. Byte streams (tcp, tls, local sockets, any
// Node.js Duplex) become links through FrameChannel (src/transport/node/frame-channel.ts), which
// length-prefixes frames; a message-based transport (a WebSocket, one frame per message) can
// implement it directly. A Connector opens links to the URLs of one scheme; connectors are
// registered per scheme (src/transport/connectors.ts), so the core never imports a socket.

import type { TsroError } from '../errors';
import type { SharedFrame } from './shared-frame';
import type { TransportAddress } from './url';

/**
 * The default limit on one frame, either way: 16 MiB. With the default value budget
 * (frame-cost.ts), one frame and everything decoding it holds stay within 64 MiB
 * (measured in spec/hardening/frame-memory.spec.ts).
 */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

/** The default limit on unsent bytes per connection: 32 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** Frames in, frames out, a close signal: what a protocol peer runs on. */
export interface FrameLink {
  /**
   * Queues one frame; false, and nothing is sent, if the link is closed or closing. The link
   * may refer to the frame until it is written: the caller must not change it afterwards.
   */
  send(frame: Uint8Array): boolean;
  /**
   * Queues a frame that other links send too (fan-out), without a copy per link where the link
   * can (see SharedFrame). `key` >= 0 marks it coalescable: a link that holds frames for a slow
   * reader may replace a held frame of the same key by this one (same contract as send()). A
   * link without it gets `send(frame.bytes)`.
   */
  sendShared?(frame: SharedFrame, key: number): boolean;
  /** Receives every frame from the other side, in order; assigned by the owner right after construction. */
  onFrame: (frame: Uint8Array) => void;
  /**
   * Where a link reads frames out of larger chunks (a byte stream), it calls this instead of
   * `onFrame` when the owner sets it: the frame is `buf[start, end)`, valid only during the call.
   * It spares a view per frame on the receiving hot path. Optional both ways: a link may ignore
   * it, and an owner that sets it still sets `onFrame`.
   */
  onFrameAt?: ((buf: Uint8Array, start: number, end: number) => void) | undefined;
  /**
   * Called exactly once, asynchronously, when the link is gone; nothing is delivered after it.
   * `undefined` after a local `close()` (or the other side hanging up cleanly, where a transport
   * can tell), else the reason: DisconnectedError, ProtocolError, LimitError...
   */
  onClose: (error: TsroError | undefined) => void;
  /** Sends what is queued, then closes. */
  close(): void;
  /** Where the link can break the stream itself (bad length prefix), the frame that says why. */
  farewell?: ((error: TsroError) => Uint8Array | undefined) | undefined;
  /** Closes at once, dropping what is queued; `error` becomes onClose's argument. */
  destroy(error?: TsroError): void;
  /** True once the link no longer sends. */
  readonly closed: boolean;
  /**
   * Lowers or raises the largest frame accepted from the other side from now on (a host keeps it
   * small until a peer is admitted). Optional: a transport that cannot enforce it per link
   * enforces its own maximum.
   */
  setReceiveLimit?(bytes: number): void;
  /**
   * Shows the first bytes the other side sends (the first chunk or message, before any frame is
   * decoded) to `check`; an error it returns closes the link with that error. Lets the protocol
   * name a peer that speaks something else at once. Optional: without it, such a peer shows up as
   * a malformed frame or a handshake timeout.
   */
  expectFirstBytes?(check: (head: Uint8Array) => TsroError | undefined): void;
}

/** What a Connector is asked to honour for one connection. */
export interface ConnectorOptions {
  /** Names the other end in every error (the URL as the user wrote it). */
  readonly label: string;
  /** Give up connecting (handshakes of the transport included) after this many ms. */
  readonly timeoutMs: number;
  /** The largest frame either way. */
  readonly maxFrameSize: number;
  /** Most bytes waiting to be sent before the other side counts as too slow; undefined: the transport's default. */
  readonly maxBufferedBytes: number | undefined;
  /** Transport-specific client options the node was given (e.g. `tls` for tls:// in Node.js). */
  readonly tls: unknown;
}

/** What a scheme that reaches many hosts through one URL (nats://servers) tells a node. */
export interface HostDiscoveryEvents {
  /** A host appeared (or came back), at this URL. */
  found(hostUrl: string): void;
  /** A host left. */
  lost(hostUrl: string): void;
}

/** A running discovery of hosts. */
export interface HostDiscovery {
  /** Resolves with the hosts known after a first look. */
  start(): Promise<string[]>;
  /** Stops discovering. */
  close(): Promise<void>;
}

/** Opens links to the URLs of one scheme. */
export interface Connector {
  /**
   * Connects to `address` (parsed from the URL; for registered schemes `{ scheme: 'custom',
   * name, url }`). Rejects with a ConnectError naming the URL when it cannot.
   */
  connect(address: TransportAddress, options: ConnectorOptions): Promise<FrameLink>;
  /**
   * For URLs that name a place where hosts meet (a bare nats://servers) rather than one host:
   * follows the hosts there. Undefined (or no method) for a URL of one host.
   */
  discover?(address: TransportAddress, events: HostDiscoveryEvents): HostDiscovery | undefined;
}

/**
 * A Node.js Duplex stream, or anything shaped like one, as `addClientSideConnection` takes it;
 * typed by shape so that the core needs no Node.js typings.
 */
export interface DuplexStream {
  /** Writes bytes; false when the stream wants the writer to wait for 'drain'. */
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  /** Flushes what is written, then ends the writable side. */
  end(callback?: () => void): unknown;
  /** Closes at once (with `error`, if given). */
  destroy(error?: Error): unknown;
  /** Listens to the stream's events ('data', 'drain', 'error', 'close'...). */
  on(event: string, listener: (...args: never[]) => void): unknown;
  /** True once destroyed. */
  readonly destroyed: boolean;
}
