import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'mysql2/promise';

/** Where a `mysql://user:password@host:port/database` DSN points; user and password are URL-decoded. */
export interface DsnParts {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Empty when the DSN names no database (e.g. the test harness's admin DSN). */
  readonly database: string;
  /**
   * `?ssl=true` turns on TLS with certificate verification against the system's CAs (managed MySQL);
   * `?ssl-ca=/path/ca.pem` verifies against that CA instead (a cluster's own CA, e.g. the MySQL operator's) and
   * implies TLS. These are the only query parameters accepted.
   */
  readonly ssl: boolean;
  /** The CA file named by `ssl-ca`, if any. */
  readonly sslCa: string | undefined;
}

const DSN_PARAMETERS = ['ssl', 'ssl-ca'];

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
    if (!DSN_PARAMETERS.includes(key)) {
      throw new Error(`MySQL DSN has an unknown parameter "${key}"; only ${DSN_PARAMETERS.join(', ')} are accepted`);
    }
  }
  const ssl = url.searchParams.get('ssl');
  if (ssl !== null && ssl !== 'true' && ssl !== 'false') {
    throw new Error(`MySQL DSN parameter ssl must be true or false, got "${ssl}"`);
  }
  const sslCa = url.searchParams.get('ssl-ca') ?? undefined;
  if (sslCa === '' || (sslCa !== undefined && ssl === 'false')) {
    throw new Error('MySQL DSN parameter ssl-ca must name a CA file, and cannot go with ssl=false');
  }
  if (url.hostname === '' || url.username === '') throw new Error('MySQL DSN must name a user and a host');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    ssl: ssl === 'true' || sslCa !== undefined,
    sslCa,
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

export interface TlsDefaults {
  /** CA file for DSNs that name none (MYSQL_SSL_CA): turns TLS on, verified against it. */
  readonly sslCaFile?: string | undefined;
}

/** mysql2's ssl option: verified always; against the CA of the DSN, else the default one, else the system's. */
function tlsOptions(parts: DsnParts, defaults: TlsDefaults): ConnectionOptions['ssl'] {
  const caFile = parts.sslCa ?? defaults.sslCaFile;
  if (caFile === undefined) return parts.ssl ? { rejectUnauthorized: true } : undefined;
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(`MySQL CA file ${caFile} cannot be read: ${(error as Error).message}`);
  }
  return { ca, rejectUnauthorized: true };
}

/**
 * Connection options shared by pools and the migrator. BIGINT columns come back as JS `bigint` (money is BIGINT
 * minor units; a `number` would silently lose precision past 2^53); DECIMAL comes back as a string; DATETIME and
 * TIMESTAMP are read and written as UTC.
 */
export function connectionOptions(dsn: string, defaults: TlsDefaults = {}): ConnectionOptions {
  const parts = parseDsn(dsn);
  const ssl = tlsOptions(parts, defaults);
  return {
    host: parts.host,
    port: parts.port,
    user: parts.user,
    password: parts.password,
    ...(parts.database === '' ? {} : { database: parts.database }),
    ...(ssl === undefined ? {} : { ssl }),
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
