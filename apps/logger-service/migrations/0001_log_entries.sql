-- Every service's log lines, shipped through the `logs` topic. entry_id makes storing idempotent on redelivery;
-- the indexes serve QueryLogs (by order, trace, service or level, in time order) and the retention sweep.
CREATE TABLE log_entries (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  entry_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  logged_at DATETIME(3) NOT NULL,
  service VARCHAR(64) NOT NULL,
  level TINYINT UNSIGNED NOT NULL,
  message TEXT NOT NULL,
  trace_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  span_id VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  order_id VARCHAR(64) NOT NULL DEFAULT '',
  attributes_json TEXT NOT NULL,
  stored_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_log_entries_entry_id (entry_id),
  KEY ix_log_entries_time (logged_at),
  KEY ix_log_entries_service_time (service, logged_at),
  KEY ix_log_entries_level_time (level, logged_at),
  KEY ix_log_entries_trace_time (trace_id, logged_at),
  KEY ix_log_entries_order_time (order_id, logged_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
