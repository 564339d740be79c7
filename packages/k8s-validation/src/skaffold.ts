/**
 * Checks skaffold.yaml: (1) it is valid against skaffold's JSON schema; (2) for the platform release and each
 * profile, rendering the chart with skaffold's setValueTemplates (image placeholders replaced by sentinels)
 * runs only built images, each built image at least once, and otherwise only pinned third-party images named
 * by the values keys given with --third-party.
 * Usage: tsx skaffold.ts <skaffold.yaml> --only schema|images --schema <v4beta14.json> --release <name>
 *          --kube-version <v> [--third-party values.path]... [-- extra helm template args]
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { isObject } from './yaml-docs.js';

interface Release {
  name: string;
  chartPath?: string;
  valuesFiles?: string[];
  setValueTemplates?: Record<string, string>;
}
interface Patch {
  op: string;
  path: string;
  value?: unknown;
}
interface Profile {
  name: string;
  patches?: Patch[];
}
interface SkaffoldConfig {
  build?: { artifacts?: { image: string }[] };
  deploy?: { helm?: { releases?: Release[] } };
  profiles?: Profile[];
}

export function schemaErrors(config: unknown, schemaPath: string): string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Applies the add/replace patches of a profile (the only ops this project uses) to a copy of the config. */
function applyPatches(config: SkaffoldConfig, patches: Patch[]): SkaffoldConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const patch of patches) {
    if (patch.op !== 'replace' && patch.op !== 'add')
      throw new Error(`patch op ${patch.op} is not supported by this check`);
    const keys = patch.path.split('/').slice(1);
    const last = keys.pop();
    let node: unknown = copy;
    for (const key of keys) node = (node as Record<string, unknown>)[key];
    if (!isObject(node) && !Array.isArray(node)) throw new Error(`patch path ${patch.path} does not exist`);
    (node as Record<string, unknown>)[last ?? ''] = patch.value;
  }
  return copy as unknown as SkaffoldConfig;
}

const sentinel = (artifact: string): string => `registry.invalid/${artifact}:sentinel@sha256:${'0'.repeat(64)}`;

/** Skaffold's template values for one artifact, e.g. IMAGE_REPO_order_service. */
function substitute(template: string, artifacts: string[]): string {
  return template.replace(
    /\{\{\s*\.IMAGE_(REPO|TAG|DIGEST|FULLY_QUALIFIED)_([A-Za-z0-9_]+)\s*\}\}/g,
    (_m, part: string, key: string) => {
      const artifact = artifacts.find((a) => a.replace(/[^A-Za-z0-9]/g, '_') === key);
      if (!artifact)
        throw new Error(`setValueTemplates refers to IMAGE_${part}_${key}, which no build artifact defines`);
      const [repo, rest] = sentinel(artifact).split(':sentinel');
      if (part === 'REPO') return repo ?? '';
      if (part === 'TAG') return 'sentinel';
      if (part === 'DIGEST') return (rest ?? '').slice(1);
      return sentinel(artifact);
    },
  );
}

function collectImages(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectImages(n, into));
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'image' && typeof value === 'string') into.add(value);
    else collectImages(value, into);
  }
}

function valueAt(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), values);
}

function mergedValues(files: string[]): unknown {
  const merge = (a: unknown, b: unknown): unknown =>
    isObject(a) && isObject(b)
      ? Object.fromEntries(
          [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, k in b ? merge(a[k], b[k]) : a[k]]),
        )
      : b;
  return files.reduce<unknown>((acc, file) => merge(acc, parse(readFileSync(file, 'utf8'))), {});
}

