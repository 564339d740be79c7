import { loggerV1, orderV1 } from '@addispay/api';
import { createRpcClientFactory, type DeadlineOptions } from '@addispay/rpc';
import { readFileSync } from 'node:fs';
import { ChannelCredentials, createChannel, type Channel, type Client } from 'nice-grpc';

const clients = createRpcClientFactory();

export type OrderClient = Client<orderV1.OrderServiceDefinition, DeadlineOptions>;
export type LoggerClient = Client<loggerV1.LoggerServiceDefinition, DeadlineOptions>;

/** PEM files for TLS: the CA that signed the server's certificate (system roots when unset), and for mutual TLS
 * the client's own certificate and key. */
export interface ClientTls {
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
}

function channelTo(address: string, tls: ClientTls | undefined): Channel {
  if (!tls) return createChannel(address);
  const read = (file: string | undefined): Buffer | null => (file ? readFileSync(file) : null);
  return createChannel(address, ChannelCredentials.createSsl(read(tls.caFile), read(tls.keyFile), read(tls.certFile)));
}

export function orderClient(address: string, tls?: ClientTls): { client: OrderClient; channel: Channel } {
  const channel = channelTo(address, tls);
  return { client: clients.create(orderV1.OrderServiceDefinition, channel), channel };
}

export function loggerClient(address: string, tls?: ClientTls): { client: LoggerClient; channel: Channel } {
  const channel = channelTo(address, tls);
  return { client: clients.create(loggerV1.LoggerServiceDefinition, channel), channel };
}
