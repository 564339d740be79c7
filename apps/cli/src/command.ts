import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ClientTls } from './clients.js';
import { toJson } from './format.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A wrong command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** What every command gets: its arguments, where the services are, and how to print. */
export interface CommandContext {
  readonly orderAddress: string;
  readonly loggerAddress: string;
  /** TLS towards both services (--tls-ca, --tls-cert, --tls-key or ADDISPAY_TLS_*_FILE); plaintext when unset. */
  readonly tls: ClientTls | undefined;
  parse<O extends Options>(
    options: O,
  ): ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; args: string[] }>>;
  /** Prints `value` for people, or as one JSON line with --json. */
  print<T>(value: T, human: (value: T) => string, json: (value: T) => unknown): void;
}

export function commandContext(args: string[], env: NodeJS.ProcessEnv): CommandContext {
  const json = args.includes('--json');
  const { tls, rest } = takeTlsOptions(
    args.filter((arg) => arg !== '--json'),
    env,
  );
  return {
    orderAddress: env.ORDER_ADDR ?? '127.0.0.1:50051',
    loggerAddress: env.LOGGER_ADDR ?? '127.0.0.1:50052',
    tls,
    parse: (options) => {
      try {
        return parseArgs({ args: rest, options, allowPositionals: true, strict: true });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    },
    print: (value, human, toJsonValue) => {
      process.stdout.write(`${json ? toJson(toJsonValue(value)) : human(value)}\n`);
    },
  };
}

const TLS_OPTIONS = { '--tls-ca': 'caFile', '--tls-cert': 'certFile', '--tls-key': 'keyFile' } as const;

/** The TLS options every command takes, removed from its arguments; the environment fills what is not given. */
function takeTlsOptions(args: string[], env: NodeJS.ProcessEnv): { tls: ClientTls | undefined; rest: string[] } {
  const files: { caFile?: string; certFile?: string; keyFile?: string } = {
    caFile: env.ADDISPAY_TLS_CA_FILE || undefined,
    certFile: env.ADDISPAY_TLS_CERT_FILE || undefined,
    keyFile: env.ADDISPAY_TLS_KEY_FILE || undefined,
  };
  const rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const field = TLS_OPTIONS[flag as keyof typeof TLS_OPTIONS];
    if (!field) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? args[++index];
    if (!value) throw new UsageError(`${flag} needs a file name`);
    files[field] = value;
  }
  if (!files.caFile && !files.certFile && !files.keyFile) return { tls: undefined, rest };
  if (!files.certFile !== !files.keyFile) throw new UsageError('--tls-cert and --tls-key go together');
  return { tls: files, rest };
}
