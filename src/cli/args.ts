// The command line: `tsro [options] <command> <operands...>`, options anywhere. Hand-rolled
// rather than node:util parseArgs because operands are JSON and a negative number (`-5`) must
// stay an operand: only the options below (and `--`, which ends them) are taken as options.

import { usage } from './failure';

export const DEFAULT_TIMEOUT_MS = 5000;

export type CommandName = 'list' | 'describe' | 'get' | 'set' | 'call' | 'watch' | 'rows';

export interface Options {
  /** Machine-readable output: one JSON document per result or event. */
  readonly json: boolean;
  /** Bounds connecting, waiting for the source and waiting for a set or call to complete. */
  readonly timeout: number;
  /** Print the library's warnings (lost connections, reconnect attempts) to stderr. */
  readonly verbose: boolean;
  /** Sent to the host in the handshake, for its `authenticate` check. */
  readonly credential?: string;
  /** PEM files for tls:// hosts: the CA to trust, and a client certificate and its key. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export type Parsed =
  | { readonly kind: 'help'; readonly command: CommandName | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly command: CommandName; readonly operands: readonly string[]; readonly options: Options };

interface CommandSpec {
  readonly synopsis: string;
  /** One line for the command list of `tsro --help`. */
  readonly summary: string;
  readonly min: number;
  readonly max: number;
  readonly help: string;
}

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  list: {
    summary: 'the sources a host offers',
    synopsis: 'tsro list URL',
    min: 1,
    max: 1,
    help: `Lists the sources the host at URL offers: name, type, API signature and host URL.`,
  },
  describe: {
    summary: "a source's properties, signals and slots",
    synopsis: 'tsro describe URL NAME',
    min: 2,
    max: 2,
    help: `Shows the API of source NAME: its properties (type, readonly or writable, current value),
signals (parameters) and slots (parameters, return type).`,
  },
  get: {
    summary: 'property values',
    synopsis: 'tsro get URL NAME [PROP]',
    min: 2,
    max: 3,
    help: `Prints the value of property PROP of source NAME, or of every property.`,
  },
  set: {
    summary: 'set a property',
    synopsis: 'tsro set URL NAME PROP VALUE',
    min: 4,
    max: 4,
    help: `Sets property PROP of source NAME to VALUE (JSON) and returns once the source has applied
it. Example: tsro set tcp://127.0.0.1:5000 Printer inkLevel 50`,
  },
  call: {
    summary: 'call a slot, print its result',
    synopsis: 'tsro call URL NAME SLOT [ARGS...]',
    min: 3,
    max: Infinity,
    help: `Calls slot SLOT of source NAME with ARGS (one JSON value each) and prints what it returns.
Example: tsro call tcp://127.0.0.1:5000 Printer print '"report.pdf"'`,
  },
  rows: {
    summary: "rows of a model",
    synopsis: 'tsro rows URL NAME [START] [COUNT]',
    min: 2,
    max: 4,
    help: `Prints rows START (default 0) to START + COUNT - 1 (default: to the end) of model NAME, one
per line: "index: row" (with --json, {"index": i, "row": ...}).`,
  },
  watch: {
    summary: 'print changes, signals and states until Ctrl-C',
    synopsis: 'tsro watch URL NAME',
    min: 2,
    max: 2,
    help: `Prints one line per property change, signal and state change (valid, suspect) of source
NAME until interrupted (Ctrl-C, SIGTERM). Starts with the current values. Survives the host going
away and coming back: tsro reconnects by itself. On a model: its row count, then one line per
row operation (inserted, removed, moved, changed with the new rows, reset) for its first 1000 rows.`,
  },
};

const OPTIONS_HELP = `Options:
  --json          machine-readable output (JSON; see "--json encoding" in docs/cli.md)
  --timeout MS    how long to wait for the host, for the source and for a set or call
                  to complete (default ${DEFAULT_TIMEOUT_MS})
  --verbose       also print the library's warnings (lost connections...) to stderr
  --credential TEXT  sent to the host for its authenticate check (a token, a password...)
  --ca FILE       tls:// only: PEM file of the CA that signs the host's certificate
  --cert FILE     tls:// only: PEM file of a client certificate, for hosts that ask for one
  --key FILE      tls:// only: PEM file of that certificate's private key
  -h, --help      show help (also: tsro COMMAND --help)
  --version       show tsro's version`;

const VALUES_HELP = `Values are JSON: strings in quotes ('"doc"'), 50, true, null, [1, 2], {"a": 1}.
What JSON cannot say: {"$bigint":"12"}, {"$bytes":"0102ff"}, {"$date":"2024-05-01T12:00:00Z"},
{"$map":[["k", 1]]}, {"$undefined":true}, {"$number":"NaN"}. An int64 takes a plain integer,
a date an ISO string.`;

