import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '@addispay/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PROMTOOL = process.env['PROMTOOL_BIN'] ?? '/usr/bin/promtool';
const alerts = join(repositoryRoot(), 'observability/alerts');
const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => join(dir, file));

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', ...yamlIn(alerts)]);
    expect(stdout).not.toMatch(/FAILED/);
    expect(stdout.match(/SUCCESS/g)?.length).toBe(yamlIn(alerts).length);
  });

  it('pass their promtool unit tests', async () => {
    const { stdout } = await run(PROMTOOL, ['test', 'rules', ...yamlIn(join(alerts, 'tests'))]);
    expect(stdout).toMatch(/SUCCESS/);
  });
});
