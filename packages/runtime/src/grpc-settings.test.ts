import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigError } from './config.js';
import { grpcServerSettings } from './grpc-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'grpc-settings-'));
const cert = join(dir, 'server.crt');
const key = join(dir, 'server.key');
writeFileSync(cert, 'certificate');
writeFileSync(key, 'key');

function problemsOf(source: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(grpcServerSettings, source);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('grpcServerSettings', () => {
  it('serves plaintext when no TLS variable is set', () => {
    expect(loadConfig(grpcServerSettings, {}).grpcTls).toBeUndefined();
  });

  it('takes the certificate and key together, the client CA optionally', () => {
    expect(loadConfig(grpcServerSettings, { GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: key }).grpcTls).toEqual({
      certFile: cert,
      keyFile: key,
      clientCaFile: undefined,
    });
  });

  it('refuses a certificate without its key, and a client CA alone', () => {
    expect(problemsOf({ GRPC_TLS_CERT_FILE: cert })).toEqual([
      'GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE must be set together (or neither)',
    ]);
    expect(problemsOf({ GRPC_TLS_CLIENT_CA_FILE: cert })[0]).toMatch(/must be set together/);
  });

  it('names every file it cannot read', () => {
    const missing = join(dir, 'missing.pem');
    expect(
      problemsOf({ GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: missing, GRPC_TLS_CLIENT_CA_FILE: missing }),
    ).toEqual([
      `GRPC_TLS_KEY_FILE must name a readable file (got "${missing}"); GRPC_TLS_CLIENT_CA_FILE must name a readable file (got "${missing}")`,
    ]);
  });
});
