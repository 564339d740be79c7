import { orderV1 } from '@addispay/api';
import type { OrderStatus } from '@addispay/domain';

/** The one mapping between the domain's order statuses and the proto enum, used by the API and the events. */
const PROTO_BY_STATUS: Readonly<Record<OrderStatus, orderV1.OrderStatus>> = {
  PENDING: orderV1.OrderStatus.ORDER_STATUS_PENDING,
  PAID: orderV1.OrderStatus.ORDER_STATUS_PAID,
  DECLINED: orderV1.OrderStatus.ORDER_STATUS_DECLINED,
  FAILED: orderV1.OrderStatus.ORDER_STATUS_FAILED,
  CANCELLED: orderV1.OrderStatus.ORDER_STATUS_CANCELLED,
};

const STATUS_BY_PROTO: ReadonlyMap<number, OrderStatus> = new Map(
  Object.entries(PROTO_BY_STATUS).map(([status, proto]) => [proto, status as OrderStatus]),
);

export function statusToProto(status: OrderStatus): orderV1.OrderStatus {
  return PROTO_BY_STATUS[status];
}

/** Undefined for UNSPECIFIED and for numbers outside the enum. */
export function statusFromProto(status: number): OrderStatus | undefined {
  return STATUS_BY_PROTO.get(status);
}
