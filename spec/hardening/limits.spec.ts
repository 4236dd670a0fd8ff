// Limits on what one peer can make a host spend: memory and event-loop time per frame, time
// before the handshake, queued outgoing data, calls in flight. Each test states the protection it
// checks.

import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TsroError, type Host, type HostOptions, type Node, type Replica } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { encodePacket } from '../../src/protocol/packet-codec';
import { within } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Gadget, RawClient, WAIT_MS, World, frame, handshakeFrame, hostConnectionCount, listenerOf, varint, type Tap } from '../support/e2e';
import { denseInvokeBody } from '../support/hardening-values';
import { worldPerTest } from '../support/world-fixture';

describe('hardening: limits on what one peer can cost a host', function () {
  this.timeout(30_000);

  const w = worldPerTest();

  /** A host with a Printer and a Gadget, and a bystander node with a valid Printer replica. */
  async function setUp(options: HostOptions = {}): Promise<{ host: Host; printer: Printer; gadget: Gadget; r: Replica<Printer>; bystander: Node; ended: Tap<[{ label: string }, unknown]> }> {
    const host = await w.host('tcp://127.0.0.1:0', options);
    const ended = w.tap<[{ label: string }, unknown]>(listenerOf(host), 'connectionEnded');
    const printer = new Printer();
    const gadget = new Gadget();
    host.enableRemoting(printer);
    host.enableRemoting(gadget);
    const bystander = await w.connectedNode(host);
    const r = bystander.acquire(Printer);
    expect(await r.waitForSource(WAIT_MS)).to.equal(true);
    return { host, printer, gadget, r, bystander, ended };
  }

  /** Resolves when the host has dropped the raw client's connection (works on a paused socket too). */
  async function hostDropped(ended: Tap<[{ label: string }, unknown]>, port: number, ms: number): Promise<unknown> {
    const re = new RegExp(`peer 127\\.0\\.0\\.1:${port}(?!\\d)`);
    const [, error] = await ended.until((c) => re.test(c.label), ms, `the host to drop the connection from port ${port}`);
    return error;
  }

  // A frame is walked before it is decoded and refused (PROTOCOL_ERROR, that connection only) if
  // its values would cost more than maxValuesPerFrame elements (default 1,048,576). Here a host
  // with a 256 MB heap gets one 16 MiB frame of 8M empty Values: it must survive, refuse the frame
  // or answer it, and keep answering a bystander within 1 s throughout.
  it('one dense frame neither exhausts a host\'s memory nor stalls its event loop', async () => {
    const child: ChildProcess = fork(path.join(__dirname, '../support/child-host.js'), ['tcp://127.0.0.1:0', '100'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=256'],
    });
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}`)));
    w.defer(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const url = await within(
      new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url))),
      10_000,
      'the child host',
    );
    const bystander = w.node({ reconnect: false });
    await bystander.connectToNode(url);
    const r = bystander.acquire(Printer);
    expect(await r.waitForSource(WAIT_MS)).to.equal(true);

    const raw = await w.raw(url);
    const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Printer')!.id!;
    raw.send(frame(denseInvokeBody(id, 0, 1, 8 * 1024 * 1024)));

    // The bystander calls every 50 ms; no answer may take a second.
    let worst = 0;
    const deadline = Date.now() + 8000;
    let closed = false;
    void raw.closed.then(() => (closed = true));
    while (Date.now() < deadline && !(closed && Date.now() > deadline - 6000)) {
      const t = Date.now();
      const answer = await Promise.race([r.add(1, 2), exited, new Promise((resolve) => setTimeout(() => resolve('slow'), 1000))]);
      expect(answer, 'the host answered the bystander').to.equal(3);
      worst = Math.max(worst, Date.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(child.exitCode, 'the host process is alive').to.equal(null);
    expect(worst, 'slowest bystander call (ms)').to.be.below(1000);
    expect(closed || raw.packets.some((p) => p.kind === 'reply'), 'the host refused the frame or answered it').to.equal(true);
  });

  // A bigint Value is bounded by MAX_BIGINT_BYTES (64 KiB): a larger one is refused with
  // PROTOCOL_ERROR when decoded (NOT_SERIALIZABLE when encoded), and the rest convert in linear
  // time. Here one Invoke carries a 16 MiB bigint; the event loop must never stall for a second.
  it('one frame with a huge bigint does not stall the host', async () => {
    const { host, r } = await setUp();
    const raw = await RawClient.connect(host.hostUrl);
    w.defer(() => raw.destroy());
    const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
    const echo = apiOf(Gadget).slotByName.get('echo')!.index;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    try {
      raw.sendPacket({ invoke: { source: id, index: echo, serial: 1, args: [{ bigint: Buffer.alloc(16 * 1024 * 1024, 0x5a) }] } });
      // Answered, or the connection refused: either way the host is done with the frame.
      await Promise.race([raw.packet('reply', 20_000), raw.whenClosed(20_000)]);
    } finally {
      delay.disable();
    }
    expect(delay.max / 1e6, 'longest event-loop stall (ms)').to.be.below(1000);
    expect(await r.add(1, 2)).to.equal(3);
  });

  // A peer that connects and never completes its handshake (sends nothing, or half a frame) is
  // dropped after `handshakeTimeout` with TIMEOUT.
  it('closes a connection that does not complete its handshake in time (silent, or half a frame)', async () => {
    const { host, r, printer, ended } = await setUp({ handshakeTimeout: 300 });
    const silent = await RawClient.connect(host.hostUrl);
    const slow = await RawClient.connect(host.hostUrl);
    const hs = handshakeFrame();
    slow.send(hs.subarray(0, hs.length - 2)); // all but the last two bytes of a handshake
    w.defer(() => silent.destroy());
    w.defer(() => slow.destroy());
    const ports = [silent.socket.localPort!, slow.socket.localPort!];
    for (const [i, c] of [silent, slow].entries()) {
      const error = await hostDropped(ended, ports[i]!, 3000);
      expect(error).to.be.instanceOf(TsroError);
      expect((error as TsroError).code).to.equal('TIMEOUT');
      await c.whenClosed();
    }
    expect(await r.add(2, 3)).to.equal(5);
    printer.copies += 1;
    await within(new Promise((resolve) => r.once('copiesChanged', resolve)), WAIT_MS);
    expect(hostConnectionCount(host)).to.equal(1);
  });

  // Until a peer is admitted, the host accepts frames of at most 64 KiB (PRE_ADMISSION_FRAME_LIMIT;
  // a Handshake needs far less): a larger length prefix closes the connection with FRAME_TOO_LARGE
  // before any of the body is buffered. Here a 32 MiB frame is announced before any handshake.
  it('refuses a large frame before the handshake, before buffering it', async () => {
    const { host, r, ended } = await setUp();
    const raw = await RawClient.connect(host.hostUrl);
    w.defer(() => raw.destroy());
    const port = raw.socket.localPort!;
    raw.send(Buffer.concat([varint(32 * 1024 * 1024), Buffer.alloc(64 * 1024)]));
    const error = await hostDropped(ended, port, 2000);
    expect(error).to.be.instanceOf(TsroError);
    expect((error as TsroError).code).to.equal('FRAME_TOO_LARGE');
    expect(await r.add(2, 3)).to.equal(5);
  });

  // Peers still in their handshake are bounded by maxConnections too: a socket accepted beyond
  // that bound is destroyed at once (logged). Here 3 * maxConnections silent sockets are opened;
  // no more than maxConnections of them may be kept.
  it('bounds the connections that have not completed their handshake', async () => {
    const max = 5;
    const { host, r } = await setUp({ maxConnections: max });
    const silent = await Promise.all(Array.from({ length: 3 * max }, () => RawClient.connect(host.hostUrl)));
    for (const c of silent) w.defer(() => c.destroy());
    // The host drops the excess as it accepts them: await those closes (all but `max`).
    let closed = 0;
    await within(
      new Promise<void>((resolve) => {
        for (const c of silent) void c.closed.then(() => ++closed === silent.length - max && resolve());
      }),
      WAIT_MS,
      'the host to drop the connections past the bound',
    );
    expect(await r.add(2, 3)).to.equal(5);
    const open = silent.filter((c) => c.isOpen).length;
    expect(open, 'silent connections the host keeps').to.be.at.most(max);
    expect(await r.add(2, 3)).to.equal(5);
  });

  // Slow consumers: a peer that acquires a source and stops reading must not make the host queue
  // every change for it without bound. This publishes 256 MiB (256 changes of a 1 MiB string) to
  // a peer that never reads and expects it dropped (LIMIT_EXCEEDED) long before the end. (With
  // a pressure threshold, the default, those changes coalesce and it is never dropped:
  // spec/host/pressure.spec.ts; this is about the bound when nothing coalesces.)
  it('drops a peer that stops reading instead of queueing for it without bound', async () => {
    const { host, gadget, r, printer, ended } = await setUp({ pressureThreshold: Infinity });
    const raw = await RawClient.connect(host.hostUrl);
    w.defer(() => raw.destroy());
    const port = raw.socket.localPort!;
    const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
    raw.sendPacket({ acquire: { source: id } });
    await raw.packet('init');
    raw.socket.pause();
    let dropped = false;
    const drop = hostDropped(ended, port, 20_000).then((e) => {
      dropped = true;
      return e;
    });
    const big = Buffer.alloc(1024 * 1024, 0x61).toString('latin1');
    for (let i = 0; i < 256 && !dropped; i++) {
      gadget.label = `${i}${big}`;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(dropped, 'dropped before 256 MiB were queued for it').to.equal(true);
    const error = await drop;
    expect(error).to.be.instanceOf(TsroError);
    expect((error as TsroError).code).to.equal('LIMIT_EXCEEDED');
    expect(await r.add(2, 3)).to.equal(5);
    printer.copies += 1;
    await within(new Promise((resolve) => r.once('copiesChanged', resolve)), WAIT_MS);
  });

  // In-flight calls: one peer cannot start any number of slow or never-settling calls at once.
  // Past the limit the host either answers the extra Invokes with an error reply without running
  // the slot, or closes the connection with a typed error; other connections are unaffected.
  it('does not run an unbounded number of calls for one connection at once', async () => {
    const { host, gadget, r } = await setUp();
    let entered = 0;
    gadget.on('hangEntered', () => entered++);
    const raw = await RawClient.connect(host.hostUrl);
    w.defer(() => raw.destroy());
    const id = (await raw.handshake()).sourceList!.sources!.find((s) => s.name === 'Gadget')!.id!;
    const hang = apiOf(Gadget).slotByName.get('hang')!.index;
    const calls = 50_000;
    const chunks: Buffer[] = [];
    // Sent raw, so that no limit of the sending node gets in the way.
    for (let s = 1; s <= calls; s++) chunks.push(frame(encodePacket({ invoke: { source: id, index: hang, serial: s, args: [] } })));
    raw.send(Buffer.concat(chunks));
    // Either the connection is closed, or the excess calls were refused with error replies.
    const refusals = (): typeof raw.packets => raw.packets.filter((p) => p.kind === 'reply' && p.reply!.error);
    // A ping after the flood: its pong comes after every reply to what was sent before it.
    if (raw.isOpen) {
      raw.sendPacket({ ping: { nonce: 1 } });
      await Promise.race([raw.packet('pong', 20_000), raw.whenClosed(20_000)]);
    }
    const refused = refusals().length;
    for (const p of refusals()) expect(p.reply!.error!.code).to.equal('LIMIT_EXCEEDED');
    expect(entered, 'calls the host started for one connection').to.be.at.most(10_000);
    expect(raw.isOpen === false || refused >= calls - 10_000, 'the excess was refused or the peer dropped').to.equal(true);
    expect(await r.add(2, 3)).to.equal(5);
  });
});
