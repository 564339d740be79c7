import { loggerV1, orderV1 } from '@addispay/api';
import { createRpcClientFactory, type DeadlineOptions } from '@addispay/rpc';
import { createChannel, type Channel, type Client } from 'nice-grpc';

const clients = createRpcClientFactory();

export type OrderClient = Client<orderV1.OrderServiceDefinition, DeadlineOptions>;
export type LoggerClient = Client<loggerV1.LoggerServiceDefinition, DeadlineOptions>;

export function orderClient(address: string): { client: OrderClient; channel: Channel } {
  const channel = createChannel(address);
  return { client: clients.create(orderV1.OrderServiceDefinition, channel), channel };
}

export function loggerClient(address: string): { client: LoggerClient; channel: Channel } {
  const channel = createChannel(address);
  return { client: clients.create(loggerV1.LoggerServiceDefinition, channel), channel };
}
