/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package, the hot spots.
 *
 *   node --import tsx bench/cpu-profile.ts FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  readonly name: string;
  readonly self_ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly total_ms: number;
  readonly idle_share: number;
  readonly functions: HotSpot[];
  readonly packages: HotSpot[];
}

/** Self time in µs per node id: each sample is charged its timeDelta. */
export function selfTimes(profile: Profile): Map<number, number> {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  return selfUs;
}

export function summarizeProfile(profile: Profile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = selfTimes(profile);
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.functionName === '(idle)') idle += us;
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const pkg = packageOf(frame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const busy = total - idle;
  const rank = (map: Map<string, number>): HotSpot[] =>
    [...map]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, self_ms: Math.round(us / 1000), share: Math.round((us / busy) * 1000) / 1000 }));
  return {
    total_ms: Math.round(total / 1000),
    idle_share: Math.round((idle / total) * 1000) / 1000,
    functions: rank(functions),
    packages: rank(packages),
  };
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const repo = url.indexOf('/work/');
  return repo >= 0 ? url.replace(/^.*?\/(apps|packages)\//, '$1/') : url;
}

export function packageOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (modules) return modules[1]!;
  const own = /\/(apps|packages)\/([^/]+)\//.exec(frame.url);
  if (own) return `${own[1]}/${own[2]}`;
  if (frame.url.startsWith('node:')) return frame.url.split('/')[0]!;
  return frame.url;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '25' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: bench/cpu-profile.ts FILE.cpuprofile [--top N]');
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(values.top));
  console.log(
    `${summary.total_ms} ms profiled, ${(summary.idle_share * 100).toFixed(1)}% idle\n\nby package (self time, share of busy):`,
  );
  for (const spot of summary.packages)
    console.log(
      `  ${String(spot.self_ms).padStart(6)} ms  ${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.name}`,
    );
  console.log('\nby function:');
  for (const spot of summary.functions)
    console.log(
      `  ${String(spot.self_ms).padStart(6)} ms  ${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.name}`,
    );
}
