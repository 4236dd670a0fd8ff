import { expect } from 'chai';
import * as tls from 'node:tls';
import * as sinon from 'sinon';
import { ConnectError, DisconnectedError, ListenError } from '../../src/errors';
import { FrameChannel } from '../../src/transport/node/frame-channel';
import { connectSocket, type ConnectOptions } from '../../src/transport/node/socket-client';
import { listen, type SocketServer } from '../../src/transport/node/socket-server';
import type { TlsClientOptions, TlsServerOptions } from '../../src/transport/node/tls-options';
import { parseUrl } from '../../src/transport/url';
import { OpensslMissingError, testCerts, type TestCerts } from '../support/certs';
import { nextEvent, Recorder, rejection, Resources, sampleFrames, within } from './helpers';

const ANY = 'tls://127.0.0.1:0';

function sameFrames(actual: Uint8Array[], expected: Uint8Array[]): void {
  expect(actual.length).to.equal(expected.length);
  actual.forEach((f, i) => expect(Buffer.compare(f, expected[i]), `frame ${i}`).to.equal(0));
}

/** Values pushed by callbacks, awaited in order by the test. */
class Queue<T> {
  readonly all: T[] = [];
  private taken = 0;
  private waiters: Array<() => void> = [];

  push = (value: T): void => {
    this.all.push(value);
    for (const w of this.waiters.splice(0)) w();
  };

  /** The next value not yet taken, within WAIT_MS. */
  next(what: string): Promise<T> {
    return within(
      new Promise<T>((resolve) => {
        const check = (): void => {
          if (this.taken < this.all.length) resolve(this.all[this.taken++]);
          else this.waiters.push(check);
        };
        check();
      }),
      what,
    );
  }
}

interface TlsHost {
  server: SocketServer;
  /** Accepted channels, in order; each echoes what it receives unless told otherwise. */
  accepted: Queue<{ channel: FrameChannel; rec: Recorder; socket: tls.TLSSocket }>;
  /** Handshake failures the server reported. */
  clientErrors: Queue<{ error: Error; peer: string | undefined }>;
}

