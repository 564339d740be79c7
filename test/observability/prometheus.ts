import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@addispay/testkit';

const PROMETHEUS = process.env['PROMETHEUS_BIN'] ?? '/usr/bin/prometheus';

export interface ScrapeTarget {
  readonly job: string;
  readonly port: number;
}

export interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** A real Prometheus on a free loopback port, scraping the given targets every second and evaluating `ruleFiles`. */
export interface TestPrometheus {
  readonly url: string;
  query(expr: string): Promise<VectorSample[]>;
  labelValues(label: string, match: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  targets: readonly ScrapeTarget[],
  ruleFiles: readonly string[],
): Promise<TestPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'addispay-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: targets.map((target) => ({
      job_name: target.job,
      static_configs: [{ targets: [`127.0.0.1:${target.port}`] }],
    })),
  };
  // JSON is YAML: no YAML writer needed.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await kill(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(child, url, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    stop,
    async query(expr) {
      const body = await api(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      return (body.data as { result: VectorSample[] }).result;
    },
    async labelValues(label, match) {
      const body = await api(`${url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`);
      return body.data as string[];
    },
  };
}

async function api(url: string): Promise<{ data: unknown }> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; error?: string; data: unknown };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${decodeURIComponent(url)}: ${body.error}`);
  return body;
}

async function waitReady(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}:\n${output()}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`prometheus was not ready within 30 s:\n${output()}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