export function imageErrors(opts: {
  config: SkaffoldConfig;
  root: string;
  releaseName: string;
  kubeVersion: string;
  thirdParty: string[];
  helmArgs: string[];
}): { profile: string; errors: string[] }[] {
  const artifacts = (opts.config.build?.artifacts ?? []).map((a) => a.image);
  const variants: { name: string; config: SkaffoldConfig }[] = [
    { name: '(no profile)', config: opts.config },
    ...(opts.config.profiles ?? []).map((p) => ({ name: p.name, config: applyPatches(opts.config, p.patches ?? []) })),
  ];
  return variants.map(({ name, config }) => {
    const errors: string[] = [];
    const release = config.deploy?.helm?.releases?.find((r) => r.name === opts.releaseName);
    if (!release?.chartPath) return { profile: name, errors: [`no release ${opts.releaseName} with a chartPath`] };
    const valuesFiles = (release.valuesFiles ?? []).map((f) => resolve(opts.root, f));
    const sets = Object.entries(release.setValueTemplates ?? {}).flatMap(([k, v]) => [
      '--set-string',
      `${k}=${substitute(v, artifacts)}`,
    ]);
    const helm = spawnSync(
      'helm',
      [
        'template',
        opts.releaseName,
        resolve(opts.root, release.chartPath),
        '--namespace',
        'addispay',
        '--kube-version',
        opts.kubeVersion,
        ...valuesFiles.flatMap((f) => ['-f', f]),
        ...sets,
        ...opts.helmArgs,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (helm.status !== 0)
      return {
        profile: name,
        errors: [
          `helm template failed: ${helm.stderr
            .trim()
            .split('\n')
            .filter((l) => !l.includes('symbolic link'))
            .join(' ')}`,
        ],
      };
    const images = new Set<string>();
    for (const doc of parseAllDocuments(helm.stdout)) collectImages(doc.toJS(), images);
    const values = mergedValues(valuesFiles);
    const allowed = new Set(
      opts.thirdParty.map((p) => valueAt(values, p)).filter((v): v is string => typeof v === 'string'),
    );
    for (const image of images) {
      if (artifacts.some((a) => image === sentinel(a))) continue;
      if (!allowed.has(image))
        errors.push(
          `image ${image} is neither a skaffold artifact (setValueTemplates) nor an allowed third-party image`,
        );
      else if (!/:[^/]+$/.test(image) || /:latest$/.test(image))
        errors.push(`third-party image ${image} is not pinned to a tag`);
    }
    for (const artifact of artifacts) {
      if (![...images].includes(sentinel(artifact)))
        errors.push(`built image ${artifact} is never run by the chart with setValueTemplates`);
    }
    return { profile: name, errors };
  });
}

function main(argv: string[]): void {
  const file = argv[0];
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const schema = arg('--schema');
  const releaseName = arg('--release');
  const kubeVersion = arg('--kube-version');
  const only = arg('--only');
  if (
    !file ||
    file === '--help' ||
    !schema ||
    !releaseName ||
    !kubeVersion ||
    (only !== 'schema' && only !== 'images')
  ) {
    console.log(
      'usage: tsx skaffold.ts <skaffold.yaml> --only schema|images --schema <json> --release <name> --kube-version <v> [--third-party values.path]... [-- helm args]',
    );
    process.exit(file === '--help' ? 0 : 2);
  }
  const dash = argv.indexOf('--');
  const helmArgs = dash >= 0 ? argv.slice(dash + 1) : [];
  const thirdParty = argv.flatMap((a, i) => (a === '--third-party' && argv[i + 1] ? [argv[i + 1] as string] : []));
  const config = parse(readFileSync(file, 'utf8')) as SkaffoldConfig;
  let failed = false;
  if (only === 'schema') {
    const errors = schemaErrors(config, schema);
    for (const e of errors) console.error(`  FAIL schema: ${e}`);
    console.log(errors.length === 0 ? `${file} is valid against ${schema}` : `${file}: ${errors.length} schema errors`);
    if (errors.length > 0) process.exit(1);
    return;
  }
  for (const { profile, errors: imgErrors } of imageErrors({
    config,
    root: dirname(resolve(file)),
    releaseName,
    kubeVersion,
    thirdParty,
    helmArgs,
  })) {
    for (const e of imgErrors) console.error(`  FAIL images [${profile}]: ${e}`);
    console.log(
      imgErrors.length === 0
        ? `images [${profile}]: every image is built by skaffold or a pinned third-party image`
        : `images [${profile}]: ${imgErrors.length} errors`,
    );
    failed ||= imgErrors.length > 0;
  }
  if (failed) process.exit(1);
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
