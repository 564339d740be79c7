/**
 * The first install, as a platform team meets it: `helm install --wait` (run by the global setup) went green, its
 * hooks ran as real Jobs, every pod is Ready through its own probes, and an order placed in the cluster is PAID.
 */
import { describe, expect, it } from 'vitest';
import { command, helm, kubectlJson, NAMESPACE, podsOf, RELEASE, type KubeList, type Pod } from './bed.js';

const SERVICES = ['order-service', 'payment-service', 'logger-service'];

describe('helm install on the bed', () => {
  it('is deployed, with the hooks that created the databases, the schemas and the topics succeeded', async () => {
    const status = JSON.parse(await helm('status', RELEASE, '-n', NAMESPACE, '-o', 'json')) as {
      info: { status: string };
      hooks?: { name: string; kind: string; last_run: { phase: string } }[];
    };
    expect(status.info.status).toBe('deployed');
    const jobs = (status.hooks ?? []).filter((hook) => hook.kind === 'Job');
    expect(jobs.map((job) => job.name).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/mysql-bootstrap$/),
        expect.stringMatching(/order-service-migrate$/),
        expect.stringMatching(/payment-service-migrate$/),
        expect.stringMatching(/logger-service-migrate$/),
        expect.stringMatching(/pulsar-topology$/),
      ]),
    );
    for (const job of jobs)
      expect({ job: job.name, phase: job.last_run.phase }).toEqual({ job: job.name, phase: 'Succeeded' });
  });

  it.each(SERVICES)(
    'runs %s Ready through its /readyz probe, live through /livez, never restarted',
    async (service) => {
      const pods = await podsOf(service);
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods) {
        const container = pod.spec.containers[0]!;
        expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(container.livenessProbe?.httpGet?.path).toBe('/livez');
        expect(pod.status.phase).toBe('Running');
        expect(pod.status.containerStatuses?.every((state) => state.ready)).toBe(true);
        expect(pod.status.containerStatuses?.map((state) => state.restartCount)).toEqual([0]);
      }
    },
  );

  it('runs every container as a non-root user on a read-only root filesystem', async () => {
    const pods = await kubectlJson<
      KubeList<Pod & { spec: { containers: { securityContext?: Record<string, unknown> }[] } }>
    >('-n', NAMESPACE, 'get', 'pods', '-l', `app.kubernetes.io/instance=${RELEASE}`);
    for (const pod of pods.items)
      for (const container of pod.spec.containers)
        expect(container.securityContext, `${pod.metadata.name}/${container.name}`).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
  });

  it('passes helm test: an order placed through order-service in the cluster reaches PAID', async () => {
    const result = await command('helm', ['test', RELEASE, '-n', NAMESPACE, '--logs', '--timeout', '5m'], 400_000);
    expect(result.stdout + result.stderr).toMatch(/final status: ORDER_STATUS_PAID/);
    expect(result.code).toBe(0);
  });

  it('passes addispay check-deployment, its order round trip through a port-forward included', async () => {
    const result = await command('node', [
      'apps/cli/dist/main.js',
      'check-deployment',
      '--namespace',
      NAMESPACE,
      '--json',
    ]);
    const verdicts = JSON.parse(result.stdout) as { kind: string; name: string; ready: boolean; detail: string }[];
    expect(verdicts.filter((verdict) => !verdict.ready)).toEqual([]);
    expect(verdicts.find((verdict) => verdict.kind === 'OrderRoundTrip')?.detail).toMatch(/PAID$/);
    expect(result.code).toBe(0);
  });
});
