#!/bin/sh
# scripts/images.sh smoke, in the grpcurl image (busybox sh): the chart's helm test (templates/tests/place-order.yaml)
# against TARGET: place an order, follow it with WatchOrder until its status is final, pass when it is ORDER_STATUS_PAID.
call() { grpcurl -plaintext -import-path /work/proto -proto addispay/order/v1/order_service.proto "$@"; }
key="smoke-$(date +%s)-$$"
placed=$(call -max-time 30 -d "{\"idempotencyKey\":\"$key\",\"customerId\":\"smoke\",\"currency\":\"USD\",\"items\":[{\"sku\":\"SMOKE\",\"quantity\":1,\"unitPriceMinor\":\"1500\"}],\"paymentMethodToken\":\"tok_smoke\"}" "$TARGET" addispay.order.v1.OrderService/PlaceOrder)
echo "$placed"
id=$(echo "$placed" | sed -n 's/.*"orderId": *"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$id" ] || { echo "FAIL: PlaceOrder returned no orderId"; exit 1; }
final=$(call -max-time 60 -d "{\"orderId\":\"$id\"}" "$TARGET" addispay.order.v1.OrderService/WatchOrder | sed -n 's/.*"status": *"\([A-Z_]*\)".*/\1/p' | tail -n 1)
echo "order $id final status: ${final:-none}"
[ "$final" = ORDER_STATUS_PAID ] || { echo "FAIL: expected ORDER_STATUS_PAID"; exit 1; }
echo PASS
