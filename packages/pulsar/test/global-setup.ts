/**
 * vitest globalSetup: makes sure the local Pulsar broker is running (scripts/pulsar.sh start is idempotent and
 * applies the topology) and tells the test workers where it is. With PULSAR_ADMIN_URL already set (an external
 * broker) it starts nothing. The broker is left running: the next run reuses it.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.PULSAR_ADMIN_URL === undefined) {
    const script = fileURLToPath(new URL('../../../scripts/pulsar.sh', import.meta.url));
    execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const webPort = process.env.PULSAR_WEB_PORT ?? '8080';
  process.env.PULSAR_ADMIN_URL ??= `http://127.0.0.1:${webPort}`;
  process.env.PULSAR_WEBSOCKET_URL ??= `ws://127.0.0.1:${webPort}`;
  process.env.PULSAR_NATIVE_URL ??= `pulsar://127.0.0.1:${process.env.PULSAR_BROKER_PORT ?? '6650'}`;
}
