import { expect } from 'chai';
import * as os from 'node:os';
import * as path from 'node:path';
import { TsroError, UrlError } from '../../src/errors';
import { addressToUrl, allowCustomScheme, disallowCustomScheme, hostPortUrl, parseUrl, tcpUrl } from '../../src/transport/url';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

function expectUrlError(input: unknown, ...fragments: string[]): UrlError {
  let caught: unknown;
  try {
    parseUrl(input as string);
  } catch (err) {
    caught = err;
  }
  expect(caught, `parseUrl(${String(input)}) should throw`).to.be.instanceOf(UrlError);
  const err = caught as UrlError;
  expect(err).to.be.instanceOf(TsroError);
  expect(err.code).to.equal('URL_INVALID');
  for (const f of fragments) expect(err.message).to.include(f);
  return err;
}

describe('transport/url', () => {
  describe('tcp://', () => {
    const valid: Array<[string, string, number, string]> = [
      ['tcp://127.0.0.1:5000', '127.0.0.1', 5000, 'tcp://127.0.0.1:5000'],
      ['tcp://127.0.0.1:0', '127.0.0.1', 0, 'tcp://127.0.0.1:0'],
      ['tcp://localhost:65535', 'localhost', 65535, 'tcp://localhost:65535'],
      ['tcp://host.example-1.org:80/', 'host.example-1.org', 80, 'tcp://host.example-1.org:80'],
      ['tcp://[::1]:0', '::1', 0, 'tcp://[::1]:0'],
      ['tcp://[::1]:8080/', '::1', 8080, 'tcp://[::1]:8080'],
      ['tcp://[2001:db8::7]:1', '2001:db8::7', 1, 'tcp://[2001:db8::7]:1'],
      ['TCP://127.0.0.1:007', '127.0.0.1', 7, 'tcp://127.0.0.1:7'],
    ];
    for (const [input, host, port, url] of valid) {
      it(`parses ${input}`, () => {
        expect(parseUrl(input)).to.deep.equal({ scheme: 'tcp', host, port, url });
      });
    }

    const invalid: Array<[string, string]> = [
      ['tcp://127.0.0.1', 'port is required'],
      ['tcp://127.0.0.1:', 'port is required'],
      ['tcp://:5000', 'host is required'],
      ['tcp://127.0.0.1:65536', 'out of range'],
      ['tcp://127.0.0.1:99999', 'out of range'],
      ['tcp://127.0.0.1:123456', 'not a number'],
      ['tcp://127.0.0.1:-1', 'not a number'],
      ['tcp://127.0.0.1:http', 'not a number'],
      ['tcp://127.0.0.1:5000/path', 'path'],
      ['tcp://127.0.0.1:5000//', 'path'],
      ['tcp://127.0.0.1:5000?x=1', 'query'],
      ['tcp://127.0.0.1:5000#frag', 'fragment'],
      ['tcp://user@127.0.0.1:5000', 'credentials'],
      ['tcp://::1:5000', 'brackets'],
      ['tcp://[::1]', 'port is required'],
      ['tcp://[::1]5000', 'port is required'],
      ['tcp://[::1:5000', 'unterminated'],
      ['tcp://[127.0.0.1]:5000', 'not an IPv6 address'],
      ['tcp://bad host:5000', 'not a valid host name'],
      ['tcp:127.0.0.1:5000', 'tcp://host:port'],
      ['tcp://', 'port is required'],
    ];
    for (const [input, reason] of invalid) {
      it(`rejects ${input} (${reason})`, () => {
        expectUrlError(input, JSON.stringify(input), reason);
      });
    }
  });

  describe('tls://', () => {
    const valid: Array<[string, string, number, string]> = [
      ['tls://127.0.0.1:5000', '127.0.0.1', 5000, 'tls://127.0.0.1:5000'],
      ['tls://127.0.0.1:0', '127.0.0.1', 0, 'tls://127.0.0.1:0'],
      ['TLS://Example.org:443/', 'Example.org', 443, 'tls://Example.org:443'],
      ['tls://[::1]:8443', '::1', 8443, 'tls://[::1]:8443'],
    ];
    for (const [input, host, port, url] of valid) {
      it(`parses ${input}`, () => {
        expect(parseUrl(input)).to.deep.equal({ scheme: 'tls', host, port, url });
      });
    }

    const invalid: Array<[string, string]> = [
      ['tls://127.0.0.1', 'a port is required (tls://host:port)'],
      ['tls://:5000', 'a host is required (tls://host:port)'],
      ['tls://127.0.0.1:65536', 'out of range'],
      ['tls://127.0.0.1:5000/path', 'a path is not allowed; expected tls://host:port'],
      ['tls://user@127.0.0.1:5000', 'credentials'],
      ['tls://::1:5000', 'an IPv6 host must be in brackets (tls://[::1]:port)'],
      ['tls:127.0.0.1:5000', 'expected tls://host:port'],
    ];
    for (const [input, reason] of invalid) {
      it(`rejects ${input} (${reason})`, () => {
        expectUrlError(input, JSON.stringify(input), reason);
      });
    }
  });

  describe('local:', () => {
    posixOnly('on POSIX', () => {
      it('puts a relative name in the temp directory', () => {
        expect(parseUrl('local:tsro-test')).to.deep.equal({
          scheme: 'local',
          name: 'tsro-test',
          path: path.join(os.tmpdir(), 'tsro-test'),
          url: 'local:tsro-test',
        });
      });

      it('uses an absolute name as the path', () => {
        expect(parseUrl('local:/var/run/tsro.sock')).to.deep.equal({
          scheme: 'local',
          name: '/var/run/tsro.sock',
          path: '/var/run/tsro.sock',
          url: 'local:/var/run/tsro.sock',
        });
      });

      it('accepts a path of exactly the OS limit and rejects one byte more', () => {
        const limit = process.platform === 'linux' ? 107 : 103;
        const fits = '/' + 'a'.repeat(limit - 1);
        expect(parseUrl(`local:${fits}`).scheme).to.equal('local');
        expectUrlError(`local:${fits}a`, 'bytes', String(limit));
      });

      it('counts the path length in bytes, not characters', () => {
        const limit = process.platform === 'linux' ? 107 : 103;
        // 'é' is two bytes in UTF-8: this is under the limit in characters but over it in bytes.
        const name = '/' + 'é'.repeat(Math.ceil(limit / 2));
        expect(name.length).to.be.at.most(limit);
        expectUrlError(`local:${name}`, 'bytes');
      });

      it('rejects a relative name that is too long once placed in the temp directory', () => {
        expectUrlError(`local:${'n'.repeat(120)}`, 'bytes');
      });
    });

    it('rejects an empty name', () => {
      expectUrlError('local:', '"local:"', 'empty');
    });

    it('rejects a NUL byte', () => {
      expectUrlError('local:a\0b', 'NUL', JSON.stringify('local:a\0b'));
    });

    it('rejects local:// spellings', () => {
      expectUrlError('local:///tmp/x.sock', '"local:///tmp/x.sock"', 'local:/absolute/path');
    });
  });

  describe('other input', () => {
    const invalid: Array<[string, string]> = [
      ['http://127.0.0.1:80', 'unsupported scheme "http"'],
      ['foo:bar', 'unsupported scheme "foo"'],
      ['udp://127.0.0.1:5000', 'unsupported scheme "udp"'],
      ['', 'not a URL'],
      ['127.0.0.1:5000', 'not a URL'],
      ['garbage', 'not a URL'],
      [' tcp://127.0.0.1:5000', 'not a URL'],
    ];
    for (const [input, reason] of invalid) {
      it(`rejects ${JSON.stringify(input)} (${reason})`, () => {
        expectUrlError(input, JSON.stringify(input), reason);
      });
    }

    for (const value of [undefined, null, 42, {}, ['tcp://127.0.0.1:1']]) {
      it(`rejects the non-string ${JSON.stringify(value)}`, () => {
        expectUrlError(value, 'expected a string');
      });
    }
  });

  describe('formatting', () => {
    it('tcpUrl brackets IPv6 hosts only', () => {
      expect(tcpUrl('127.0.0.1', 1)).to.equal('tcp://127.0.0.1:1');
      expect(tcpUrl('localhost', 0)).to.equal('tcp://localhost:0');
      expect(tcpUrl('::1', 5000)).to.equal('tcp://[::1]:5000');
      expect(tcpUrl('[::1]', 5000)).to.equal('tcp://[::1]:5000');
    });

    it('hostPortUrl formats tcp and tls URLs like tcpUrl', () => {
      expect(hostPortUrl('tcp', '127.0.0.1', 1)).to.equal(tcpUrl('127.0.0.1', 1));
      expect(hostPortUrl('tls', 'localhost', 443)).to.equal('tls://localhost:443');
      expect(hostPortUrl('tls', '::1', 5000)).to.equal('tls://[::1]:5000');
    });

    it('names tls, ws and nats in the list of supported schemes', () => {
      expectUrlError(
        'https://127.0.0.1:443',
        'tcp://host:port, tls://host:port, ws://host:port/path, wss://host:port/path, local:name, localabstract:name and nats://host:port[/hostName]',
      );
    });

    it('round-trips through parseUrl', () => {
      for (const url of ['tcp://127.0.0.1:9', 'tcp://[fe80::1]:65535', 'tls://localhost:8443', 'tls://[::1]:1', 'local:tsro-x', 'local:/tmp/tsro-y']) {
        const addr = parseUrl(url);
        expect(addressToUrl(addr)).to.equal(url);
        expect(addr.url).to.equal(url);
        expect(parseUrl(addressToUrl(addr))).to.deep.equal(addr);
      }
    });
  });
});

