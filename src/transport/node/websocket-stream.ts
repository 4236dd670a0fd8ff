// A connected `ws` WebSocket seen as the byte stream every other transport is (a Duplex), so a
// FrameChannel carries tsro over it unchanged: written batches go out as binary messages (split
// at frame boundaries when large), received binary messages are checked to hold whole frames and
// passed on. Text messages and messages that are not whole frames end the connection with a
// ProtocolError; a close without a clean close frame is a lost connection.

import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { DisconnectedError, ProtocolError, type TsroError } from '../../errors';
import { checkWholeFrames, describeCloseCode, splitIntoMessages } from '../websocket-messages';

export interface WebSocketStreamOptions {
  /** Who is at the other end (a URL), named in errors. */
  readonly label: string;
  /** The largest frame accepted in a message. */
  readonly maxFrameSize: number;
  /** The peer's IP address and port, when known (a host's accepted connections). */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
}

const CLOSING_GRACE_MS = 1000;

/** A Duplex over an open `ws` WebSocket; it owns the socket from construction on. */
export class WebSocketStream extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly #ws: WebSocket;
  readonly #label: string;
  readonly #maxFrameSize: number;
  #socketClosed = false;
  readonly #onSocketClosed: (() => void)[] = [];

  constructor(ws: WebSocket, options: WebSocketStreamOptions) {
    super({ allowHalfOpen: false });
    this.#ws = ws;
    this.#label = options.label;
    this.#maxFrameSize = options.maxFrameSize;
    this.remoteAddress = options.remoteAddress;
    this.remotePort = options.remotePort;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => this.#receive(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.#closed(code, reason.toString()));
    ws.on('error', (err: Error) => this.destroy(err));
  }

  #receive(data: Buffer, isBinary: boolean): void {
    if (this.destroyed) return;
    if (!isBinary) {
      this.#refuse(new ProtocolError('PROTOCOL_ERROR', `${this.#label} sent a WebSocket text message; tsro speaks binary messages only`));
      return;
    }
    try {
      checkWholeFrames(data, this.#maxFrameSize, this.#label);
    } catch (err) {
      this.#refuse(err as TsroError);
      return;
    }
    if (!this.push(data)) this.#ws.pause();
  }

  // Closes with 1002 (or 1009) so the peer learns why, then ends the stream with `error`.
  #refuse(error: TsroError): void {
    const code = error.code === 'FRAME_TOO_LARGE' ? 1009 : 1002;
    try {
      this.#ws.close(code, error.code);
    } catch {
      // Already closing.
    }
    this.destroy(error);
  }

  #closed(code: number, reason: string): void {
    this.#socketClosed = true;
    for (const fn of this.#onSocketClosed.splice(0)) fn();
    if (this.destroyed) return;
    if (code === 1000 || code === 1001) {
      this.push(null);
      return;
    }
    this.destroy(new DisconnectedError(`${this.#label} closed the WebSocket connection (${describeCloseCode(code, reason)})`));
  }

  // Runs `fn` once the WebSocket's TCP socket has closed: the stream finishes closing only then,
  // so that whoever awaits it (Node.close, Host.close) leaves no socket behind.
  #whenSocketClosed(fn: () => void): void {
    if (this.#socketClosed) fn();
    else this.#onSocketClosed.push(fn);
  }

  override _read(): void {
    this.#ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // An empty write asks only to be told when what came before is out (a send queue's fence).
    if (chunk.length === 0) {
      callback(null);
      return;
    }
    const messages = splitIntoMessages(chunk);
    const last = messages.length - 1;
    for (let i = 0; i < last; i++) this.#ws.send(messages[i]!, { binary: true });
    // Done once the last part is handed to the OS: the Writable's buffered bytes then count what
    // the peer has not taken yet, as they do for a TCP socket.
    this.#ws.send(messages[last]!, { binary: true }, (err) => callback(err ?? null));
  }

  // Chunks written together (corked: a length prefix, then the large frame it announces) are one
  // batch of whole frames only together: they go out as one.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this._write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
  }

  // A graceful end: the close frame goes out after everything written, and the end is complete
  // when the peer has answered it (or the owner's close timeout destroys the stream).
  override _final(callback: (error?: Error | null) => void): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(1000);
    this.#whenSocketClosed(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const ws = this.#ws;
    if (!this.#socketClosed) {
      if (ws.readyState === ws.CLOSING) {
        // A close this side started (refusing a bad message) tells the peer why; give its answer
        // a moment, not the 30 s `ws` would wait.
        const timer = setTimeout(() => ws.terminate(), CLOSING_GRACE_MS);
        timer.unref();
        this.#whenSocketClosed(() => clearTimeout(timer));
      } else {
        ws.terminate();
      }
    }
    this.#whenSocketClosed(() => callback(error));
  }
}
