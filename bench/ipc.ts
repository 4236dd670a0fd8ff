// Child processes of the benchmark and how they talk to it: a request/response protocol over
// Node's IPC channel, plus events the child sends on its own (e.g. "done"). Every child forked
// here is tracked, and killed if the bench exits without closing it.

import { fork, type ChildProcess } from 'node:child_process';
import { errorText, withTimeout } from './util';

type Message = { [key: string]: unknown };

const live = new Set<BenchChild>();

process.on('exit', () => {
  for (const c of live) c.kill();
});

/** The bench's handle on one forked child. */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly waiting = new Map<string, ((m: Message) => void)[]>();
  private readonly queued = new Map<string, Message[]>();
  private exited = false;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly label: string,
    private readonly proc: ChildProcess,
  ) {
    live.add(this);
    proc.on('message', (m: Message) => this.receive(m));
    // e.g. EPIPE from send() to a child that just died: its 'exit' reports that.
    proc.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(new Error(`bench child ${label}: ${err.message}`));
      this.pending.clear();
    });
    this.exitPromise = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exited = true;
        live.delete(this);
        const err = new Error(`bench child ${label} exited (code ${code}, signal ${signal})`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve();
      });
    });
  }

  /** Forks `script` (a compiled .js) and waits for its "up" event. */
  static async fork(script: string, label: string, timeoutMs = 60_000): Promise<BenchChild> {
    const proc = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const child = new BenchChild(label, proc);
    try {
      const exitedEarly = child.exitPromise.then(() => {
        throw new Error(`bench child ${label} exited before it was up (see its stderr above)`);
      });
      exitedEarly.catch(() => {});
      await withTimeout(Promise.race([child.next('up'), exitedEarly]), timeoutMs, `${label} to start`);
    } catch (err) {
      child.kill();
      throw err;
    }
    return child;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Sends a command; resolves with the child's answer, rejects with its error. */
  request(cmd: string, args: Message = {}, timeoutMs = 60_000): Promise<Message> {
    if (this.exited) return Promise.reject(new Error(`bench child ${this.label} has exited`));
    const id = this.nextId++;
    const answer = new Promise<Message>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.send({ ...args, id, cmd });
    });
    return withTimeout(answer, timeoutMs, `${this.label} answering "${cmd}"`).finally(() => this.pending.delete(id));
  }

  /** The next event of that name the child sends (or one it already sent and nobody took). */
  next(event: string): Promise<Message> {
    const q = this.queued.get(event);
    if (q && q.length > 0) return Promise.resolve(q.shift()!);
    return new Promise((resolve) => {
      const list = this.waiting.get(event) ?? [];
      list.push(resolve);
      this.waiting.set(event, list);
    });
  }

  /** Sends a message without waiting for an answer (the child answers by an event). */
  post(cmd: string, args: Message = {}): void {
    if (!this.exited) this.proc.send({ ...args, cmd });
  }

  private receive(m: Message): void {
    if (typeof m.id === 'number') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (typeof m.error === 'string') p.reject(new Error(`${this.label}: ${m.error}`));
      else p.resolve(m);
      return;
    }
    if (typeof m.event === 'string') {
      const list = this.waiting.get(m.event);
      if (list && list.length > 0) {
        list.shift()!(m);
      } else {
        const q = this.queued.get(m.event) ?? [];
        q.push(m);
        this.queued.set(m.event, q);
      }
    }
  }

  /** Asks the child to exit; kills it if it has not within `ms`. */
  async close(ms = 5000): Promise<void> {
    if (this.exited) return;
    try {
      this.proc.send({ cmd: 'exit' });
    } catch {
      // channel already closed
    }
    const timer = setTimeout(() => this.kill(), ms);
    await this.exitPromise;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

/** Closes every child still alive. */
/**
 * Arms every child to report 'done' once it has seen value `last`; resolves, once all are
 * armed, with the 'done' messages to await.
 */
export async function armChildren(children: readonly BenchChild[], last: number): Promise<Promise<Message>[]> {
  await Promise.all(children.map((c) => c.request('arm', { last })));
  return children.map((c) => c.next('done'));
}

export async function closeAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => c.close()));
}

// ---- child side ----------------------------------------------------------------------------------

export type Handler = (msg: Message) => Promise<Message | void> | Message | void;

/** In a child: answers the bench's commands with `handlers`; "exit" runs `onExit` then exits. */
export function serveBench(handlers: Record<string, Handler>, onExit: () => Promise<void>): void {
  if (!process.send) throw new Error('bench child started without an IPC channel');
  let exiting = false;
  const exit = async (): Promise<void> => {
    if (exiting) return;
    exiting = true;
    try {
      await withTimeout(onExit(), 5000, 'child cleanup');
    } catch (err) {
      console.error(`[bench child ${process.pid}] cleanup failed: ${errorText(err)}`);
    }
    process.disconnect?.();
    // Whatever the cleanup missed must not keep the child alive.
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('disconnect', () => void exit());
  process.on('message', (m: Message) => {
    if (m.cmd === 'exit') {
      void exit();
      return;
    }
    const handler = handlers[m.cmd as string];
    const id = m.id;
    void (async () => {
      try {
        if (!handler) throw new Error(`unknown command ${String(m.cmd)}`);
        const answer = (await handler(m)) ?? {};
        if (id !== undefined) sendToBench({ ...answer, id });
      } catch (err) {
        if (id !== undefined) sendToBench({ id, error: errorText(err) });
        else console.error(`[bench child ${process.pid}] ${errorText(err)}`);
      }
    })();
  });
  sendToBench({ event: 'up' });
}

export function sendToBench(m: Message): void {
  if (process.connected) process.send!(m);
}
