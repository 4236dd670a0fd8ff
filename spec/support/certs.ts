// Certificates for the TLS tests, made with the system's `openssl` (1.1.1 or 3.x) the first time
// a test asks for them, into a temporary directory that is removed when the process exits. EC
// P-256 keys keep it fast (a few dozen milliseconds per openssl run), and nothing needs the
// network. Every certificate for a server names 127.0.0.1, ::1 and localhost.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A certificate and its key: where they are, and their PEM text. */
export interface CertFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
}

export interface TestCerts {
  /** The temporary directory holding the files. */
  readonly dir: string;
  /** The test CA (self-signed). Trust it to trust `server` and `client`. */
  readonly ca: CertFiles;
  /** A server certificate for 127.0.0.1, ::1 and localhost, issued by `ca`. */
  readonly server: CertFiles;
  /** A client certificate (CN "tsro test client"), issued by `ca`. */
  readonly client: CertFiles;
  /** A second CA that has nothing to do with `ca`. */
  readonly otherCa: CertFiles;
  /** A certificate for 127.0.0.1, ::1 and localhost, usable by a server or a client, issued by `otherCa`. */
  readonly other: CertFiles;
  /** A self-signed certificate (no CA) for 127.0.0.1, ::1 and localhost. */
  readonly selfSigned: CertFiles;
  /** A server certificate for 127.0.0.1, ::1 and localhost, issued by `ca`, that expired in 2020. */
  readonly expired: CertFiles;
}

/** Thrown by `testCerts()` when there is no `openssl` on the PATH; tests may skip on it. */
export class OpensslMissingError extends Error {}

const SERVER_NAMES = 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost';

let made: TestCerts | undefined;

/** The test certificates, made on the first call (once per process). */
export function testCerts(): TestCerts {
  made ??= makeCerts();
  return made;
}

const DIR_PREFIX = 'tsro-certs-';

function makeCerts(): TestCerts {
  removeOrphans();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string): string => path.join(dir, name);

  // A config of our own, so that neither the system's openssl.cnf nor its absence matters.
  const config = file('openssl.cnf');
  fs.writeFileSync(
    config,
    [
      '[ req ]',
      'distinguished_name = dn',
      'prompt = no',
      '[ dn ]',
      'CN = unused',
      '[ ca ]',
      'default_ca = test_ca',
      '[ test_ca ]',
      `database = ${file('index.txt')}`,
      `new_certs_dir = ${dir}`,
      `serial = ${file('serial')}`,
      'default_md = sha256',
      'policy = any_policy',
      'unique_subject = no',
      '[ any_policy ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const openssl = (...args: string[]): void => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENSSL_CONF: config } });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new OpensslMissingError('the TLS tests need the openssl command, which is not on the PATH');
      }
      const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
      throw new Error(`openssl ${args.join(' ')} failed: ${stderr || String(err)}`);
    }
  };
  const ext = (name: string, lines: string[]): string => {
    fs.writeFileSync(file(name), lines.join('\n') + '\n');
    return file(name);
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const read = (name: string): CertFiles => ({
    certPath: file(`${name}.pem`),
    keyPath: file(`${name}.key`),
    cert: fs.readFileSync(file(`${name}.pem`), 'utf8'),
    key: fs.readFileSync(file(`${name}.key`), 'utf8'),
  });

  const caExtensions = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
  const selfSignedCa = (name: string, cn: string): void => {
    openssl('req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3650', '-subj', `/CN=${cn}`,
      ...caExtensions.flatMap((e) => ['-addext', e]));
  };
  const leafExt = (usage: string): string[] => [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage}`,
    ...(usage.includes('serverAuth') ? [SERVER_NAMES] : []),
  ];
  let serial = 1000;
  const issue = (name: string, cn: string, usage: string, caName: string): void => {
    openssl('req', '-new', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-set_serial', String(++serial),
      '-days', '3650', '-sha256', '-out', `${name}.pem`, '-extfile', ext(`${name}.ext`, leafExt(usage)));
  };

  selfSignedCa('ca', 'tsro test CA');
  issue('server', 'localhost', 'serverAuth', 'ca');
  issue('client', 'tsro test client', 'clientAuth', 'ca');
  selfSignedCa('other-ca', 'tsro untrusted CA');
  issue('other', 'localhost', 'serverAuth,clientAuth', 'other-ca');
  openssl('req', '-x509', ...newKey, '-keyout', 'self-signed.key', '-out', 'self-signed.pem', '-days', '3650', '-subj', '/CN=localhost',
    ...leafExt('serverAuth').flatMap((e) => ['-addext', e]));

  // `x509 -req` cannot back-date a certificate (OpenSSL 3.0 has no -not_before); `ca` can.
  fs.writeFileSync(file('index.txt'), '');
  fs.writeFileSync(file('serial'), '2000\n');
  openssl('req', '-new', ...newKey, '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=localhost');
  openssl('ca', '-batch', '-config', config, '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem',
    '-notext', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', ext('expired.ext', leafExt('serverAuth')));

  return {
    dir,
    ca: read('ca'),
    server: read('server'),
    client: read('client'),
    otherCa: read('other-ca'),
    other: read('other'),
    selfSigned: read('self-signed'),
    expired: read('expired'),
  };
}

// A process killed by a signal (or a crash) leaves its directory behind; the next run removes
// those whose process is gone.
function removeOrphans(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const match = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name);
    if (match === null || Number(match[1]) === process.pid || isRunning(Number(match[1]))) continue;
    try {
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    } catch {
      // Someone else's, or already gone.
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
