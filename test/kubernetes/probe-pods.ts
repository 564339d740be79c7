/**
 * One-shot pods that try a connection from somewhere in the cluster and report by their exit code: the way to see
 * what a NetworkPolicy lets through. They run the bed's grpcurl image (grpcurl and busybox).
 */
import { randomUUID } from 'node:crypto';
import { bedImage, eventually, kubectl, kubectlJson } from './bed.js';

interface PodState {
  readonly status: {
    readonly phase: string;
    readonly containerStatuses?: { readonly state: { readonly terminated?: { readonly exitCode: number } } }[];
  };
}

const SECURITY = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

export interface ProbeOptions {
  readonly namespace: string;
  readonly labels?: Record<string, string>;
  readonly script: string;
}

/** Starts a pod of the bed's grpcurl image with one container `spec` (name, command...) and `labels`. */
async function startPod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  container: Record<string, unknown>,
  volumes: unknown[] = [],
): Promise<void> {
  const overrides = {
    spec: {
      automountServiceAccountToken: false,
      containers: [{ image: bedImage('grpcurl'), securityContext: SECURITY, ...container }],
      volumes,
    },
  };
  const labelArg = Object.entries({ 'addispay.io/probe': 'true', ...labels })
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  await kubectl(
    '-n',
    namespace,
    'run',
    name,
    '--restart=Never',
    `--image=${bedImage('grpcurl')}`,
    `--labels=${labelArg}`,
    `--overrides=${JSON.stringify(overrides)}`,
  );
}

/** Runs `script` under /bin/sh in a new pod and returns its exit code (the pod is deleted afterwards). */
export async function probe({
  namespace,
  labels = {},
  script,
}: ProbeOptions): Promise<{ exitCode: number; logs: string }> {
  const name = `probe-${randomUUID().slice(0, 8)}`;
  await startPod(namespace, name, labels, {
    name: 'probe',
    command: ['/bin/sh', '-c', script],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
  });
  try {
    const exitCode = await eventually(`probe ${name} to finish`, async () => {
      const pod = await kubectlJson<PodState>('-n', namespace, 'get', 'pod', name);
      return pod.status.containerStatuses?.[0]?.state.terminated?.exitCode;
    });
    return { exitCode, logs: await kubectl('-n', namespace, 'logs', name) };
  } finally {
    await kubectl('-n', namespace, 'delete', 'pod', name, '--wait=false');
  }
}

/** A pod serving HTTP on `port` (busybox httpd), to be connected to; resolves with its IP once it is ready. */
export async function listener(namespace: string, port: number): Promise<{ ip: string; remove(): Promise<void> }> {
  const name = `listener-${randomUUID().slice(0, 8)}`;
  await startPod(
    namespace,
    name,
    {},
    {
      name: 'listener',
      command: [
        '/bin/sh',
        '-c',
        `mkdir -p /tmp/www && echo listening > /tmp/www/index.html && exec httpd -f -p ${port} -h /tmp/www`,
      ],
      readinessProbe: { tcpSocket: { port }, periodSeconds: 1 },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
    },
    [{ name: 'tmp', emptyDir: {} }],
  );
  await kubectl('-n', namespace, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=120s');
  const pod = await kubectlJson<{ status: { podIP: string } }>('-n', namespace, 'get', 'pod', name);
  return {
    ip: pod.status.podIP,
    remove: async () => void (await kubectl('-n', namespace, 'delete', 'pod', name, '--wait=false')),
  };
}
