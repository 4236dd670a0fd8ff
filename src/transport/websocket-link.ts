// tsro over a WebSocket of the W3C API (the browser's own, or any runtime's global WebSocket): a
// FrameLink that batches the frames of one turn into one binary message (split at frame
// boundaries above 1 MiB) and takes every received message as whole frames. Platform-free: no
// Node.js, no `ws`; `webSocketConnector` registers it for ws:// and wss:// URLs where the runtime
// has a WebSocket (src/browser.ts).

import { ConnectError, DisconnectedError, LimitError, ProtocolError, TsroError } from '../errors';
import { systemTimers } from '../util/timers';
import type { Connector, ConnectorOptions, FrameLink } from './frame-link';
import { DEFAULT_MAX_BUFFERED_BYTES } from './frame-link';
import { FrameDecoder } from './frame-decoder';
import { FrameWriter } from './frame-writer';
import { describeCloseCode, splitIntoMessages, WEBSOCKET_SUBPROTOCOL } from './websocket-messages';

/** The members of the W3C WebSocket the link uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly protocol: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { readonly data: unknown }) => void) | null;
  onclose: ((ev: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Makes a WebSocket asking for `protocols`; default: the runtime's global WebSocket. */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

const OPEN = 1;
// How long close() waits for the other side's close frame before reporting the link closed.
const CLOSE_TIMEOUT_MS = 5000;

/** A FrameLink over an open WebSocket; it owns the socket from construction on. */
export class WebSocketLink implements FrameLink {
  onFrame: (frame: Uint8Array) => void = () => {};
  onClose: (error: TsroError | undefined) => void = () => {};

  readonly #ws: WebSocketLike;
  readonly #label: string;
  readonly #maxFrameSize: number;
  readonly #maxBufferedBytes: number;
  readonly #decoder: FrameDecoder;
  readonly #writer: FrameWriter;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #reason: TsroError | undefined;
  #reported = false;
  #closeTimer: unknown;

