/**
 * Entry point of the chart's topology hook Job: node packages/pulsar/dist/apply-topology.js --help.
 * Locally, scripts/pulsar-topology.ts runs the same command.
 */
import { runTopologyCommand } from './topology-cli.js';

process.exitCode = await runTopologyCommand(process.argv.slice(2), process.env);
