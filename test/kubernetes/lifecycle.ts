/**
 * The end of a release's life: `helm rollback` returns to the first revision's values, and `helm uninstall` leaves
 * nothing of the release behind but what docs/kubernetes.md says stays (the MySQL Secret, kept so the data's
 * passwords survive a reinstall). Runs last: it removes the release the other suites use.
 */
import { describe, expect, it } from 'vitest';
import { command, componentName, eventually, helm, kubectl, kubectlJson, NAMESPACE, RELEASE } from './bed.js';

/** Every namespaced kind the API serves that can be listed: what "nothing left" is checked against. */
async function namespacedKinds(): Promise<string[]> {
  const out = await kubectl('api-resources', '--namespaced=true', '--verbs=list', '-o', 'name');
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((kind) => kind && kind !== 'events' && kind !== 'events.events.k8s.io');
}

async function releaseObjects(): Promise<string[]> {
  const kinds = await namespacedKinds();
  const out = await kubectl(
    '-n',
    NAMESPACE,
    'get',
    kinds.join(','),
    '-l',
    `app.kubernetes.io/instance=${RELEASE}`,
    '-o',
    'name',
    '--ignore-not-found',
  );
  return out.split('\n').filter(Boolean).sort();
}

describe('rollback and uninstall', () => {
  it('rolls back to the first revision, rolling the Deployments again', async () => {
    const history = JSON.parse(await helm('history', RELEASE, '-n', NAMESPACE, '-o', 'json')) as { revision: number }[];
    expect(history.length).toBeGreaterThan(1);
    await helm('rollback', RELEASE, '1', '-n', NAMESPACE, '--wait', '--timeout', '10m');
    const status = JSON.parse(await helm('status', RELEASE, '-n', NAMESPACE, '-o', 'json')) as {
      info: { status: string };
      version: number;
      config: Record<string, unknown>;
    };
    expect(status.info.status).toBe('deployed');
    expect(status.version).toBe(history.length + 1);
    const deployment = await kubectlJson<{
      spec: { template: { metadata: { annotations?: Record<string, string> } } };
    }>('-n', NAMESPACE, 'get', 'deployment', componentName('order-service'));
    expect(deployment.spec.template.metadata.annotations?.['addispay.io/rolled']).toBeUndefined();
  });

  it('uninstalls to nothing but the documented leftovers', async () => {
    await helm('uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '5m');
    // The Deployments' pods go by garbage collection, after uninstall returns.
    const left = await eventually('the release objects gone', async () => {
      const objects = await releaseObjects();
      return objects.some((name) => name.startsWith('pod/') && !name.endsWith('-test-place-order'))
        ? undefined
        : objects;
    });
    expect(left).toEqual([`pod/${RELEASE}-test-place-order`, `secret/${RELEASE}-mysql`]);
    const jobs = await command('kubectl', ['-n', NAMESPACE, 'get', 'jobs', '-o', 'name']);
    expect(jobs.stdout.trim()).toBe('');
  });
});
