/**
 * Disruption under load, on the cluster: a rolling `helm upgrade`, a payment-service pod killed without grace and
 * the node drained of order-service's pods. Clients retry with their idempotency keys, as real ones do; afterwards
 * the same SQL checks as `make chaos` hold: no acknowledged order lost, nobody charged twice, every order final.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from '@addispay/mysql';
import type { Pool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryingClients } from '../../bench/chaos/client.js';
import { lostOrders, moneyChecks, pendingOrders } from '../../bench/chaos/checks.js';
import {
  CHART,
  command,
  componentName,
  DEPS_NAMESPACE,
  eventually,
  helm,
  kubectl,
  kubectlJson,
  NAMESPACE,
  podsOf,
  portForward,
  RELEASE,
  type PortForward,
} from './bed.js';

const RATE_PER_S = 10;
const customer = `k8s-disruption-${randomUUID().slice(0, 8)}`;

describe('disruption under load', () => {
  let clients: RetryingClients;
  let mysqlForward: PortForward;
  let admin: Pool;
  let placing = true;
  let placed = 0;
  let loadDone: Promise<void>;

  beforeAll(async () => {
    // The order-service ClusterIP, reached from the node through kube-proxy: each new connection may land on
    // another pod, as a client inside the cluster sees it.
    const clusterIp = (
      await kubectl('-n', NAMESPACE, 'get', 'svc', componentName('order-service'), '-o', 'jsonpath={.spec.clusterIP}')
    ).trim();
    clients = new RetryingClients(customer, 3_000, 300_000);
    clients.connect(`${clusterIp}:50051`);
    loadDone = (async () => {
      while (placing) {
        clients.place(placed, `${customer}-${placed}`);
        placed++;
        await sleep(1_000 / RATE_PER_S);
      }
    })();
    mysqlForward = await portForward(DEPS_NAMESPACE, 'svc/mysql', 3306);
    const password = Buffer.from(
      (await kubectl('-n', DEPS_NAMESPACE, 'get', 'secret', 'mysql-root', '-o', 'jsonpath={.data.password}')).trim(),
      'base64',
    ).toString();
    admin = createPool(
      `mysql://root:${encodeURIComponent(password)}@127.0.0.1:${mysqlForward.localPort}/addispay_orders`,
    );
    await sleep(5_000);
  });

  afterAll(async () => {
    placing = false;
    await loadDone;
    await admin?.end();
    await mysqlForward?.close();
  });

  it('rolls every Deployment on a helm upgrade with a changed value, and no order fails', async () => {
    const before = await deploymentGenerations();
    await helm(
      'upgrade',
      RELEASE,
      CHART,
      '-n',
      NAMESPACE,
      '--reuse-values',
      '--set-string',
      `common.podAnnotations.addispay\\.io/rolled=${Date.now()}`,
      '--wait',
      '--timeout',
      '10m',
    );
    const after = await deploymentGenerations();
    for (const [name, generation] of Object.entries(before)) expect(after[name], name).toBeGreaterThan(generation);
    await sleep(3_000);
    // A call that lands on a pod while it shuts down may be refused (UNAVAILABLE) and is retried with its key: what
    // must not happen is an order that fails for good.
    console.info(`calls retried during the upgrade: ${JSON.stringify(clients.stats.errorCodes)}`);
    expect(clients.stats.abandoned).toBe(0);
    expect(Object.keys(clients.stats.errorCodes).filter((code) => code !== 'UNAVAILABLE')).toEqual([]);
  });

  it('keeps placing orders while a payment-service pod is deleted with --grace-period=0', async () => {
    const [victim] = await podsOf('payment-service');
    await kubectl('-n', NAMESPACE, 'delete', 'pod', victim!.metadata.name, '--grace-period=0', '--force');
    await kubectl(
      '-n',
      NAMESPACE,
      'rollout',
      'status',
      `deployment/${componentName('payment-service')}`,
      '--timeout=180s',
    );
    const acknowledgedBefore = clients.stats.acknowledged;
    await eventually('orders acknowledged after the kill', async () =>
      clients.stats.acknowledged > acknowledgedBefore + RATE_PER_S ? true : undefined,
    );
  });

  it('drains the node of order-service pods one at a time: the PodDisruptionBudget keeps one serving', async () => {
    const node = (await kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
    const replicas = (await podsOf('order-service')).length;
    expect(replicas).toBeGreaterThanOrEqual(2);
    await kubectl('cordon', node);
    try {
      // A single node: evicted pods cannot come back until it is uncordoned, so the budget must stop the drain.
      const drain = await command(
        'kubectl',
        [
          'drain',
          node,
          `--pod-selector=app.kubernetes.io/component=order-service`,
          '--ignore-daemonsets',
          '--delete-emptydir-data',
          '--timeout=40s',
        ],
        120_000,
      );
      expect(drain.code).not.toBe(0);
      expect(drain.stdout + drain.stderr).toMatch(/disruption budget/i);
      const serving = (await podsOf('order-service')).filter((pod) =>
        pod.status.containerStatuses?.every((state) => state.ready),
      );
      expect(serving.length).toBeGreaterThanOrEqual(1);
    } finally {
      await kubectl('uncordon', node);
    }
    await kubectl(
      '-n',
      NAMESPACE,
      'rollout',
      'status',
      `deployment/${componentName('order-service')}`,
      '--timeout=180s',
    );
  });

  it('lost no acknowledged order, charged nobody twice, and finished every order', async () => {
    placing = false;
    await loadDone;
    await clients.settle();
    expect(clients.stats.abandoned).toBe(0);
    expect(placed).toBeGreaterThan(100);

    await eventually(
      'every order final',
      async () => ((await pendingOrders(admin)).length === 0 ? true : undefined),
      180_000,
    );
    const lost = await lostOrders(admin, customer, clients.acknowledged.values());
    expect(lost).toEqual({ count: 0, examples: [] });
    const money = await moneyChecks(admin, 'addispay_orders', 'addispay_payments');
    expect(money.doubleCharged).toEqual({ count: 0, examples: [] });
    expect(money.orphanCharges).toEqual({ count: 0, examples: [] });
    expect(money.disagreements).toEqual({ count: 0, examples: [] });
    expect(clients.acknowledged.size).toBe(placed);
  });
});

async function deploymentGenerations(): Promise<Record<string, number>> {
  const list = await kubectlJson<{ items: { metadata: { name: string; generation: number } }[] }>(
    '-n',
    NAMESPACE,
    'get',
    'deployments',
    '-l',
    `app.kubernetes.io/instance=${RELEASE}`,
  );
  return Object.fromEntries(list.items.map((item) => [item.metadata.name, item.metadata.generation]));
}
