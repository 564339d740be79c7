/**
 * Applies packages/pulsar/topology.yaml to a Pulsar broker through its admin REST API, idempotently.
 * Usage: tsx scripts/pulsar-topology.ts [--admin-url http://127.0.0.1:8080] [--file path/to/topology.yaml]
 * PULSAR_ADMIN_URL and PULSAR_TOKEN (optional bearer token) are read from the environment too.
 */
import { parseArgs } from 'node:util';
import { applyTopology } from '../packages/pulsar/src/topology-admin.js';
import { loadTopology } from '../packages/pulsar/src/topology.js';

const { values } = parseArgs({
  options: {
    'admin-url': { type: 'string', default: process.env.PULSAR_ADMIN_URL ?? 'http://127.0.0.1:8080' },
    file: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log('Usage: tsx scripts/pulsar-topology.ts [--admin-url URL] [--file topology.yaml]');
  process.exit(0);
}

try {
  const topology = loadTopology(values.file ? { path: values.file } : {});
  const adminUrl = values['admin-url'];
  const report = await applyTopology(topology, { adminUrl, token: process.env.PULSAR_TOKEN });
  console.error(
    `[pulsar-topology] ${topology.namespace.name} on ${adminUrl}: ` +
      `${report.created.length} created, ${report.existing.length} already there`,
  );
  for (const item of report.created) console.error(`[pulsar-topology]   created ${item}`);
} catch (error) {
  console.error(`[pulsar-topology] error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