describe('transport/tls', () => {
  const res = new Resources();
  let certs: TestCerts;

  before(function () {
    try {
      certs = testCerts();
    } catch (err) {
      if (err instanceof OpensslMissingError) this.skip();
      throw err;
    }
  });
  afterEach(() => res.closeAll());
  afterEach(() => sinon.restore());

  const serverOptions = (extra: Partial<TlsServerOptions> = {}): TlsServerOptions => ({
    cert: certs.server.cert,
    key: certs.server.key,
    ...extra,
  });

  async function tlsHost(tlsOptions: TlsServerOptions, url = ANY, echo = true): Promise<TlsHost> {
    const accepted: TlsHost['accepted'] = new Queue();
    const clientErrors: TlsHost['clientErrors'] = new Queue();
    const server = res.server(
      await listen(
        parseUrl(url),
        (socket) => {
          const channel = res.channel(new FrameChannel(socket, { label: `${url} (accepted)` }));
          const rec = new Recorder(channel, echo ? (frame) => channel.send(frame) : undefined);
          accepted.push({ channel, rec, socket: socket as tls.TLSSocket });
        },
        { tls: tlsOptions, onTlsClientError: (error, peer) => clientErrors.push({ error, peer }) },
      ),
    );
    return { server, accepted, clientErrors };
  }

  async function connect(url: string, tlsOptions?: TlsClientOptions, extra: ConnectOptions = {}): Promise<tls.TLSSocket> {
    const socket = await within(connectSocket(parseUrl(url), { tls: tlsOptions, ...extra }), `connect to ${url}`);
    res.socket(socket);
    return socket as tls.TLSSocket;
  }

  async function connectChannel(url: string, tlsOptions?: TlsClientOptions): Promise<{ channel: FrameChannel; rec: Recorder }> {
    const channel = res.channel(new FrameChannel(await connect(url, tlsOptions), { label: url }));
    return { channel, rec: new Recorder(channel) };
  }

  async function connectError(url: string, tlsOptions?: TlsClientOptions, extra: ConnectOptions = {}): Promise<ConnectError> {
    const err = await rejection(connectSocket(parseUrl(url), { tls: tlsOptions, ...extra }), `connect to ${url}`);
    expect(err).to.be.instanceOf(ConnectError);
    expect((err as ConnectError).code).to.equal('CONNECT_FAILED');
    expect((err as ConnectError).message).to.include(`cannot connect to ${url}: `);
    return err as ConnectError;
  }

  describe('listening', () => {
    it('reports the port the OS chose for port 0, as a tls:// URL', async () => {
      const { server } = await tlsHost(serverOptions());
      expect(server.url).to.match(/^tls:\/\/127\.0\.0\.1:\d+$/);
      expect(server.address.scheme).to.equal('tls');
      if (server.address.scheme === 'tls') {
        expect(server.address.port).to.be.above(0);
        expect(server.url).to.equal(`tls://127.0.0.1:${server.address.port}`);
      }
    });

    it('fails with a ListenError when tls:// has no certificate and key', async () => {
      const incomplete: Array<TlsServerOptions | undefined> = [
        undefined,
        { key: certs.server.key } as TlsServerOptions,
        { cert: certs.server.cert } as TlsServerOptions,
        { cert: '', key: certs.server.key },
        { cert: [], key: certs.server.key },
      ];
      for (const tlsOptions of incomplete) {
        const err = await rejection(listen(parseUrl(ANY), () => {}, { tls: tlsOptions }), 'listen');
        expect(err).to.be.instanceOf(ListenError);
        expect((err as ListenError).code).to.equal('LISTEN_FAILED');
        expect((err as ListenError).message).to.include(ANY).and.include('tls:// needs a certificate and key');
      }
    });

    it('fails with a ListenError when the certificate or key cannot be loaded', async () => {
      for (const tlsOptions of [
        { cert: 'not a certificate', key: certs.server.key },
        { cert: certs.server.cert, key: certs.client.key },
      ]) {
        const err = await rejection(listen(parseUrl(ANY), () => {}, { tls: tlsOptions }), 'listen');
        expect(err).to.be.instanceOf(ListenError);
        expect((err as ListenError).message).to.include(ANY).and.include('invalid TLS options');
        expect((err as ListenError).cause).to.be.instanceOf(Error);
      }
    });

    it('ignores tls options for tcp://', async () => {
      const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), (s) => res.socket(s), { tls: serverOptions() }));
      expect(server.url).to.match(/^tcp:/);
      const socket = await connect(server.url);
      expect(socket).not.to.be.instanceOf(tls.TLSSocket);
    });
  });

  describe('with a trusted certificate', () => {
    it('carries frames both ways, a large one included', async () => {
      const host = await tlsHost(serverOptions());
      const client = await connectChannel(host.server.url, { ca: certs.ca.cert });
      const accepted = await host.accepted.next('accept');
      expect(accepted.socket).to.be.instanceOf(tls.TLSSocket);
      expect(accepted.socket.encrypted).to.equal(true);

      const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
      const frames = [...sampleFrames(30), big, new Uint8Array(0)];
      for (const f of frames) expect(client.channel.send(f)).to.equal(true);
      sameFrames(await client.rec.frameCount(frames.length, 'the echoed frames'), frames);
      sameFrames(accepted.rec.frames, frames);

      const toClient = sampleFrames(12).reverse();
      for (const f of toClient) accepted.channel.send(f);
      sameFrames((await client.rec.frameCount(frames.length + toClient.length)).slice(frames.length), toClient);
      expect(host.clientErrors.all).to.deep.equal([]);
    });

    it('resolves only after the handshake, with the host verified and no listeners left', async () => {
      const host = await tlsHost(serverOptions());
      const socket = await connect(host.server.url, { ca: certs.ca.cert });
      expect(socket).to.be.instanceOf(tls.TLSSocket);
      expect(socket.authorized).to.equal(true);
      expect(socket.getProtocol()).to.be.oneOf(['TLSv1.2', 'TLSv1.3']);
      expect(socket.getPeerCertificate().subject.CN).to.equal('localhost');
      for (const event of ['secureConnect', 'connect', 'error']) expect(socket.listenerCount(event), event).to.equal(0);
      const channel = res.channel(new FrameChannel(socket, { label: host.server.url }));
      expect(channel.remoteLabel).to.equal(host.server.url);
      const accepted = await host.accepted.next('accept');
      expect(accepted.channel.remoteLabel).to.match(/^tls:\/\/127\.0\.0\.1:\d+$/);
    });

    it('connects by host name, sending it as the server name', async () => {
      const host = await tlsHost(serverOptions(), 'tls://localhost:0');
      expect(host.server.url).to.match(/^tls:\/\/localhost:\d+$/);
      await connect(host.server.url, { ca: certs.ca.cert });
      const accepted = await host.accepted.next('accept');
      expect((accepted.socket as tls.TLSSocket & { servername?: string | false }).servername).to.equal('localhost');
    });

    it('sends a tick of frames in one write, and close() delivers them before the disconnect', async () => {
      // No echo: a socket closed with unread data in its receive buffer resets the connection.
      const host = await tlsHost(serverOptions(), ANY, false);
      const socket = await connect(host.server.url, { ca: certs.ca.cert });
      const client = res.channel(new FrameChannel(socket, { label: host.server.url }));
      const clientRec = new Recorder(client);
      const accepted = await host.accepted.next('accept');
      // One write of the stream: a tick's chunks (large frames are not copied, so they are chunks
      // of their own) are handed over corked, as one writev.
      const stream = socket as unknown as { _write: () => void; _writev: () => void };
      const write = sinon.spy(stream, '_write');
      const writev = sinon.spy(stream, '_writev');
      const frames = sampleFrames(20);
      for (const f of frames) client.send(f);
      expect(write.callCount + writev.callCount, 'nothing written synchronously').to.equal(0);
      await within(new Promise((r) => setImmediate(r)), 'a turn');
      expect(write.callCount + writev.callCount, 'one write for the whole tick').to.equal(1);
      write.restore();
      writev.restore();

      for (const f of frames) client.send(f);
      client.close();
      expect(await clientRec.closed()).to.equal(undefined);
      const peerReason = await accepted.rec.closed();
      expect(peerReason).to.be.instanceOf(DisconnectedError);
      expect(peerReason!.code).to.equal('DISCONNECTED');
      expect(peerReason!.message).to.include('closed the connection');
      sameFrames(accepted.rec.frames, [...frames, ...frames]);
    });

    it('destroy(error) reports that error, and the peer sees a disconnect', async () => {
      const host = await tlsHost(serverOptions());
      const client = await connectChannel(host.server.url, { ca: certs.ca.cert });
      const accepted = await host.accepted.next('accept');
      const reason = new DisconnectedError('going away', 'CLOSED');
      client.channel.send(Uint8Array.of(1, 2, 3));
      client.channel.destroy(reason);
      expect(await client.rec.closed()).to.equal(reason);
      expect(await accepted.rec.closed()).to.be.instanceOf(DisconnectedError);
      expect(accepted.rec.frames).to.have.length(0);
    });

    it('closing the server closes accepted TLS channels with CLOSED', async () => {
      const host = await tlsHost(serverOptions());
      const client = await connectChannel(host.server.url, { ca: certs.ca.cert });
      const accepted = await host.accepted.next('accept');
      await within(host.server.close(), 'server.close()');
      const reason = await accepted.rec.closed();
      expect(reason).to.be.instanceOf(DisconnectedError);
      expect(reason!.code).to.equal('CLOSED');
      expect(await client.rec.closed()).to.be.instanceOf(DisconnectedError);
    });

    it('closing the server cuts short a handshake that never completes', async () => {
      const host = await tlsHost(serverOptions());
      // A TCP client that never sends a ClientHello: the server holds it in the handshake.
      const raw = res.socket(await connect(host.server.url.replace(/^tls:/, 'tcp:')));
      raw.on('error', () => {});
      const rawClosed = nextEvent(raw, 'close', 'the raw client to be closed');
      await within(host.server.close(), 'server.close() with a handshake pending');
      await rawClosed;
      expect(host.accepted.all).to.have.length(0);
    });
  });

  describe('refused by the client', () => {
    it('an untrusted host, with the system CAs (no tls options)', async () => {
      const host = await tlsHost(serverOptions());
      const err = await connectError(host.server.url);
      expect(err.message).to.include('TLS handshake failed').and.include('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect((err.cause as NodeJS.ErrnoException).code).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      // The host saw the client abort the handshake; nothing reached onConnection.
      await host.clientErrors.next('the server to see the handshake fail');
      expect(host.accepted.all).to.have.length(0);
    });

    it('an untrusted host, trusting another CA', async () => {
      const host = await tlsHost(serverOptions());
      const err = await connectError(host.server.url, { ca: certs.otherCa.cert });
      expect(err.message).to.include('TLS handshake failed').and.include('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it('a self-signed host certificate', async () => {
      const host = await tlsHost({ cert: certs.selfSigned.cert, key: certs.selfSigned.key });
      const err = await connectError(host.server.url, { ca: certs.ca.cert });
      expect(err.message).to.include('self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    });

    it('a host name the certificate does not list', async () => {
      const host = await tlsHost(serverOptions());
      const err = await connectError(host.server.url, { ca: certs.ca.cert, servername: 'wrong.example' });
      expect(err.message).to.include('TLS handshake failed').and.include('wrong.example').and.include('ERR_TLS_CERT_ALTNAME_INVALID');
      expect((err.cause as NodeJS.ErrnoException).code).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
    });

    it('an expired host certificate', async () => {
      const host = await tlsHost({ cert: certs.expired.cert, key: certs.expired.key });
      const err = await connectError(host.server.url, { ca: certs.ca.cert });
      expect(err.message).to.include('certificate has expired (CERT_HAS_EXPIRED)');
    });

    it('a host that does not speak TLS', async () => {
      const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), (s) => res.socket(s).end()));
      const url = server.url.replace(/^tcp:/, 'tls:');
      const err = await connectError(url, { ca: certs.ca.cert });
      expect(err.message).to.include('TLS handshake failed');
    });

    it('a host that never answers the handshake, within timeoutMs', async () => {
      const server = res.server(await listen(parseUrl('tcp://127.0.0.1:0'), (s) => res.socket(s)));
      const url = server.url.replace(/^tcp:/, 'tls:');
      const err = await connectError(url, { ca: certs.ca.cert }, { timeoutMs: 100 });
      expect(err.message).to.include('timed out after 100 ms (during the TLS handshake)');
    });

    it('nobody listening: the plain connect error', async () => {
      const probe = await listen(parseUrl('tcp://127.0.0.1:0'), () => {});
      await probe.close();
      const url = probe.url.replace(/^tcp:/, 'tls:');
      const err = await connectError(url, { ca: certs.ca.cert });
      expect(err.message).to.include('ECONNREFUSED').and.not.include('TLS');
    });

    it('unusable client options, port 0', async () => {
      const err = await connectError('tls://127.0.0.1:1', { ca: certs.ca.cert, cert: 'garbage', key: certs.client.key });
      expect(err.message).to.include('invalid TLS options');
      const zero = await connectError('tls://127.0.0.1:0');
      expect(zero.message).to.include('port 0');
    });
  });

  describe('client-side overrides', () => {
    it('rejectUnauthorized: false lets an unverified host through, marked unauthorized', async () => {
      const host = await tlsHost({ cert: certs.selfSigned.cert, key: certs.selfSigned.key });
      const socket = await connect(host.server.url, { rejectUnauthorized: false });
      expect(socket.authorized).to.equal(false);
      // Typed as an Error, but Node sets the code.
      expect(String(socket.authorizationError)).to.equal('DEPTH_ZERO_SELF_SIGNED_CERT');
    });

    it('checkServerIdentity replaces the host-name check', async () => {
      const host = await tlsHost(serverOptions());
      const seen: string[] = [];
      const socket = await connect(host.server.url, {
        ca: certs.ca.cert,
        servername: 'wrong.example',
        checkServerIdentity: (name, cert) => {
          seen.push(`${name} ${cert.subject.CN}`);
          return undefined;
        },
      });
      expect(socket.authorized).to.equal(true);
      expect(seen).to.deep.equal(['wrong.example localhost']);

      const err = await connectError(host.server.url, {
        ca: certs.ca.cert,
        checkServerIdentity: () => new Error('pinned certificate does not match'),
      });
      expect(err.message).to.include('pinned certificate does not match');
    });
  });

  describe('mutual TLS', () => {
    const mutual = (): TlsServerOptions => serverOptions({ requestCert: true, ca: certs.ca.cert });

    it('lets in a client with a certificate from the CA', async () => {
      const host = await tlsHost(mutual());
      const client = await connectChannel(host.server.url, { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key });
      const accepted = await host.accepted.next('accept');
      expect(accepted.socket.authorized).to.equal(true);
      expect(accepted.socket.getPeerCertificate().subject.CN).to.equal('tsro test client');
      client.channel.send(Uint8Array.of(7, 7));
      sameFrames(await client.rec.frameCount(1), [Uint8Array.of(7, 7)]);
    });

    // Under TLS 1.3 the client finishes its side of the handshake before the host checks its
    // certificate, so connectSocket resolves and the refusal arrives afterwards, before any data:
    // - no certificate: OpenSSL fails the handshake and sends an alert, which the channel reports
    //   as a DisconnectedError naming it (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED);
    // - a certificate that does not verify: Node completes the handshake, then drops the
    //   connection without an alert, so the channel sees the host hang up.
    // The client sends nothing here: data the host never reads would turn its close into a
    // reset, which could overtake the alert.
    for (const [what, useOther, clientReason, serverCode] of [
      ['without a certificate', false, /alert certificate required \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\)/, 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'],
      ['with a certificate from another CA', true, /closed the connection/, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ] as const) {
      it(`refuses a client ${what}: the channel closes, onConnection never runs`, async () => {
        const host = await tlsHost(mutual());
        const tlsOptions: TlsClientOptions = useOther
          ? { ca: certs.ca.cert, cert: certs.other.cert, key: certs.other.key }
          : { ca: certs.ca.cert };
        const socket = await connect(host.server.url, tlsOptions);
        expect(socket.getProtocol()).to.equal('TLSv1.3');
        const client = res.channel(new FrameChannel(socket, { label: host.server.url }));
        const rec = new Recorder(client);
        const reason = await rec.closed('the refused channel to close');
        expect(reason).to.be.instanceOf(DisconnectedError);
        expect(reason!.code).to.equal('DISCONNECTED');
        expect(reason!.message).to.include(host.server.url).and.match(clientReason);
        expect(rec.frames).to.have.length(0);

        const { error, peer } = await host.clientErrors.next('the server to report the refused client');
        expect((error as NodeJS.ErrnoException).code).to.equal(serverCode);
        expect(error.message).not.to.include('socket hang up');
        expect(peer).to.match(/^tls:\/\/127\.0\.0\.1:\d+$/);
        expect(host.accepted.all).to.have.length(0);

        // The host keeps serving clients with a good certificate.
        const good = await connectChannel(host.server.url, { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key });
        good.channel.send(Uint8Array.of(9));
        sameFrames(await good.rec.frameCount(1), [Uint8Array.of(9)]);
      });
    }

    it('with rejectUnauthorized: false, lets an unverified client in, marked unauthorized', async () => {
      const host = await tlsHost(serverOptions({ requestCert: true, rejectUnauthorized: false, ca: certs.ca.cert }));
      await connect(host.server.url, { ca: certs.ca.cert });
      const accepted = await host.accepted.next('accept');
      expect(accepted.socket.authorized).to.equal(false);
      // Typed as an Error, but Node sets the code.
      expect(String(accepted.socket.authorizationError)).to.equal('UNABLE_TO_GET_ISSUER_CERT');
    });
  });

  describe('a plain tcp client on a tls port', () => {
    it('gets no frames and is dropped; the host keeps serving TLS clients', async () => {
      const host = await tlsHost(serverOptions());
      const plainUrl = host.server.url.replace(/^tls:/, 'tcp:');
      const plain = res.channel(new FrameChannel(res.socket(await connect(plainUrl)), { label: plainUrl }));
      const plainRec = new Recorder(plain);
      plain.send(new Uint8Array(16).fill(0x2a));
      const reason = await plainRec.closed('the plain client to be dropped');
      expect(reason).to.be.instanceOf(DisconnectedError);
      expect(plainRec.frames).to.have.length(0);

      const { error } = await host.clientErrors.next('the server to report the plain client');
      expect((error as NodeJS.ErrnoException).code).to.match(/^ERR_SSL_/);
      expect(host.accepted.all).to.have.length(0);

      const client = await connectChannel(host.server.url, { ca: certs.ca.cert });
      client.channel.send(Uint8Array.of(4, 2));
      sameFrames(await client.rec.frameCount(1), [Uint8Array.of(4, 2)]);
    });
  });
});
