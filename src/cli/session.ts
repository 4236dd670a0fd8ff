// A CLI session: one Node, connected to one URL, with the options of the command line. It opens
// dynamic replicas (the CLI knows no API classes) and always closes the node, so that the
// process ends by itself.

import { TsroError } from '../errors';
import type { DynamicReplica } from '../replica/dynamic-replica';
import type { Logger } from '../util/logger';
import '../transport/node/node-transports'; // the CLI runs in Node.js: tcp, tls, local, nats
import { Node } from '../node/node';
import type { Options } from './args';
import { readFileSync } from 'node:fs';
import { didYouMean } from '../util/closest-names';
import { CliFailure, ExitCode, oneLine, usage } from './failure';

/** A source as the CLI lists it. */
export interface KnownSource {
  readonly name: string;
  readonly typeName: string;
  readonly signature: string;
  /** The URL of the host that offers it. */
  readonly url: string;
}

/**
 * The sources `node` knows of: what the hosts it is connected to offer and, once it follows a
 * registry, what the registry lists. The one place the CLI asks a node for its directory.
 */
export function knownSources(node: Node): KnownSource[] {
  return node.knownSources().map((s) => ({ name: s.name, typeName: s.typeName, signature: s.signature, url: s.url }));
}

/** Every source, as knownSources, fetched first from hosts with too many sources to list at connect. */
export async function allSources(node: Node): Promise<KnownSource[]> {
  return (await node.listSources()).map((s) => ({ name: s.name, typeName: s.typeName, signature: s.signature, url: s.url }));
}

/** The registry's source: its name and type name (src/registry/registry-source.ts). */
const REGISTRY = 'Registry';

/** A logger for the CLI: silent, or one line per warning on stderr with --verbose. */
function cliLogger(verbose: boolean): Logger {
  if (!verbose) return { warn: () => {}, error: () => {} };
  const write = (level: string, message: string, error?: unknown): void => {
    const why = error instanceof Error ? `: ${error.message}` : error === undefined ? '' : `: ${String(error)}`;
    process.stderr.write(`tsro: ${level}: ${oneLine(message + why)}\n`);
  };
  return { warn: (m, e) => write('warning', m, e), error: (m, e) => write('error', m, e) };
}

/** The PEM files of --ca, --cert and --key, read; undefined when none is given. */
function tlsOptions(options: Options): { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined {
  if (options.ca === undefined && options.cert === undefined && options.key === undefined) return undefined;
  const read = (option: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw usage(`cannot read --${option} ${file}: ${(err as Error).message}`);
    }
  };
  return { ca: read('ca', options.ca), cert: read('cert', options.cert), key: read('key', options.key) };
}

export class Session {
  readonly node: Node;

  private constructor(
    readonly url: string,
    readonly options: Options,
    reconnect: boolean,
  ) {
    this.node = new Node({
      logger: cliLogger(options.verbose),
      connectTimeout: options.timeout,
      reconnect: reconnect ? undefined : false,
      credential: options.credential,
      tls: tlsOptions(options),
    });
  }

  /**
   * Connects to `url`. `reconnect`: keep reconnecting after a lost connection (watch); the
   * one-shot commands fail at once instead.
   */
  static async open(url: string, options: Options, reconnect = false): Promise<Session> {
    const session = new Session(url, options, reconnect);
    try {
      await session.node.connectToNode(url);
      await session.followRegistry();
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  /**
   * If the host is a registry (it offers the "Registry" source), follows it: `list` then shows
   * the whole network, and sources on other hosts are found through it. Waits for the registry
   * at most --timeout; without it, the host's own sources are still there.
   */
  private async followRegistry(): Promise<void> {
    const registry = (await allSources(this.node)).find((s) => s.name === REGISTRY && s.typeName === REGISTRY && s.url === this.url);
    if (!registry) return;
    this.node.setRegistryUrl(this.url);
    await this.node.waitForRegistry(this.options.timeout);
  }

  /**
   * A dynamic replica of `name`, valid: waits up to --timeout for the source to be offered
   * and to send its API and values.
   */
  async replica(name: string): Promise<DynamicReplica> {
    this.checkOffered(name);
    const replica = this.node.acquireDynamic(name);
    if (await replica.waitForSource(this.options.timeout)) return replica;
    const offered = knownSources(this.node).some((s) => s.name === name);
    throw new CliFailure(
      ExitCode.NOT_FOUND,
      offered
        ? `source "${name}" at ${this.url} did not become valid within ${this.options.timeout} ms (state ${replica.state})`
        : `no source "${name}" at ${this.url} (not offered within ${this.options.timeout} ms; see tsro list ${this.url})`,
    );
  }

  /**
   * Fails with NOT_FOUND, naming the closest sources, if the host (or the registry it is) does
   * not offer `name`: its source list is in once the session is open, so a name it lacks is an
   * answer, not a reason to wait out --timeout.
   */
  checkOffered(name: string): void {
    const known = knownSources(this.node).map((s) => s.name);
    if (known.includes(name)) return;
    const offers = known.length === 0 ? 'it offers no source' : `it offers ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}`;
    throw new CliFailure(ExitCode.NOT_FOUND, `no source "${name}" at ${this.url} (${offers}).${didYouMean(name, known)}`);
  }

  /**
   * Waits for `p` (a set or a call) at most --timeout; then fails with TIMEOUT (closing the
   * node rejects the pending call, so nothing is left behind).
   */
  bounded<T>(p: Promise<T>, what: string): Promise<T> {
    const ms = this.options.timeout;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new CliFailure(ExitCode.TIMEOUT, `${what} got no answer within ${ms} ms (see --timeout)`)),
        ms,
      );
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  async close(): Promise<void> {
    await this.node.close().catch((err: unknown) => {
      if (!(err instanceof TsroError)) throw err;
    });
  }
}
