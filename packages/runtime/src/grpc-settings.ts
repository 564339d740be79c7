import { accessSync, constants } from 'node:fs';
import { env, type Setting } from './config.js';

/** Certificate files of a TLS server; with `clientCaFile`, clients must present a certificate it signed. */
export interface TlsFileSettings {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string | undefined;
}

/**
 * `<PREFIX>_CERT_FILE`, `<PREFIX>_KEY_FILE` and optional `<PREFIX>_CLIENT_CA_FILE`: none (plaintext) or the
 * certificate and key together, each a readable file. Read once at start-up, like every other setting.
 */
export function tlsFilesSetting(prefix: string): Setting<TlsFileSettings | undefined> {
  const names = { cert: `${prefix}_CERT_FILE`, key: `${prefix}_KEY_FILE`, ca: `${prefix}_CLIENT_CA_FILE` };
  return {
    variable: names.cert,
    read: (source) => {
      const [certFile, keyFile, clientCaFile] = [names.cert, names.key, names.ca].map(
        (name) => source[name] || undefined,
      );
      if (!certFile && !keyFile && !clientCaFile) return { ok: true, value: undefined };
      const problems: string[] = [];
      if (!certFile || !keyFile) problems.push(`${names.cert} and ${names.key} must be set together (or neither)`);
      for (const [name, file] of [
        [names.cert, certFile],
        [names.key, keyFile],
        [names.ca, clientCaFile],
      ] as const) {
        if (file && !readable(file)) problems.push(`${name} must name a readable file (got "${file}")`);
      }
      if (problems.length > 0 || !certFile || !keyFile) return { ok: false, problem: problems.join('; ') };
      return { ok: true, value: { certFile, keyFile, clientCaFile } };
    },
  };
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** What every service with a gRPC API reads beside its port: TLS, and how long one call may hold the server. */
export const grpcServerSettings = {
  grpcTls: tlsFilesSetting('GRPC_TLS'),
  /** A unary call running longer is answered DEADLINE_EXCEEDED (PlaceOrder's own wait is shorter). */
  rpcMaxUnaryMs: env.integer('RPC_MAX_UNARY_MS', { min: 1_000, max: 600_000, default: 30_000 }),
  /** A server stream (WatchOrder) is ended after this; the client watches again to continue. */
  rpcMaxStreamMs: env.integer('RPC_MAX_STREAM_MS', { min: 1_000, max: 86_400_000, default: 600_000 }),
};
