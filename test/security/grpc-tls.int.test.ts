import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loggerV1, orderV1 } from '@addispay/api';
import { createRpcClientFactory } from '@addispay/rpc';
import { repositoryRoot } from '@addispay/testkit';
import { ChannelCredentials, createChannel, Status, type Channel } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates, startSecurityPlatform, type Certificates, type SecurityPlatform } from './support.js';

const clients = createRpcClientFactory();
const channels: Channel[] = [];
let certificates: Certificates;
let running: SecurityPlatform;

function credentials(withClientCertificate: 'own' | 'stranger' | 'none'): ChannelCredentials {
  const ca = readFileSync(certificates.caCert);
  if (withClientCertificate === 'none') return ChannelCredentials.createSsl(ca);
  const [cert, key] =
    withClientCertificate === 'own'
      ? [certificates.clientCert, certificates.clientKey]
      : [certificates.strangerCert, certificates.strangerKey];
  return ChannelCredentials.createSsl(ca, readFileSync(key), readFileSync(cert));
}

function orderClient(credentialsOrPlain: ChannelCredentials | 'plaintext') {
  const address = running.platform.orderServices[0]!.grpcAddress;
  const channel =
    credentialsOrPlain === 'plaintext' ? createChannel(address) : createChannel(address, credentialsOrPlain);
  channels.push(channel);
  return clients.create(orderV1.OrderServiceDefinition, channel);
}

function loggerClient(credentialsOrPlain: ChannelCredentials | 'plaintext') {
  const address = running.loggerService.grpcAddress;
  const channel =
    credentialsOrPlain === 'plaintext' ? createChannel(address) : createChannel(address, credentialsOrPlain);
  channels.push(channel);
  return clients.create(loggerV1.LoggerServiceDefinition, channel);
}

/** The status code a call ended with; OK when it succeeded. */
async function statusOf(call: Promise<unknown>): Promise<Status> {
  try {
    await call;
    return Status.OK;
  } catch (error) {
    return (error as { code?: Status }).code ?? Status.UNKNOWN;
  }
}

beforeAll(async () => {
  certificates = makeCertificates();
  const serverTls = { GRPC_TLS_CERT_FILE: certificates.serverCert, GRPC_TLS_KEY_FILE: certificates.serverKey };
  running = await startSecurityPlatform({
    order: { ...serverTls, GRPC_TLS_CLIENT_CA_FILE: certificates.caCert },
    logger: serverTls,
  });
});

afterAll(async () => {
  channels.forEach((channel) => channel.close());
  await running?.close();
  certificates?.remove();
});

describe('gRPC over mutual TLS (order-service)', () => {
  const deadline = () => ({ deadline: 5_000 });

  it('answers a client that presents a certificate signed by the trusted CA', async () => {
    const call = orderClient(credentials('own')).getOrder({ orderId: randomUUID() }, deadline());
    expect(await statusOf(call)).toBe(Status.NOT_FOUND);
  });

  it('refuses a client without a certificate, one signed by another CA, and a plaintext client', async () => {
    expect(await statusOf(orderClient(credentials('none')).getOrder({ orderId: randomUUID() }, deadline()))).toBe(
      Status.UNAVAILABLE,
    );
    expect(await statusOf(orderClient(credentials('stranger')).getOrder({ orderId: randomUUID() }, deadline()))).toBe(
      Status.UNAVAILABLE,
    );
    expect(await statusOf(orderClient('plaintext').getOrder({ orderId: randomUUID() }, deadline()))).toBe(
      Status.UNAVAILABLE,
    );
  });

  it('serves the CLI given --tls-ca, --tls-cert and --tls-key', async () => {
    const cli = (...tls: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          '--conditions=development',
          '--import',
          'tsx',
          join(repositoryRoot(), 'apps/cli/src/main.ts'),
          'get',
          randomUUID(),
          ...tls,
        ],
        { env: { ...process.env, ORDER_ADDR: running.platform.orderServices[0]!.grpcAddress } },
      ).then(
        () => 'ok',
        (error: { stderr: string }) => error.stderr,
      );
    const withCertificate = await cli(
      '--tls-ca',
      certificates.caCert,
      '--tls-cert',
      certificates.clientCert,
      '--tls-key',
      certificates.clientKey,
    );
    expect(withCertificate).toMatch(/NOT_FOUND/);
    expect(await cli('--tls-ca', certificates.caCert)).toMatch(/UNAVAILABLE/);
  });
});

describe('gRPC over TLS (logger-service)', () => {
  it('answers a TLS client and refuses a plaintext one', async () => {
    const deadline = { deadline: 5_000 };
    expect(await statusOf(loggerClient(credentials('none')).queryLogs({ orderId: randomUUID() }, deadline))).toBe(
      Status.OK,
    );
    expect(await statusOf(loggerClient('plaintext').queryLogs({ orderId: randomUUID() }, deadline))).toBe(
      Status.UNAVAILABLE,
    );
  });
});