const URL_HELP = `URL: tcp://host:port, tls://host:port (see --ca, --cert, --key), ws://host:port/path,
wss://host:port/path, local:name (a Unix socket or Windows named pipe), nats://host:port (every
host on that NATS server), or a scheme a program registered with registerTransportScheme.`;

const EXIT_HELP = `Exit codes: 0 ok, 1 usage, 2 connection (also: not a tsro host), 3 not found,
4 the slot threw, 5 refused (readonly, argument count or type), 6 no answer in time,
7 the host refused the credential (AUTH_FAILED), 70 internal error.`;

export function mainHelp(): string {
  const commands = (Object.keys(COMMANDS) as CommandName[])
    .map((c) => `  ${COMMANDS[c].synopsis.padEnd(36)}${COMMANDS[c].summary}`)
    .join('\n');
  return `tsro: inspect and drive tsro remote objects from the command line.

Usage: tsro [options] COMMAND URL ...

Commands:
${commands}

${OPTIONS_HELP}

${URL_HELP}
${VALUES_HELP}

${EXIT_HELP}
`;
}

export function commandHelp(command: CommandName): string {
  const spec = COMMANDS[command];
  return `Usage: ${spec.synopsis} [options]

${spec.help}

${OPTIONS_HELP}

${URL_HELP}
${command === 'set' || command === 'call' ? `${VALUES_HELP}\n\n` : ''}${EXIT_HELP}
`;
}


function isCommand(s: string | undefined): s is CommandName {
  return s !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, s);
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) throw usage('--timeout needs a value in milliseconds');
  if (!/^\d+$/.test(text) || Number(text) <= 0 || Number(text) > 0x7fffffff) {
    throw usage(`--timeout expects a positive number of milliseconds, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Parses argv (without node and the script). Throws a usage CliFailure. */
export function parseCommandLine(argv: readonly string[]): Parsed {
  let json = false;
  let verbose = false;
  let help = false;
  let version = false;
  let timeout = DEFAULT_TIMEOUT_MS;
  const strings: { credential?: string; ca?: string; cert?: string; key?: string } = {};
  const stringOption = (option: 'credential' | 'ca' | 'cert' | 'key', value: string | undefined): void => {
    if (value === undefined || value === '') throw usage(`--${option} needs a value`);
    strings[option] = value;
  };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // An operand unless it looks like an option: JSON never starts with "--" or "-<letter>".
    if (!/^--./.test(arg) && !/^-[A-Za-z]/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const noValue = (): void => {
      if (inline !== undefined) throw usage(`option ${name} takes no value`);
    };
    switch (name) {
      case '--json':
        noValue();
        json = true;
        break;
      case '--verbose':
        noValue();
        verbose = true;
        break;
      case '-h':
      case '--help':
        noValue();
        help = true;
        break;
      case '--version':
        noValue();
        version = true;
        break;
      case '--timeout':
        timeout = parseTimeout(inline ?? argv[++i]);
        break;
      case '--credential':
      case '--ca':
      case '--cert':
      case '--key':
        stringOption(name.slice(2) as 'credential' | 'ca' | 'cert' | 'key', inline ?? argv[++i]);
        break;
      default:
        throw usage(`unknown option ${name} (see tsro --help)`);
    }
  }
  const [first, ...operands] = positionals;
  if (help) {
    if (first !== undefined && !isCommand(first)) throw usage(`unknown command "${first}" (see tsro --help)`);
    return { kind: 'help', command: first };
  }
  if (version) return { kind: 'version' };
  if (first === undefined) throw usage('no command given (see tsro --help)');
  if (first === 'help') {
    const target = operands[0];
    if (target !== undefined && !isCommand(target)) throw usage(`unknown command "${target}" (see tsro --help)`);
    return { kind: 'help', command: target };
  }
  if (!isCommand(first)) throw usage(`unknown command "${first}" (see tsro --help)`);
  const spec = COMMANDS[first];
  if (operands.length < spec.min) {
    throw usage(`${first}: missing operand${spec.min - operands.length === 1 ? '' : 's'}; usage: ${spec.synopsis}`);
  }
  if (operands.length > spec.max) throw usage(`${first}: too many operands; usage: ${spec.synopsis}`);
  if ((strings.cert === undefined) !== (strings.key === undefined)) throw usage('--cert and --key go together');
  return { kind: 'run', command: first, operands, options: { json, timeout, verbose, ...strings } };
}
