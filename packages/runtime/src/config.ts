/**
 * The one configuration loader: every service declares what it reads from the environment, and start-up either
 * gets a fully typed, validated object or one error that lists every problem, each naming its variable.
 */
type Parse<T> = (raw: string) => { ok: true; value: T } | { ok: false; expected: string };

export interface Setting<T> {
  readonly variable: string;
  readonly read: (env: NodeJS.ProcessEnv) => { ok: true; value: T } | { ok: false; problem: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function setting<T>(variable: string, parse: Parse<T>, fallback?: { value: T } | 'optional'): Setting<T> {
  return {
    variable,
    read: (env) => {
      const raw = env[variable];
      if (raw === undefined || raw === '') {
        if (fallback === 'optional') return { ok: true, value: undefined as T };
        if (fallback) return { ok: true, value: fallback.value };
        return { ok: false, problem: `${variable} is required` };
      }
      const parsed = parse(raw);
      return parsed.ok
        ? parsed
        : { ok: false, problem: `${variable} must be ${parsed.expected} (got "${shown(variable, raw)}")` };
    },
  };
}

/** Values of variables that may hold credentials are never echoed back. */
function shown(variable: string, raw: string): string {
  return /DSN|PASSWORD|TOKEN|SECRET|KEY/.test(variable) ? '<redacted>' : raw.slice(0, 80);
}

const asString: Parse<string> = (raw) => ({ ok: true, value: raw });

function integerIn(min: number, max: number): Parse<number> {
  return (raw) => {
    const value = Number(raw);
    return /^-?\d+$/.test(raw) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, expected: `a whole number from ${min} to ${max}` };
  };
}

function numberIn(min: number, max: number): Parse<number> {
  return (raw) => {
    const value = Number(raw);
    return Number.isFinite(value) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, expected: `a number from ${min} to ${max}` };
  };
}

function urlWith(protocols: readonly string[]): Parse<URL> {
  return (raw) => {
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol.replace(/:$/, ''))) return { ok: true, value: url };
    } catch {
      // fall through to the message below
    }
    return { ok: false, expected: `a URL starting with ${protocols.map((protocol) => `${protocol}://`).join(' or ')}` };
  };
}

function oneOf<const T extends string>(values: readonly T[]): Parse<T> {
  return (raw) =>
    (values as readonly string[]).includes(raw)
      ? { ok: true, value: raw as T }
      : { ok: false, expected: `one of ${values.join(', ')}` };
}

export const env = {
  string: (variable: string, fallback?: string) =>
    setting(variable, asString, fallback === undefined ? undefined : { value: fallback }),
  optionalString: (variable: string) => setting<string | undefined>(variable, asString, 'optional'),
  integer: (variable: string, range: { min: number; max: number; default?: number }) =>
    setting(
      variable,
      integerIn(range.min, range.max),
      range.default === undefined ? undefined : { value: range.default },
    ),
  number: (variable: string, range: { min: number; max: number; default?: number }) =>
    setting(
      variable,
      numberIn(range.min, range.max),
      range.default === undefined ? undefined : { value: range.default },
    ),
  port: (variable: string, fallback?: number) =>
    setting(variable, integerIn(0, 65_535), fallback === undefined ? undefined : { value: fallback }),
  url: (variable: string, protocols: readonly string[], fallback?: string) =>
    setting(variable, urlWith(protocols), fallback === undefined ? undefined : { value: new URL(fallback) }),
  oneOf: <const T extends string>(variable: string, values: readonly T[], fallback?: T) =>
    setting(variable, oneOf(values), fallback === undefined ? undefined : { value: fallback }),
  optionalOneOf: <const T extends string>(variable: string, values: readonly T[]) =>
    setting<T | undefined>(variable, oneOf(values), 'optional'),
};

export type ConfigOf<S> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export function loadConfig<S extends Record<string, Setting<unknown>>>(
  settings: S,
  source: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, definition] of Object.entries(settings)) {
    const result = definition.read(source);
    if (result.ok) config[key] = result.value;
    else problems.push(result.problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<S>;
}
