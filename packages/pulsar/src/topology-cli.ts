/**
 * The one way to apply packages/pulsar/topology.yaml to a broker: `scripts/pulsar-topology.ts` locally, and the
 * chart's topology hook Job in Kubernetes (`node packages/pulsar/dist/apply-topology.js`, from the service image).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { backoffDelay, sleep } from '@addispay/runtime';
import { applyTopology, PulsarAdminError, type ApplyOptions, type ApplyReport } from './topology-admin.js';
import { loadTopology, type Topology } from './topology.js';

export const TOPOLOGY_USAGE = `Usage: apply-topology [--admin-url URL] [--file topology.yaml] [--allowed-clusters a,b]
                      [--subscriptions-only] [--wait-seconds N]
  --admin-url           the broker's admin REST API (default: $PULSAR_ADMIN_URL or http://127.0.0.1:8080)
  --file                the topology (default: packages/pulsar/topology.yaml)
  --allowed-clusters    clusters the tenant may use, instead of the file's (default: $PULSAR_ALLOWED_CLUSTERS)
  --subscriptions-only  create only the subscriptions (tenant, namespace and topics come from elsewhere)
  --wait-seconds        keep retrying this long while the broker is unreachable, starting or the topics are
                        not there yet (default: $PULSAR_ADMIN_WAIT_SECONDS or 0)
A bearer token is read from $PULSAR_TOKEN, or from the file named by $PULSAR_TOKEN_FILE.`;

export interface TopologyCommand {
  readonly topology: Topology;
  readonly options: ApplyOptions;
  readonly waitSeconds: number;
}

/** Reads the command line and environment; throws an Error naming what is wrong. */
export async function parseTopologyCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<TopologyCommand | 'help'> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'admin-url': { type: 'string', default: env.PULSAR_ADMIN_URL || 'http://127.0.0.1:8080' },
      file: { type: 'string' },
      'allowed-clusters': { type: 'string', default: env.PULSAR_ALLOWED_CLUSTERS ?? '' },
      'subscriptions-only': { type: 'boolean', default: false },
      'wait-seconds': { type: 'string', default: env.PULSAR_ADMIN_WAIT_SECONDS || '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const waitSeconds = Number(values['wait-seconds']);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0) {
    throw new Error(`--wait-seconds must be a whole number of seconds, got "${values['wait-seconds']}"`);
  }
  const allowedClusters = values['allowed-clusters']
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const token =
    env.PULSAR_TOKEN || (env.PULSAR_TOKEN_FILE ? (await readFile(env.PULSAR_TOKEN_FILE, 'utf8')).trim() : '');
  return {
    topology: loadTopology(values.file ? { path: values.file } : {}),
    options: {
      adminUrl: values['admin-url'],
      token: token || undefined,
      allowedClusters: allowedClusters.length > 0 ? allowedClusters : undefined,
      subscriptionsOnly: values['subscriptions-only'],
    },
    waitSeconds,
  };
}

/** Worth another try while waiting: the broker unreachable or starting (5xx), a topic not created yet (404). */
function isTransient(error: unknown): boolean {
  if (error instanceof PulsarAdminError) return error.status === 404 || error.status >= 500;
  return error instanceof TypeError || (error instanceof Error && error.name === 'TimeoutError');
}

/** Applies the topology, retrying transient failures until `waitSeconds` have passed. */
export async function applyTopologyWaiting(
  command: TopologyCommand,
  onRetry: (error: unknown, attempt: number) => void = () => undefined,
): Promise<ApplyReport> {
  const deadline = Date.now() + command.waitSeconds * 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await applyTopology(command.topology, command.options);
    } catch (error) {
      if (!isTransient(error) || Date.now() >= deadline) throw error;
      onRetry(error, attempt);
      await sleep(Math.min(backoffDelay(attempt, { initialMs: 500, maxMs: 5_000 }), deadline - Date.now()));
    }
  }
}

/** The whole command: parse, apply, report on stderr. Resolves to the exit code. */
export async function runTopologyCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const say = (line: string) => console.error(`[pulsar-topology] ${line}`);
  try {
    const command = await parseTopologyCommand(argv, env);
    if (command === 'help') {
      console.log(TOPOLOGY_USAGE);
      return 0;
    }
    const { topology, options } = command;
    const report = await applyTopologyWaiting(command, (error, attempt) =>
      say(`not yet (attempt ${attempt + 1}): ${error instanceof Error ? error.message : String(error)}`),
    );
    say(
      `${topology.namespace.name} on ${options.adminUrl}${options.subscriptionsOnly ? ' (subscriptions only)' : ''}: ` +
        `${report.created.length} created, ${report.existing.length} already there`,
    );
    for (const item of report.created) say(`  created ${item}`);
    return 0;
  } catch (error) {
    say(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