describe('transport/url: localabstract and custom schemes', () => {
  (process.platform === 'linux' ? it : it.skip)('parses localabstract:name into a NUL-prefixed path', () => {
    const a = parseUrl('localabstract:tsro-x');
    expect(a).to.deep.equal({ scheme: 'local', name: 'tsro-x', path: '\0tsro-x', url: 'localabstract:tsro-x', abstract: true });
    expect(() => parseUrl('localabstract:')).to.throw(/localabstract:""|empty/);
    expect(() => parseUrl(`localabstract:${'x'.repeat(200)}`)).to.throw(/at most/);
  });

  it('accepts a scheme only once it is registered, and refuses to register built-in ones', () => {
    expect(() => parseUrl('pigeon:coop')).to.throw(/unsupported scheme/);
    allowCustomScheme('pigeon');
    try {
      expect(parseUrl('pigeon:coop')).to.deep.equal({ scheme: 'custom', name: 'pigeon', url: 'pigeon:coop' });
    } finally {
      disallowCustomScheme('pigeon');
    }
    expect(() => parseUrl('pigeon:coop')).to.throw(/unsupported scheme/);
    for (const builtIn of ['tcp', 'TLS', 'local', 'localabstract', '1bad']) {
      expect(() => allowCustomScheme(builtIn)).to.throw().with.property('code', 'URL_INVALID');
    }
  });
});
