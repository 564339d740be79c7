-- One row per order, ever: the unique order_id is what makes a second charge impossible.
CREATE TABLE transactions (
  transaction_id CHAR(36) NOT NULL,
  order_id CHAR(36) NOT NULL,
  customer_id VARCHAR(128) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (transaction_id),
  UNIQUE KEY uq_transactions_order (order_id),
  KEY ix_transactions_status_created (status, created_at),
  CONSTRAINT ck_transactions_amount CHECK (amount_minor > 0),
  CONSTRAINT ck_transactions_status CHECK (status IN ('APPROVED', 'DECLINED', 'FAILED', 'VOIDED', 'REFUNDED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
