import type { ConnectionOptions } from 'mysql2/promise';

/** Where a `mysql://user:password@host:port/database` DSN points; user and password are URL-decoded. */
export interface DsnParts {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Empty when the DSN names no database (e.g. the test harness's admin DSN). */
  readonly database: string;
  /** `?ssl=true` turns on TLS with certificate verification (managed MySQL); the only query parameter accepted. */
  readonly ssl: boolean;
}

export function parseDsn(dsn: string): DsnParts {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error('MySQL DSN is not a URL; expected mysql://user:password@host:port/database');
  }
  if (url.protocol !== 'mysql:') {
    throw new Error(`MySQL DSN must start with mysql://, got ${url.protocol}//`);
  }
  for (const key of url.searchParams.keys()) {
    if (key !== 'ssl') throw new Error(`MySQL DSN has an unknown parameter "${key}"; only "ssl" is accepted`);
  }
  if (url.hostname === '' || url.username === '') throw new Error('MySQL DSN must name a user and a host');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    ssl: url.searchParams.get('ssl') === 'true',
  };
}

/** The same DSN pointed at another database (the password stays encoded as it was). */
export function withDatabase(dsn: string, database: string): string {
  const url = new URL(dsn);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The DSN without its password, for messages and logs. */
export function redactDsn(dsn: string): string {
  try {
    const url = new URL(dsn);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable DSN>';
  }
}

/**
 * Connection options shared by pools and the migrator. BIGINT columns come back as JS `bigint` (money is BIGINT
 * minor units; a `number` would silently lose precision past 2^53); DECIMAL comes back as a string; DATETIME and
 * TIMESTAMP are read and written as UTC.
 */
export function connectionOptions(dsn: string): ConnectionOptions {
  const parts = parseDsn(dsn);
  return {
    host: parts.host,
    port: parts.port,
    user: parts.user,
    password: parts.password,
    ...(parts.database === '' ? {} : { database: parts.database }),
    ...(parts.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    typeCast: (field, next) => {
      const value: unknown = next();
      // With bigNumberStrings, BIGINT arrives as a decimal string in both the text and the binary protocol.
      return field.type === 'LONGLONG' && (typeof value === 'string' || typeof value === 'number')
        ? BigInt(value)
        : value;
    },
  };
}
