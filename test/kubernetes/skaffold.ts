/**
 * The developer's loop on the bed: `skaffold run -p bed` builds the three images with buildah (scripts/images.sh
 * as skaffold's custom builder), pushes them to the bed's registry, and deploys the release with every image pinned
 * by the digest skaffold read back from the registry; the release then passes `helm test`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { command, componentName, helm, kubectlJson, must, NAMESPACE, RELEASE } from './bed.js';

describe('skaffold run -p bed', () => {
  afterAll(async () => {
    await command('helm', ['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '5m']);
  });

  it('builds, pushes and deploys the release with images pinned by digest, which passes helm test', async () => {
    await must(
      'skaffold',
      ['run', '-p', 'bed', '--kube-context', 'addispay-bed', '--default-repo', '127.0.0.1:5001/addispay'],
      1_200_000,
    );
    for (const service of ['order-service', 'payment-service', 'logger-service']) {
      const deployment = await kubectlJson<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
        '-n',
        NAMESPACE,
        'get',
        'deployment',
        componentName(service),
      );
      expect(deployment.spec.template.spec.containers[0]!.image).toMatch(
        new RegExp(`^127\\.0\\.0\\.1:5001/addispay/${service}:[^@]+@sha256:[0-9a-f]{64}$`),
      );
    }
    const test = await helm('test', RELEASE, '-n', NAMESPACE, '--logs', '--timeout', '5m');
    expect(test).toMatch(/final status: ORDER_STATUS_PAID/);
  });
});
