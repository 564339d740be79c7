import { describe, expect, it } from 'vitest';
import { ConfigError, env, loadConfig } from './config.js';

const settings = {
  grpcPort: env.port('GRPC_PORT', 50051),
  mysqlDsn: env.url('MYSQL_DSN', ['mysql']),
  transport: env.oneOf('PULSAR_TRANSPORT', ['websocket', 'native'] as const, 'websocket'),
  failureRate: env.number('PAYMENT_FAILURE_RATE', { min: 0, max: 1, default: 0 }),
  logFile: env.optionalString('LOG_FILE'),
};

describe('loadConfig', () => {
  it('applies defaults and parses values into types', () => {
    const config = loadConfig(settings, { MYSQL_DSN: 'mysql://u:p@127.0.0.1:3307/db', PAYMENT_FAILURE_RATE: '0.25' });
    expect(config.grpcPort).toBe(50051);
    expect(config.mysqlDsn.hostname).toBe('127.0.0.1');
    expect(config.transport).toBe('websocket');
    expect(config.failureRate).toBe(0.25);
    expect(config.logFile).toBeUndefined();
  });

  it('reports every problem at once, naming each variable, without echoing secrets', () => {
    const attempt = () =>
      loadConfig(settings, { GRPC_PORT: '99999', MYSQL_DSN: 'postgres://u:secret@h/db', PULSAR_TRANSPORT: 'tcp' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { problems, message } = error as ConfigError;
      expect(problems).toEqual([
        'GRPC_PORT must be a whole number from 0 to 65535 (got "99999")',
        'MYSQL_DSN must be a URL starting with mysql:// (got "<redacted>")',
        'PULSAR_TRANSPORT must be one of websocket, native (got "tcp")',
      ]);
      expect(message).not.toContain('secret');
    }
  });

  it('says when a required variable is missing', () => {
    expect(() => loadConfig(settings, {})).toThrow(/MYSQL_DSN is required/);
  });
});
