-- Events written in the same transaction as the state they describe; the outbox relay publishes and deletes them.
CREATE TABLE outbox (
  id BIGINT NOT NULL AUTO_INCREMENT,
  topic VARCHAR(64) NOT NULL,
  message_key VARCHAR(64) NOT NULL,
  payload VARBINARY(16384) NOT NULL,
  properties TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
