import { parseArgs, type ParseArgsConfig } from 'node:util';
import { toJson } from './format.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A wrong command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** What every command gets: its arguments, where the services are, and how to print. */
export interface CommandContext {
  readonly orderAddress: string;
  readonly loggerAddress: string;
  parse<O extends Options>(
    options: O,
  ): ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; args: string[] }>>;
  /** Prints `value` for people, or as one JSON line with --json. */
  print<T>(value: T, human: (value: T) => string, json: (value: T) => unknown): void;
}

export function commandContext(args: string[], env: NodeJS.ProcessEnv): CommandContext {
  const json = args.includes('--json');
  const rest = args.filter((arg) => arg !== '--json');
  return {
    orderAddress: env.ORDER_ADDR ?? '127.0.0.1:50051',
    loggerAddress: env.LOGGER_ADDR ?? '127.0.0.1:50052',
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
