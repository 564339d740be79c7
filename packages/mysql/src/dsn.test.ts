import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionOptions, parseDsn } from './dsn.js';

const caFile = join(mkdtempSync(join(tmpdir(), 'dsn-test-')), 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

describe('parseDsn', () => {
  it('reads user, password, host, port and database, URL-decoded', () => {
    expect(parseDsn('mysql://order%40svc:p%2Fw@db.example:3307/addispay_orders')).toEqual({
      host: 'db.example',
      port: 3307,
      user: 'order@svc',
      password: 'p/w',
      database: 'addispay_orders',
      ssl: false,
      sslCa: undefined,
    });
  });

  it('turns TLS on with ssl=true, and with ssl-ca, which names the CA to verify against', () => {
    expect(parseDsn('mysql://u:p@h/db?ssl=true')).toMatchObject({ ssl: true, sslCa: undefined });
    expect(parseDsn('mysql://u:p@h/db?ssl-ca=/etc/addispay/mysql-ca/ca.pem')).toMatchObject({
      ssl: true,
      sslCa: '/etc/addispay/mysql-ca/ca.pem',
    });
  });

  it('refuses unknown parameters, a bad ssl value and a CA with ssl=false', () => {
    expect(() => parseDsn('mysql://u:p@h/db?sslmode=verify')).toThrow(/unknown parameter "sslmode"/);
    expect(() => parseDsn('mysql://u:p@h/db?ssl=yes')).toThrow(/ssl must be true or false/);
    expect(() => parseDsn(`mysql://u:p@h/db?ssl=false&ssl-ca=${caFile}`)).toThrow(/cannot go with ssl=false/);
    expect(() => parseDsn('mysql://u:p@h/db?ssl-ca=')).toThrow(/must name a CA file/);
  });
});

describe('connectionOptions', () => {
  it('connects in plain text unless the DSN or the default CA asks for TLS', () => {
    expect(connectionOptions('mysql://u:p@h/db').ssl).toBeUndefined();
  });

  it('verifies against the system CAs with ssl=true alone', () => {
    expect(connectionOptions('mysql://u:p@h/db?ssl=true').ssl).toEqual({ rejectUnauthorized: true });
  });

  it('verifies against the CA file the DSN names', () => {
    expect(connectionOptions(`mysql://u:p@h/db?ssl-ca=${caFile}`).ssl).toEqual({
      ca: expect.stringContaining('BEGIN CERTIFICATE'),
      rejectUnauthorized: true,
    });
  });

  it('uses the default CA (MYSQL_SSL_CA) for a DSN that names none, which turns TLS on', () => {
    expect(connectionOptions('mysql://u:p@h/db', { sslCaFile: caFile }).ssl).toMatchObject({
      rejectUnauthorized: true,
      ca: expect.stringContaining('BEGIN CERTIFICATE'),
    });
  });

  it('says which CA file it cannot read', () => {
    expect(() => connectionOptions('mysql://u:p@h/db?ssl-ca=/nonexistent/ca.pem')).toThrow(
      /MySQL CA file \/nonexistent\/ca.pem cannot be read/,
    );
  });
});
