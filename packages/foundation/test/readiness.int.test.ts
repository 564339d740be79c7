import { loadConfig, serviceSettings } from '@addispay/runtime';
import { describe, expect, it } from 'vitest';
import { openFoundation } from '../src/index.js';

const brokerUrl = process.env['PULSAR_WEBSOCKET_URL'] || `ws://127.0.0.1:${process.env['PULSAR_WEB_PORT'] ?? '8080'}`;

describe('readiness against the real MariaDB and Pulsar', () => {
  it('answers /readyz 200 once marked ready while MySQL answers, and /livez throughout', async () => {
    const config = loadConfig(serviceSettings, {
      MYSQL_DSN: process.env['ORDER_MYSQL_DSN'],
      PULSAR_URL: brokerUrl,
      METRICS_PORT: '0',
      LOG_LEVEL: 'fatal',
    });
    const foundation = await openFoundation('order-service', config);
    try {
      const status = (path: string) =>
        fetch(`http://127.0.0.1:${foundation.opsPort}${path}`).then((response) => response.status);
      expect(await status('/readyz')).toBe(503);
      foundation.markReady();
      expect(await status('/readyz')).toBe(200);
      expect(await status('/livez')).toBe(200);
      foundation.drain();
      expect(await status('/readyz')).toBe(503);
    } finally {
      await foundation.close();
    }
  });
});
