import { randomBytes } from 'node:crypto';
import { applyTopology, loadTopology, type Topology } from '@addispay/pulsar';

export const PULSAR_ADMIN_URL =
  process.env['PULSAR_ADMIN_URL'] ?? `http://127.0.0.1:${process.env['PULSAR_WEB_PORT'] ?? '8080'}`;
export const PULSAR_WS_URL = PULSAR_ADMIN_URL.replace(/^http/, 'ws');

/** The platform's topology with every topic renamed for one suite, applied to the local broker. */
export async function createTestTopics(adminUrl = PULSAR_ADMIN_URL): Promise<{ topology: Topology; suffix: string }> {
  const suffix = `-t${randomBytes(4).toString('hex')}`;
  const topology = loadTopology({ topicSuffix: suffix });
  await applyTopology(topology, { adminUrl });
  return { topology, suffix };
}
