import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteTopics } from '../src/topology-admin.js';
import { applyTopologyWaiting } from '../src/topology-cli.js';
import { loadTopology } from '../src/topology.js';
import { adminUrl } from './support.js';

const topology = loadTopology({ topicSuffix: `-cli-${randomUUID().slice(0, 8)}` });
const topics = [...topology.topics.map((topic) => topic.fullName), ...topology.deadLetterTopics];

async function subscriptionsOf(topic: string): Promise<string[]> {
  const path = topic.replace('persistent://', 'persistent/');
  const response = await fetch(`${adminUrl()}/admin/v2/${path}/subscriptions`);
  expect(response.status).toBe(200);
  return (await response.json()) as string[];
}

describe('the topology command against a broker', () => {
  afterAll(() => deleteTopics(topics, { adminUrl: adminUrl() }));

  it('creates every topic and subscription, dlq-review on each dead-letter topic, and is idempotent', async () => {
    const command = { topology, options: { adminUrl: adminUrl() }, waitSeconds: 0 };
    const first = await applyTopologyWaiting(command);
    expect(first.created).toEqual(expect.arrayContaining(topics.map((topic) => `topic ${topic}`)));
    for (const dlq of topology.deadLetterTopics) expect(await subscriptionsOf(dlq)).toEqual(['dlq-review']);
    expect(await subscriptionsOf(topology.topic('orders').fullName)).toEqual(['payment-service']);

    const again = await applyTopologyWaiting(command);
    expect(again.created).toEqual([]);
  });

  it('with --subscriptions-only, creates subscriptions on topics made by someone else (the operator)', async () => {
    const dlq = topology.deadLetterTopics[0]!;
    await fetch(`${adminUrl()}/admin/v2/${dlq.replace('persistent://', 'persistent/')}/subscription/dlq-review`, {
      method: 'DELETE',
    });
    const report = await applyTopologyWaiting({
      topology,
      options: { adminUrl: adminUrl(), subscriptionsOnly: true },
      waitSeconds: 0,
    });
    expect(report.created).toEqual([`subscription ${dlq}/dlq-review`]);
    expect(await subscriptionsOf(dlq)).toEqual(['dlq-review']);
  });

  it("runs as the entry point the chart's Job runs (its source here, dist/ in the image), answering --help", () => {
    const entry = fileURLToPath(new URL('../src/apply-topology.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const run = spawnSync(tsx, [entry, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--subscriptions-only');
  });
});
