import { readFileSync } from 'node:fs';
import type { Logger } from '@addispay/telemetry';
import { ServerCredentials } from '@grpc/grpc-js';
import { createServer, type Server, type ServiceImplementation } from 'nice-grpc';
import type { TsProtoServiceDefinition } from 'nice-grpc/lib/service-definitions/ts-proto.js';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { exposeDeadline } from './deadline.js';
import { unexpectedErrorMiddleware } from './errors.js';
import {
  callTimeLimitMiddleware,
  inFlightLimitMiddleware,
  rateLimitMiddleware,
  type CallTimeLimits,
  type InFlightLimit,
  type RateLimit,
} from './limits.js';
import { rpcMetricsMiddleware } from './metrics.js';
import { refuseUndecodableMiddleware, withTotalDecoders } from './undecodable.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** When set, clients must present a certificate signed by this CA (mutual TLS). */
  readonly clientCaFile?: string | undefined;
}

export interface RpcServerOptions {
  readonly logger: Logger;
  /** Protobuf-encoded FileDescriptorSet for server reflection. */
  readonly descriptorSet: Uint8Array;
  /** Fully qualified names of the services to expose by reflection. */
  readonly serviceNames: readonly string[];
  readonly maxReceiveMessageBytes?: number;
  /** Longest a unary call or a server stream may run, whatever deadline the caller set (or did not). */
  readonly callTimeLimits?: CallTimeLimits;
  /** Per-client token buckets on chosen methods (see limits.ts). */
  readonly rateLimits?: readonly RateLimit[];
  /** Admission control on chosen methods (see limits.ts). */
  readonly inFlightLimits?: readonly InFlightLimit[];
}

export const DEFAULT_CALL_TIME_LIMITS: CallTimeLimits = { maxUnaryMs: 30_000, maxStreamMs: 600_000 };

export interface RpcServer {
  readonly server: Server;
  readonly health: HealthState;
  listen(port: number, tls?: TlsFiles): Promise<number>;
  /** Adds a service whose request bodies that do not decode are refused with INVALID_ARGUMENT, not INTERNAL. */
  add<S extends TsProtoServiceDefinition>(definition: S, implementation: ServiceImplementation<S>): void;
}

/** A nice-grpc server with what every service of ours serves beside its API: health, reflection, error details. */
export function createRpcServer(options: RpcServerOptions): RpcServer {
  const server = createServer({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 256 * 1024,
    'grpc.keepalive_time_ms': 60_000,
    interceptors: [exposeDeadline],
  })
    // Outermost, so it sees the status code the caller gets.
    .use(rpcMetricsMiddleware)
    .use(errorDetailsServerMiddleware)
    .use(unexpectedErrorMiddleware(options.logger))
    .use(refuseUndecodableMiddleware)
    .use(rateLimitMiddleware(options.rateLimits ?? []))
    .use(inFlightLimitMiddleware(options.inFlightLimits ?? []))
    .use(callTimeLimitMiddleware(options.callTimeLimits ?? DEFAULT_CALL_TIME_LIMITS));
  const health = HealthState();
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(ServerReflectionService, ServerReflection(options.descriptorSet, options.serviceNames));
  return {
    server,
    health,
    listen: (port, tls) => server.listen(`0.0.0.0:${port}`, credentialsFor(tls)),
    add: (definition, implementation) => server.add(withTotalDecoders(definition), implementation),
  };
}

/** For the start-up log line: which of plaintext, TLS or mutual TLS the server speaks. */
export function tlsMode(tls: TlsFiles | undefined): 'plaintext' | 'tls' | 'mutual-tls' {
  if (!tls) return 'plaintext';
  return tls.clientCaFile ? 'mutual-tls' : 'tls';
}

function credentialsFor(tls: TlsFiles | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const rootCerts = tls.clientCaFile ? readFileSync(tls.clientCaFile) : null;
  return ServerCredentials.createSsl(
    rootCerts,
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    rootCerts !== null,
  );
}