  constructor(ws: WebSocketLike, options: { label: string; maxFrameSize: number; maxBufferedBytes?: number }) {
    this.#ws = ws;
    this.#label = options.label;
    this.#maxFrameSize = options.maxFrameSize;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#decoder = new FrameDecoder(
      options.maxFrameSize,
      (frame) => {
        if (this.#state === 'open') this.onFrame(frame);
      },
      options.label,
    );
    this.#writer = new FrameWriter((batch) => {
      if (this.#ws.readyState !== OPEN) return;
      for (const message of splitIntoMessages(batch)) this.#ws.send(message);
    });
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev) => this.#receive(ev.data);
    ws.onclose = (ev) => this.#closed(ev.code, ev.reason);
    ws.onerror = () => {}; // always followed by close, which says more
    ws.onopen = null;
  }

  get closed(): boolean {
    return this.#state !== 'open';
  }

  setReceiveLimit(bytes: number): void {
    this.#decoder.setMaxFrameSize(Math.min(bytes, this.#maxFrameSize));
  }

  expectFirstBytes(check: (head: Uint8Array) => TsroError | undefined): void {
    this.#decoder.checkFirstBytes(check);
  }

  send(frame: Uint8Array): boolean {
    if (this.#state !== 'open') return false;
    if (frame.length > this.#maxFrameSize) {
      throw new ProtocolError('FRAME_TOO_LARGE', `cannot send a frame of ${frame.length} bytes to ${this.#label}; the limit is ${this.#maxFrameSize}`);
    }
    const buffered = this.#writer.pendingBytes + this.#ws.bufferedAmount;
    if (buffered > 0 && buffered + frame.length > this.#maxBufferedBytes) {
      this.destroy(new LimitError(`${this.#label} reads too slowly: ${buffered} bytes are waiting to be sent (limit ${this.#maxBufferedBytes})`));
      return false;
    }
    this.#writer.write(frame);
    return true;
  }

  close(): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#writer.flush();
    this.#closeSocket(1000, '');
    // A host that never answers the close frame must not keep the link open.
    this.#closeTimer = systemTimers.setTimeout(() => this.#report(), CLOSE_TIMEOUT_MS);
  }

  destroy(error?: TsroError): void {
    if (this.#reported) return;
    if (this.#state !== 'closed') {
      this.#state = 'closed';
      this.#reason = error;
    }
    this.#writer.discard();
    // Scripts may only send 1000 or 4000-4999; the reason names the tsro error code.
    this.#closeSocket(1000, error?.code ?? '');
    // No waiting for the close handshake: the owner is told now (in a later turn, as promised).
    void Promise.resolve().then(() => this.#report());
  }

  #closeSocket(code: number, reason: string): void {
    try {
      this.#ws.close(code, reason);
    } catch {
      // Already closing or closed.
    }
  }

  #receive(data: unknown): void {
    if (this.#state !== 'open') return;
    if (typeof data === 'string') {
      this.destroy(new ProtocolError('PROTOCOL_ERROR', `${this.#label} sent a WebSocket text message; tsro speaks binary messages only`));
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
    if (bytes === undefined) {
      this.destroy(new ProtocolError('PROTOCOL_ERROR', `${this.#label} sent a WebSocket message that is not binary data`));
      return;
    }
    try {
      this.#decoder.push(bytes);
      if (this.#decoder.bufferedBytes > 0 && this.#state === 'open') {
        throw new ProtocolError(
          'PROTOCOL_ERROR',
          `${this.#label} sent a WebSocket message that is not whole tsro frames: it ends inside a frame`,
        );
      }
    } catch (err) {
      this.destroy(
        err instanceof TsroError
          ? err
          : new ProtocolError('PROTOCOL_ERROR', `failed to handle a frame from ${this.#label}: ${err instanceof Error ? err.message : String(err)}`, err),
      );
    }
  }

  #closed(code: number, reason: string): void {
    if (this.#state === 'open') {
      this.#state = 'closed';
      this.#reason = new DisconnectedError(`${this.#label} closed the WebSocket connection (${describeCloseCode(code, reason)})`);
    }
    this.#report();
  }

  #report(): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#state = 'closed';
    if (this.#closeTimer !== undefined) systemTimers.clearTimeout(this.#closeTimer);
    this.#writer.discard();
    const ws = this.#ws;
    ws.onmessage = null;
    ws.onclose = null;
    this.onClose(this.#reason);
  }
}

/**
 * Opens a WebSocket to `url` asking for the `tsro` subprotocol; resolves with a link once it is
 * open. Browsers do not say why a WebSocket failed, so the error names the likely causes.
 */
export function openWebSocketLink(url: string, options: ConnectorOptions, create: WebSocketFactory = globalWebSocket): Promise<FrameLink> {
  return new Promise<FrameLink>((resolve, reject) => {
    let ws: WebSocketLike;
    try {
      ws = create(url, [WEBSOCKET_SUBPROTOCOL]);
    } catch (err) {
      reject(new ConnectError(`cannot connect to ${url}: ${err instanceof Error ? err.message : String(err)}`, err));
      return;
    }
    let timer: unknown;
    const settle = (): void => {
      if (timer !== undefined) systemTimers.clearTimeout(timer);
      ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
    };
    const fail = (reason: string): void => {
      settle();
      try {
        ws.close();
      } catch {
        // Not open yet: close() then aborts the connection.
      }
      reject(new ConnectError(`cannot connect to ${url}: ${reason}`));
    };
    if (options.timeoutMs > 0 && Number.isFinite(options.timeoutMs)) {
      timer = systemTimers.setTimeout(() => fail(`timed out after ${options.timeoutMs} ms`), options.timeoutMs);
    }
    ws.onerror = () => {};
    ws.onclose = (ev) =>
      fail(
        `the WebSocket connection failed (${describeCloseCode(ev.code, ev.reason)}); ` +
          'nothing listens there, the host refuses this origin, or it is not a tsro host',
      );
    ws.onopen = () => {
      if (ws.protocol !== WEBSOCKET_SUBPROTOCOL) {
        fail(`the WebSocket server there is not a tsro host (it did not select the "${WEBSOCKET_SUBPROTOCOL}" subprotocol)`);
        return;
      }
      settle();
      resolve(new WebSocketLink(ws, { label: options.label, maxFrameSize: options.maxFrameSize, maxBufferedBytes: options.maxBufferedBytes }));
    };
  });
}

function globalWebSocket(url: string, protocols: string[]): WebSocketLike {
  const Ctor = (globalThis as { WebSocket?: new (url: string, protocols: string[]) => WebSocketLike }).WebSocket;
  if (Ctor === undefined) throw new Error('this runtime has no WebSocket');
  return new Ctor(url, protocols);
}

/** Connects ws:// and wss:// URLs with the runtime's WebSocket. */
export const webSocketConnector: Connector = {
  connect: (address, options) => openWebSocketLink(address.url, options),
};
