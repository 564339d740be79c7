/**
 * The Kubernetes test bed as the suites see it: kubectl and helm against the cluster `scripts/bed.sh up` built,
 * port-forwards through the API server and kubelet, and the release's names.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { repositoryRoot } from '@addispay/testkit';

const run = promisify(execFile);

export const ROOT = repositoryRoot();
export const NAMESPACE = 'addispay';
export const DEPS_NAMESPACE = 'addispay-deps';
export const RELEASE = 'addispay';
export const CHART = join(ROOT, 'charts', 'addispay');

/** What `scripts/bed.sh env` prints: KUBECONFIG, PATH with kubectl and helm, the image tag of this checkout. */
export const bedEnv: Readonly<Record<string, string>> = {
  KUBECONFIG: required('KUBECONFIG'),
  PATH: required('PATH'),
  ADDISPAY_BED_IMAGE_TAG: required('ADDISPAY_BED_IMAGE_TAG'),
  ADDISPAY_BED_REGISTRY: required('ADDISPAY_BED_REGISTRY'),
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the kubernetes suites run under test/kubernetes/global-setup.ts`);
  return value;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command of the bed; never throws on a non-zero exit (tests assert on the code). */
export async function command(file: string, args: readonly string[], timeoutMs = 300_000): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(file, args, {
      env: { ...process.env, ...bedEnv },
      cwd: ROOT,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}

/** Like `command`, but a non-zero exit is an error carrying its output. */
export async function must(file: string, args: readonly string[], timeoutMs?: number): Promise<string> {
  const result = await command(file, args, timeoutMs);
  if (result.code !== 0)
    throw new Error(`${file} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

export const kubectl = (...args: string[]): Promise<string> => must('kubectl', args);
export const helm = (...args: string[]): Promise<string> => must('helm', args, 900_000);

export async function kubectlJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(...args, '-o', 'json')) as T;
}

export interface KubeList<T> {
  readonly items: T[];
}

export interface Pod {
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly uid: string };
  readonly spec: {
    readonly containers: {
      readonly name: string;
      readonly readinessProbe?: { readonly httpGet?: { readonly path: string } };
      readonly livenessProbe?: { readonly httpGet?: { readonly path: string } };
    }[];
  };
  readonly status: {
    readonly phase: string;
    readonly podIP?: string;
    readonly containerStatuses?: { readonly name: string; readonly ready: boolean; readonly restartCount: number }[];
  };
}

export function componentSelector(component: string): string {
  return `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=${component}`;
}

export async function podsOf(component: string, namespace = NAMESPACE): Promise<Pod[]> {
  const list = await kubectlJson<KubeList<Pod>>('-n', namespace, 'get', 'pods', '-l', componentSelector(component));
  return list.items;
}

/** The names the chart gives the release's objects (addispay.componentName). */
export function componentName(component: string): string {
  return `${RELEASE}-${component}`;
}

/** An image the bed built for this checkout, by name (order-service, grpcurl, ...). */
export function bedImage(name: string): string {
  return `${bedEnv.ADDISPAY_BED_REGISTRY}/addispay/${name}:${bedEnv.ADDISPAY_BED_IMAGE_TAG}`;
}

export interface PortForward {
  readonly localPort: number;
  close(): Promise<void>;
}

/** `kubectl port-forward` to a Service or pod, on a port the kernel picks; resolves once it listens. */
export async function portForward(namespace: string, target: string, remotePort: number): Promise<PortForward> {
  const child: ChildProcess = spawn('kubectl', ['-n', namespace, 'port-forward', target, `:${remotePort}`], {
    env: { ...process.env, ...bedEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const localPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`port-forward ${target} did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward ${target} exited ${code}: ${output}`));
    });
  });
  return {
    localPort,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(1_000);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
