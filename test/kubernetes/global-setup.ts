/**
 * vitest globalSetup of the kubernetes project: `scripts/bed.sh up` builds what is missing (the cluster's binaries,
 * the images of this checkout), starts the cluster and installs the release with `helm install --wait`; then its
 * environment (KUBECONFIG, the tools on PATH, the image tag) goes to the test workers. The cluster stays up
 * afterwards, like MariaDB and Pulsar for the integration suites; `make down` stops it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '@addispay/testkit';

export default function setup(): void {
  const script = join(repositoryRoot(), 'scripts', 'bed.sh');
  execFileSync('bash', [script, 'up', '--fresh-release'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const env = execFileSync('bash', [script, 'env'], { encoding: 'utf8' });
  for (const match of env.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)) process.env[match[1]!] = match[2]!;
}
