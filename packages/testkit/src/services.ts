import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repositoryRoot } from './database.js';

export type ServiceName = 'order-service' | 'payment-service' | 'logger-service';

/** A service started as its own process, from its TypeScript sources, so tests can kill and restart it. */
export interface RunningService {
  readonly name: ServiceName;
  readonly metricsPort: number;
  readonly grpcPort: number;
  readonly grpcAddress: string;
  readonly pid: number;
  /** Everything the process wrote so far. */
  output(): string;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, with no chance to clean up. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a process that stops answering without going away. */
  pause(): void;
  resume(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startService(name: ServiceName, env: Readonly<Record<string, string>>): Promise<RunningService> {
  const root = repositoryRoot();
  const [metricsPort, grpcPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=128', // as in the images (Dockerfile)
      '--conditions=development',
      '--import',
      'tsx',
      // Tracing starts before the service, as in production (see packages/telemetry/src/instrumentation.ts).
      '--import',
      '@addispay/telemetry/instrumentation',
      join(root, 'apps', name, 'src', 'main.ts'),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        LOG_LEVEL: 'info',
        ...env,
        METRICS_PORT: String(metricsPort),
        GRPC_PORT: String(grpcPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await waitUntilReady(name, child, metricsPort, () => output);
  return {
    name,
    metricsPort,
    grpcPort,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    pid: child.pid ?? -1,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

async function waitUntilReady(name: string, child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} was not ready within 60 s:\n${output()}`);
}
