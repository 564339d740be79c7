import { readFile } from 'node:fs/promises';
import type { ConnectionLogger } from './websocket-connection.js';
import { NativeTransport } from './native-transport.js';
import type { PulsarTransport } from './transport.js';
import { WebSocketTransport } from './websocket-transport.js';

export type TransportKind = PulsarTransport['kind'];

export interface CreateTransportOptions {
  /** PULSAR_URL; see transportEndpoint for the schemes each kind takes. */
  readonly url: string;
  /** Defaults to what the URL's scheme implies. */
  readonly kind?: TransportKind;
  readonly token?: string | undefined;
  /** A file holding the token (a mounted Kubernetes secret); read once here. */
  readonly tokenFile?: string | undefined;
  readonly logger?: ConnectionLogger;
}

/**
 * Which adapter a URL calls for, and the endpoint it connects to:
 * - pulsar://host:6650, pulsar+ssl://host:6651 → native (the binary protocol port);
 * - ws://host:8080, wss://host:8443 → websocket;
 * - http://host:8080, https://host:8443 → websocket on ws:// / wss:// of the same host and port (the web service
 *   port serves both the admin API and /ws).
 * The WebSocket API is not served on the binary port, so kind "websocket" with a pulsar:// URL is an error, and
 * so is kind "native" with a web URL.
 */
export function transportEndpoint(url: string, kind?: TransportKind): { kind: TransportKind; url: string } {
  const parsed = new URL(url);
  const scheme = parsed.protocol.replace(/:$/, '');
  const implied: TransportKind = scheme === 'pulsar' || scheme === 'pulsar+ssl' ? 'native' : 'websocket';
  if (!['pulsar', 'pulsar+ssl', 'ws', 'wss', 'http', 'https'].includes(scheme)) {
    throw new Error(`PULSAR_URL scheme "${scheme}" is not one of pulsar, pulsar+ssl, ws, wss, http, https`);
  }
  if (kind !== undefined && kind !== implied) {
    throw new Error(
      `the ${kind} Pulsar transport cannot use ${scheme}:// (it needs ${kind === 'native' ? 'pulsar://' : 'ws:// or http://'})`,
    );
  }
  const base = url.replace(/\/+$/, '');
  if (scheme === 'http' || scheme === 'https') return { kind: implied, url: base.replace(/^http/, 'ws') };
  return { kind: implied, url: base };
}

export async function createTransport(options: CreateTransportOptions): Promise<PulsarTransport> {
  const endpoint = transportEndpoint(options.url, options.kind);
  const token = options.token ?? (options.tokenFile ? (await readFile(options.tokenFile, 'utf8')).trim() : undefined);
  if (endpoint.kind === 'native') return NativeTransport.connect({ url: endpoint.url, token });
  return new WebSocketTransport({ url: endpoint.url, token, logger: options.logger });
}
