import { loadConfig, serviceSettings } from '@addispay/runtime';
import { describe, expect, it } from 'vitest';
import { openFoundation } from './index.js';

// Nothing listens on port 1 of loopback: Pulsar and MySQL are both unreachable, as while KAAP or a cluster starts.
const config = loadConfig(serviceSettings, {
  MYSQL_DSN: 'mysql://order_service:secret@127.0.0.1:1/addispay_orders',
  PULSAR_URL: 'ws://127.0.0.1:1',
  METRICS_PORT: '0',
  LOG_LEVEL: 'fatal',
});

describe('openFoundation', () => {
  it('answers /livez while Pulsar and MySQL are unreachable, and /readyz only when ready and MySQL answers', async () => {
    const foundation = await openFoundation('order-service', config);
    try {
      const status = (path: string) =>
        fetch(`http://127.0.0.1:${foundation.opsPort}${path}`).then((response) => response.status);
      expect(await status('/livez')).toBe(200);
      expect(await status('/readyz')).toBe(503);
      foundation.markReady();
      expect(await status('/readyz')).toBe(503); // MySQL does not answer
      expect(await status('/livez')).toBe(200);
    } finally {
      await foundation.close();
    }
  });
});
