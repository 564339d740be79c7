/**
 * Converts CustomResourceDefinitions into the JSON schemas kubeconform reads, laid out as
 * <out>/<group>/<kind lower case>_<version>.json (kubeconform's {{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}).
 * Strict like kubeconform's openapi2jsonschema.py with "strict": objects with declared properties reject unknown
 * ones unless the CRD preserves unknown fields. Usage: tsx crd-schemas.ts <out-dir> <crd-dir>...
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { isObject } from './yaml-docs.js';

type Schema = Record<string, unknown>;

export function toStrictJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toStrictJsonSchema);
  if (!isObject(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    // Property maps hold names, not schemas with keywords: convert each value, keep the names.
    out[key] =
      (key === 'properties' || key === 'patternProperties' || key === 'definitions') && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toStrictJsonSchema(v)]))
        : toStrictJsonSchema(value);
  }
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const preserves = out['x-kubernetes-preserve-unknown-fields'] === true;
  if (isObject(out.properties) && out.additionalProperties === undefined && !preserves) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Some CRDs leave apiVersion/kind/metadata out of their schema, or describe metadata partially: the API server
 * checks these itself (ObjectMeta), so the root always accepts them and metadata stays an open object.
 */
function rootSchema(schema: Schema): Schema {
  const properties = isObject(schema.properties) ? schema.properties : {};
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...schema,
    properties: {
      ...properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
    },
  };
}

interface Written {
  group: string;
  kind: string;
  version: string;
  file: string;
}

export function convertCrdFile(path: string, outDir: string): Written[] {
  const written: Written[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
    const crd: unknown = doc.toJS();
    if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) continue;
    const { group, names, versions } = crd.spec as { group: string; names: { kind: string }; versions: unknown[] };
    for (const version of versions) {
      if (!isObject(version) || !isObject(version.schema)) continue;
      const openApi = version.schema.openAPIV3Schema;
      if (!isObject(openApi)) throw new Error(`${path}: ${names.kind} ${String(version.name)} has no openAPIV3Schema`);
      const dir = join(outDir, group);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${names.kind.toLowerCase()}_${String(version.name)}.json`);
      writeFileSync(file, JSON.stringify(rootSchema(toStrictJsonSchema(openApi) as Schema), null, 1));
      written.push({ group, kind: names.kind, version: String(version.name), file });
    }
  }
  return written;
}

function crdFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return crdFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function main(argv: string[]): void {
  const [outDir, ...inputs] = argv;
  if (!outDir || inputs.length === 0 || outDir === '--help') {
    console.log('usage: tsx crd-schemas.ts <out-dir> <crd-dir>...');
    process.exit(outDir === '--help' ? 0 : 2);
  }
  const written = inputs.flatMap(crdFiles).flatMap((file) => convertCrdFile(file, outDir));
  if (written.length === 0) throw new Error(`no CustomResourceDefinition found in ${inputs.join(', ')}`);
  console.log(`wrote ${written.length} schemas to ${outDir}`);
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) main(process.argv.slice(2));
