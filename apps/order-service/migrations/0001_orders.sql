-- Orders and their line items. Money is BIGINT minor units with an ISO 4217 code; times are UTC.
CREATE TABLE orders (
  order_id CHAR(36) NOT NULL,
  customer_id VARCHAR(128) NOT NULL,
  idempotency_key VARCHAR(128) NOT NULL,
  -- sha256 of the request's content: the same key with other content is refused.
  request_fingerprint CHAR(64) NOT NULL,
  currency CHAR(3) NOT NULL,
  total_minor BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  status_reason VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (order_id),
  UNIQUE KEY uq_orders_customer_idempotency (customer_id, idempotency_key),
  KEY ix_orders_customer_created (customer_id, created_at, order_id),
  KEY ix_orders_status_created (status, created_at),
  CONSTRAINT ck_orders_total CHECK (total_minor > 0),
  CONSTRAINT ck_orders_status CHECK (status IN ('PENDING', 'PAID', 'DECLINED', 'FAILED', 'CANCELLED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE order_items (
  order_id CHAR(36) NOT NULL,
  line_number SMALLINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  quantity INT NOT NULL,
  unit_price_minor BIGINT NOT NULL,
  PRIMARY KEY (order_id, line_number),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (order_id),
  CONSTRAINT ck_order_items_quantity CHECK (quantity > 0),
  CONSTRAINT ck_order_items_price CHECK (unit_price_minor > 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
