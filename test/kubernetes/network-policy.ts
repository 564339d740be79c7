/**
 * The NetworkPolicies, enforced by a real enforcer (kube-router's firewall): only labelled clients reach the gRPC
 * API, the services reach their dependencies and nothing else, and Prometheus scrapes from its own namespace.
 * Every probe targets the bed's own pods and ports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, componentName, DEPS_NAMESPACE, NAMESPACE, podsOf, RELEASE } from './bed.js';
import { listener, probe } from './probe-pods.js';

const GRPC_PORT = 50051;
const METRICS_PORT = 9464;
const UNLISTED_PORT = 7777;
const MONITORING_NAMESPACE = 'monitoring';
const orderService = `${componentName('order-service')}.${NAMESPACE}.svc.cluster.local:${GRPC_PORT}`;

/**
 * Tries `attempt` once a second for `seconds`; exits 0 at the first success. A new pod may be refused for a
 * moment, until the enforcer knows its address, so "allowed" means "within the window" and "refused" means
 * "never within it".
 */
function retrying(attempt: string, seconds = 20): string {
  return `for i in $(seq 1 ${seconds}); do ${attempt} && exit 0; sleep 1; done; exit 1`;
}
const reachOrderService = retrying(`grpcurl -plaintext -max-time 2 ${orderService} list`);

describe('NetworkPolicies on the bed', () => {
  let target: { ip: string; remove(): Promise<void> };

  beforeAll(async () => {
    await command('kubectl', ['create', 'namespace', MONITORING_NAMESPACE]); // AlreadyExists on a rerun is fine
    target = await listener(DEPS_NAMESPACE, UNLISTED_PORT);
  });
  afterAll(async () => {
    await target?.remove();
  });

  it('lets a pod labelled as a client of the release call order-service', async () => {
    const labels = { 'app.kubernetes.io/instance': RELEASE, 'addispay.io/role': 'client' };
    const result = await probe({ namespace: NAMESPACE, labels, script: reachOrderService });
    expect(result.logs).toContain('addispay.order.v1.OrderService');
    expect(result.exitCode).toBe(0);
  });

  it('refuses a pod without the client label, in the release namespace or another', async () => {
    for (const namespace of [NAMESPACE, DEPS_NAMESPACE]) {
      const result = await probe({ namespace, script: reachOrderService });
      expect({ namespace, exitCode: result.exitCode }).not.toEqual({ namespace, exitCode: 0 });
      expect(result.logs).not.toContain('addispay.order.v1.OrderService');
    }
  });

  it('keeps the services from reaching a port their policy does not list, which an unpoliced pod reaches', async () => {
    const fetch = retrying(`timeout 3 wget -q -O - http://${target.ip}:${UNLISTED_PORT}/`);
    const control = await probe({ namespace: DEPS_NAMESPACE, script: fetch });
    expect(control.logs).toContain('listening');

    for (const service of ['order-service', 'payment-service', 'logger-service']) {
      const [pod] = await podsOf(service);
      const attempt = await command('kubectl', [
        '-n',
        NAMESPACE,
        'exec',
        pod!.metadata.name,
        '--',
        'node',
        '-e',
        `const s = require('net').connect(${UNLISTED_PORT}, '${target.ip}', () => { console.log('connected'); process.exit(0); });
         s.on('error', (e) => { console.log(e.code); process.exit(3); }); setTimeout(() => { console.log('timeout'); process.exit(4); }, 5000);`,
      ]);
      expect({ service, out: attempt.stdout.trim() }).not.toEqual({ service, out: 'connected' });
      expect(attempt.code).not.toBe(0);
    }
  });

  it('lets Prometheus scrape /metrics from the monitoring namespace, and no one else', async () => {
    const [pod] = await podsOf('order-service');
    const scrape = retrying(`timeout 3 wget -q -O - http://${pod!.status.podIP}:${METRICS_PORT}/metrics`);
    const fromMonitoring = await probe({ namespace: MONITORING_NAMESPACE, script: scrape });
    expect(fromMonitoring.logs).toMatch(/^# HELP /m);
    expect(fromMonitoring.exitCode).toBe(0);

    const fromElsewhere = await probe({ namespace: DEPS_NAMESPACE, script: scrape });
    expect(fromElsewhere.exitCode).not.toBe(0);
  });
});
