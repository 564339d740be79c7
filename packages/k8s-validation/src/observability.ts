/**
 * Checks that the chart ships the observability/ files unchanged: one dashboard ConfigMap per
 * observability/dashboards/*.json whose data is the file byte for byte, one PrometheusRule per
 * observability/alerts/*.yaml whose spec is the file's content, and nothing else of either.
 * Usage: tsx observability.ts <rendered.yaml> <observability-dir>
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { describe, readObjects, type K8sObject } from './yaml-docs.js';

const SOURCE = 'addispay.io/source';

function filesIn(dir: string, extension: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(extension))
        .sort()
    : [];
}

export function observabilityErrors(objects: K8sObject[], dir: string): { errors: string[]; checked: number } {
  const errors: string[] = [];
  const bySource = new Map<string, K8sObject[]>();
  for (const o of objects) {
    const source = o.metadata.annotations?.[SOURCE];
    if (source) bySource.set(source, [...(bySource.get(source) ?? []), o]);
  }
  const expected = new Set<string>();
  for (const file of filesIn(join(dir, 'dashboards'), '.json')) {
    const source = `observability/dashboards/${file}`;
    expected.add(source);
    const [cm, ...extra] = (bySource.get(source) ?? []).filter((o) => o.kind === 'ConfigMap');
    if (!cm || extra.length > 0) {
      errors.push(`${source}: expected exactly one dashboard ConfigMap`);
      continue;
    }
    const data = (cm.data as Record<string, string> | undefined)?.[file];
    if (data !== readFileSync(join(dir, 'dashboards', file), 'utf8'))
      errors.push(`${describe(cm)}: data["${file}"] differs from ${source}`);
  }
  for (const file of filesIn(join(dir, 'alerts'), '.yaml')) {
    const source = `observability/alerts/${file}`;
    expected.add(source);
    const [rule, ...extra] = (bySource.get(source) ?? []).filter((o) => o.kind === 'PrometheusRule');
    if (!rule || extra.length > 0) {
      errors.push(`${source}: expected exactly one PrometheusRule`);
      continue;
    }
    if (!isDeepStrictEqual(rule.spec, parse(readFileSync(join(dir, 'alerts', file), 'utf8')))) {
      errors.push(`${describe(rule)}: spec differs from ${source}`);
    }
  }
  for (const [source, objs] of bySource) {
    if (!expected.has(source)) errors.push(`${objs.map(describe).join(', ')}: ${source} is not a file of ${dir}`);
  }
  return { errors, checked: expected.size };
}

function main(argv: string[]): void {
  const [rendered, dir] = argv;
  if (!rendered || rendered === '--help' || !dir) {
    console.log('usage: tsx observability.ts <rendered.yaml> <observability-dir>');
    process.exit(rendered === '--help' ? 0 : 2);
  }
  const { errors, checked } = observabilityErrors(readObjects(rendered), dir);
  for (const e of errors) console.error(`  FAIL ${e}`);
  console.log(`${checked} observability files compared with the chart's objects, ${errors.length} errors`);
  if (errors.length > 0) process.exit(1);
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
