/**
 * Prints the objects of a rendered manifest as one JSON array, for scripts/charts-test.sh's jq assertions.
 * Usage: tsx to-json.ts <rendered.yaml>
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readObjects } from './yaml-docs.js';

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const input = process.argv[2];
  if (!input || input === '--help') {
    console.log('usage: tsx to-json.ts <rendered.yaml>');
    process.exit(input ? 0 : 2);
  }
  try {
    console.log(JSON.stringify(readObjects(input)));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
