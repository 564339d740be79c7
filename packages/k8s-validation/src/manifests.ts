/**
 * Validates every built-in Kubernetes object of a rendered manifest offline with the kubernetes-models
 * validators (the API's OpenAPI schemas), and type-checks each one against kubernetes-models' TypeScript
 * interfaces to reject unknown fields (the schemas alone accept them, the API server would drop them).
 * Custom resources are written to --custom-out for kubeconform and the CRD-derived schemas.
 * Usage: tsx manifests.ts <rendered.yaml> --custom-out <file>
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { stringify } from 'yaml';
import { describe, readObjects, splitApiVersion, type K8sObject } from './yaml-docs.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function isBuiltIn(apiVersion: string): boolean {
  const { group } = splitApiVersion(apiVersion);
  return group === '' || group.endsWith('.k8s.io') || ['apps', 'batch', 'policy', 'autoscaling'].includes(group);
}

/** Module of the model for an apiVersion/kind, e.g. kubernetes-models/apps/v1/Deployment. */
function modelModule(o: K8sObject): string {
  const { group, version } = splitApiVersion(o.apiVersion);
  return `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${o.kind}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

async function validateWithSchema(o: K8sObject): Promise<string | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelModule(o))) as Record<string, unknown>;
  } catch {
    return `${describe(o)}: ${o.apiVersion} ${o.kind} is not a Kubernetes API of this kubernetes-models version`;
  }
  const Model = mod[o.kind] as ModelClass | undefined;
  if (!Model) return `${describe(o)}: ${modelModule(o)} exports no ${o.kind}`;
  try {
    new Model(o).validate();
    return undefined;
  } catch (error) {
    return `${describe(o)}: ${(error as Error).message}`;
  }
}

/** Type-checks each object literal against I<Kind>: TypeScript's excess-property check finds unknown fields. */
function unknownFieldErrors(objects: K8sObject[]): string[] {
  const dir = join(packageDir, 'node_modules', '.cache', `typed-manifests-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'manifests.ts');
  const lines = objects.map((o, i) => `import type { I${o.kind} as T${i} } from '${modelModule(o)}';`);
  // The object each line of the generated file belongs to, to report errors by object.
  const lineOwner: (K8sObject | undefined)[] = lines.map(() => undefined);
  objects.forEach((o, i) => {
    const chunk = `export const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`.split('\n');
    lines.push(...chunk);
    lineOwner.push(...chunk.map(() => o));
  });
  const source = lines.join('\n');
  writeFileSync(file, source);
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0] ?? '';
      if (!d.file || d.start === undefined) return message;
      const { line: at } = d.file.getLineAndCharacterOfPosition(d.start);
      const owner = lineOwner[at];
      return `${owner ? describe(owner) : `line ${at + 1}`}: ${message}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const input = argv[0];
  const outIndex = argv.indexOf('--custom-out');
  const customOut = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  if (!input || input === '--help' || !customOut) {
    console.log('usage: tsx manifests.ts <rendered.yaml> --custom-out <file>');
    process.exit(input === '--help' ? 0 : 2);
  }
  const objects = readObjects(input);
  const builtIns = objects.filter((o) => isBuiltIn(o.apiVersion));
  const custom = objects.filter((o) => !isBuiltIn(o.apiVersion));
  const errors = (await Promise.all(builtIns.map(validateWithSchema))).filter((e): e is string => e !== undefined);
  if (errors.length === 0) errors.push(...unknownFieldErrors(builtIns));
  writeFileSync(customOut, custom.map((o) => stringify(o)).join('---\n'));
  for (const e of errors) console.error(`  invalid: ${e}`);
  console.log(
    `${builtIns.length} built-in objects checked, ${errors.length} errors; ${custom.length} custom resources -> ${customOut}`,
  );
  if (errors.length > 0) process.exit(1);
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
