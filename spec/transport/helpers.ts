// Shared by the transport specs: unique addresses, bounded waits (a test that waits fails with a
// message instead of hanging), and a registry of things to close after each test.

import { once, type EventEmitter } from 'node:events';
import * as net from 'node:net';
import type { TsroError } from '../../src/errors';
import { FrameChannel, type FrameChannelOptions } from '../../src/transport/node/frame-channel';
import { connectSocket } from '../../src/transport/node/socket-client';
import { listen, type SocketServer } from '../../src/transport/node/socket-server';
import { parseUrl } from '../../src/transport/url';
import { expect } from 'chai';

/** The wait limit for one awaited event; well under mocha's timeout so the message is ours. */
export const WAIT_MS = 3000;

let counter = 0;

/** A local: URL no other test (or concurrent test run) uses. */
export function uniqueLocalUrl(): string {
  counter++;
  return `local:tsro-test-${process.pid}-${counter}`;
}

// Captured at load, so that waits keep working while a test fakes the global timers.
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;

/** Resolves or rejects like `promise`, but rejects if it takes longer than `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => realClearTimeout(timer));
}

/** The next `event` of `emitter`, within WAIT_MS. */
/** Resolves with what `promise` rejects with; fails the test if it resolves or takes too long. */
export async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await within(promise, what);
  } catch (err) {
    return err;
  }
  return expect.fail(`${what} should have failed`);
}

export function nextEvent(emitter: EventEmitter, event: string, what = event): Promise<unknown[]> {
  return within(once(emitter, event), what);
}

/** Things a test opened, closed in reverse order by `closeAll()` (called from afterEach). */
export class Resources {
  private readonly closers: Array<() => unknown> = [];

  add(close: () => unknown): void {
    this.closers.push(close);
  }

  server(server: SocketServer): SocketServer {
    this.add(() => server.close());
    return server;
  }

  socket(socket: net.Socket): net.Socket {
    this.add(() => {
      socket.destroy();
    });
    return socket;
  }

  channel(channel: FrameChannel): FrameChannel {
    this.add(() => channel.destroy());
    return channel;
  }

  async closeAll(): Promise<void> {
    while (this.closers.length > 0) {
      await this.closers.pop()!();
    }
  }
}

/** Collects a channel's frames and close reasons, and waits for them. */
export class Recorder {
  readonly frames: Uint8Array[] = [];
  readonly closes: Array<TsroError | undefined> = [];
  private frameWaiters: Array<() => void> = [];
  private closeWaiters: Array<() => void> = [];

  constructor(channel: FrameChannel, onFrame?: (frame: Uint8Array) => void) {
    channel.onFrame = (frame) => {
      this.frames.push(Uint8Array.from(frame));
      onFrame?.(frame);
      this.wake(this.frameWaiters);
    };
    channel.onClose = (error) => {
      this.closes.push(error);
      this.wake(this.closeWaiters);
    };
  }

  /** Resolves once `count` frames have arrived in total. */
  async frameCount(count: number, what = `${count} frames`): Promise<Uint8Array[]> {
    await within(this.until(this.frameWaiters, () => this.frames.length >= count), what);
    return this.frames;
  }

  /** Resolves with the close reason once onClose has been called. */
  async closed(what = 'onClose'): Promise<TsroError | undefined> {
    await within(this.until(this.closeWaiters, () => this.closes.length > 0), what);
    return this.closes[0];
  }

  private until(waiters: Array<() => void>, done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (done()) resolve();
        else waiters.push(check);
      };
      check();
    });
  }

  private wake(waiters: Array<() => void>): void {
    const pending = waiters.splice(0);
    for (const w of pending) w();
  }
}

/** A connected pair of FrameChannels over `url`, registered with `res`. */
export async function channelPair(
  res: Resources,
  url: string,
  options: Partial<FrameChannelOptions> = {},
): Promise<{ server: SocketServer; client: FrameChannel; accepted: FrameChannel }> {
  let resolveAccepted!: (c: FrameChannel) => void;
  const acceptedP = new Promise<FrameChannel>((r) => (resolveAccepted = r));
  const server = res.server(
    await listen(parseUrl(url), (socket) => {
      resolveAccepted(res.channel(new FrameChannel(socket, { label: `${url} (accepted)`, ...options })));
    }),
  );
  const socket = res.socket(await within(connectSocket(parseUrl(server.url)), 'connect'));
  const client = res.channel(new FrameChannel(socket, { label: server.url, ...options }));
  const accepted = await within(acceptedP, 'accept');
  return { server, client, accepted };
}

/** `count` frames of assorted sizes with recognisable content. */
export function sampleFrames(count: number): Uint8Array[] {
  const sizes = [0, 1, 5, 127, 128, 129, 300, 16383, 16384, 70000];
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const size = sizes[i % sizes.length];
    const f = new Uint8Array(size);
    for (let j = 0; j < size; j++) f[j] = (i * 31 + j) & 0xff;
    frames.push(f);
  }
  return frames;
}
