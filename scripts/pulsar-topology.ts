/**
 * Applies packages/pulsar/topology.yaml to a Pulsar broker through its admin REST API, idempotently: the command
 * of packages/pulsar (the chart's topology Job runs the same one from the service image).
 * Usage: tsx scripts/pulsar-topology.ts [--admin-url http://127.0.0.1:8080] [--file path/to/topology.yaml] [--help]
 */
import { runTopologyCommand } from '../packages/pulsar/src/topology-cli.js';

process.exitCode = await runTopologyCommand(process.argv.slice(2), process.env);
