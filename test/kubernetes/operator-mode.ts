/**
 * The chart's operator mode (KAAP's PulsarCluster, the MySQL Operator's InnoDBCluster, the pulsar-resources-operator's
 * topology, prometheus-operator's monitors), which cannot run here because the operators' images cannot be pulled:
 * with the operators' CRDs installed, the real API server validates every object of a kind install in a server-side
 * dry run. The CRDs are removed afterwards, so the bed's own install never depends on them.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART, command, kubectl, must, ROOT } from './bed.js';

const NAMESPACE = 'addispay-operator-mode';
const IMAGES = ['--set', 'image.registry=registry.example/addispay'];
// helm template asks no cluster: it is told which of the operators' APIs the cluster serves, as on a kind install.
const OPERATOR_APIS = [
  '--kube-version',
  '1.34.4',
  '--api-versions',
  'resource.streamnative.io/v1alpha1',
  '--api-versions',
  'monitoring.coreos.com/v1',
];

/** The same CRDs charts-test.sh validates against: the offline mirror, or the copy it fetched. */
function crdDirectory(): string {
  const candidates = [
    process.env['K8S_SCHEMAS_DIR'] && join(process.env['K8S_SCHEMAS_DIR'], 'crds'),
    join(ROOT, '..', 'shared', 'k8s-schemas', 'crds'),
    join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'addispay', 'k8s-schemas-fetched', 'crds'),
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`no operator CRDs in ${candidates.join(', ')}: run scripts/charts-test.sh first`);
  return found;
}

const crdFiles = (): string[] =>
  readdirSync(crdDirectory(), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => join(crdDirectory(), file));

async function render(...extra: string[]): Promise<string> {
  return must('helm', [
    'template',
    'addispay',
    CHART,
    '-n',
    NAMESPACE,
    '-f',
    join(CHART, 'values-kind.yaml'),
    ...IMAGES,
    ...OPERATOR_APIS,
    ...extra,
  ]);
}

/** `kubectl apply --dry-run=server` of a rendered manifest, through a file (the bed's helpers take no stdin). */
async function serverDryRun(manifest: string): Promise<{ code: number; output: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'operator-mode-')), 'manifest.yaml');
  writeFileSync(file, manifest);
  const result = await command('kubectl', ['apply', '--dry-run=server', '-n', NAMESPACE, '-f', file]);
  return { code: result.code, output: result.stdout + result.stderr };
}

describe('operator mode, validated by the API server against the operators’ CRDs', () => {
  beforeAll(async () => {
    for (const file of crdFiles()) await kubectl('apply', '--server-side', '--force-conflicts', '-f', file);
    await kubectl('wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s');
    await command('kubectl', ['create', 'namespace', NAMESPACE]); // AlreadyExists on a rerun is fine
  });

  afterAll(async () => {
    await command('kubectl', ['delete', 'namespace', NAMESPACE, '--wait=false']);
    for (const file of crdFiles()) await command('kubectl', ['delete', '-f', file, '--ignore-not-found']);
  });

  it('accepts every object of a kind install: the PulsarCluster, the InnoDBCluster, the topology, the monitors', async () => {
    const result = await serverDryRun(await render());
    expect(result.output).toMatch(/pulsarcluster\.kaap\.oss\.datastax\.com\/pulsar created \(server dry run\)/);
    expect(result.output).toMatch(/innodbcluster\.mysql\.oracle\.com\/mysql created \(server dry run\)/);
    expect(result.output).toMatch(/pulsartopic\.resource\.streamnative\.io\/\S+ created \(server dry run\)/);
    expect(result.output).toMatch(/pulsarnamespace\.resource\.streamnative\.io\/\S+ created \(server dry run\)/);
    expect(result.output).toMatch(/servicemonitor\.monitoring\.coreos\.com\/\S+ created \(server dry run\)/);
    expect(result.output).toMatch(/prometheusrule\.monitoring\.coreos\.com\/\S+ created \(server dry run\)/);
    expect(result.code).toBe(0);
  });

  it('is a real check: an InnoDBCluster that breaks its CRD is refused by the server', async () => {
    const broken = (await render()).replace(/^(\s+)instances: 1$/m, '$1instances: "one"');
    expect(broken).toContain('instances: "one"');
    const result = await serverDryRun(broken);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/InnoDBCluster.*is invalid|spec\.instances/);
  });
});
