import { describe, expect, it } from 'vitest';
import type { Profile, ProfileNode } from './cpu-profile.js';
import { renderFlameGraph } from './flamegraph.js';

const WIDTH = 1180; // 1200px minus 10px padding each side

function node(id: number, functionName: string, url = '', lineNumber = 0, children: number[] = []): ProfileNode {
  return { id, callFrame: { functionName, url, lineNumber, columnNumber: 0 }, children };
}

// Busy time is 1000 ms, plus 500 ms idle. `handle` appears twice under (root) with the same call path.
const app = 'file:///app/src';
const mysql = 'file:///app/node_modules/mysql2/lib/connection.js';
const selfMs: [number, number][] = [
  [2, 500],
  [3, 50],
  [4, 100],
  [5, 50],
  [6, 1],
  [7, 200],
  [8, 100],
  [9, 100],
  [10, 399],
];
const profile: Profile = {
  nodes: [
    node(1, '(root)', '', -1, [2, 3, 4, 5, 6, 10]),
    node(2, '(idle)', '', -1),
    node(3, '(program)', '', -1),
    node(4, 'handle', `${app}/server.ts`, 9, [7, 8]),
    node(5, 'handle', `${app}/server.ts`, 9, [9]),
    node(6, 'tiny', `${app}/tiny.ts`, 0),
    node(7, 'query', mysql, 41),
    node(8, 'a<b>&"c"', `${app}/esc.ts`, 2),
    node(9, 'query', mysql, 41),
    node(10, 'work', `${app}/work.ts`, 4),
  ],
  startTime: 0,
  endTime: 1_500_000,
  // Split each node's time into two samples so widths must come from summed timeDeltas, not hit counts.
  samples: selfMs.flatMap(([id]) => [id, id]),
  timeDeltas: selfMs.flatMap(([, ms]) => [ms * 250, ms * 750]),
};

interface Box {
  title: string;
  x: number;
  y: number;
  width: number;
  fill: string;
  text: string;
}

function boxes(svg: string): Box[] {
  const pattern =
    /<g><title>([^<]*)<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"[^>]* fill="([^"]+)"\/>(?:<text[^>]*>([^<]*)<\/text>)?<\/g>/g;
  return [...svg.matchAll(pattern)].map((m) => ({
    title: m[1]!,
    x: Number(m[2]),
    y: Number(m[3]),
    width: Number(m[4]),
    fill: m[5]!,
    text: m[6] ?? '',
  }));
}

function find(all: Box[], label: string): Box[] {
  return all.filter((box) => box.title.split('\n')[0] === label);
}

describe('renderFlameGraph', () => {
  const svg = renderFlameGraph(profile);
  const all = boxes(svg);

  it('sizes frames by summed sample time over busy time', () => {
    expect(find(all, '(root)')[0]!.width).toBeCloseTo(WIDTH, 1);
    expect(find(all, 'handle server.ts:10')[0]!.width).toBeCloseTo(WIDTH * 0.55, 1);
    expect(find(all, 'work work.ts:5')[0]!.width).toBeCloseTo(WIDTH * 0.399, 1);
    expect(find(all, '(program)')[0]!.width).toBeCloseTo(WIDTH * 0.05, 1);
    expect(find(all, 'query mysql2')[0]!.title).toContain('300.00 ms, 30.00% of busy');
  });

  it('merges identical call paths into one frame stacked on its caller', () => {
    const [handle, ...moreHandles] = find(all, 'handle server.ts:10');
    const [query, ...moreQueries] = find(all, 'query mysql2');
    expect(moreHandles).toEqual([]);
    expect(moreQueries).toEqual([]);
    expect(query!.width).toBeCloseTo(WIDTH * 0.3, 1);
    expect(query!.y).toBe(handle!.y - 16);
    expect(query!.x).toBeGreaterThanOrEqual(handle!.x);
    expect(query!.title).toContain(`${mysql}:42`);
  });

  it('leaves (idle) out of the graph and reports it in the subtitle', () => {
    expect(all.some((box) => box.title.includes('(idle)'))).toBe(false);
    expect(svg).toContain('1500 ms profiled, 33.3% idle');
    expect(find(all, '(root)')[0]!.title).toContain('1000.00 ms, 100.00% of busy');
  });

  it('escapes XML in names, titles and labels', () => {
    const [escaped] = all.filter((box) => box.title.startsWith('a&lt;b&gt;&amp;&quot;c&quot; esc.ts:3'));
    expect(escaped).toBeDefined();
    expect(svg).not.toContain('a<b>');
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
    const titled = renderFlameGraph(profile, { title: '<x> & "y"' });
    expect(titled).toContain('&lt;x&gt; &amp; &quot;y&quot;');
  });

  it('drops frames narrower than min-share', () => {
    expect(find(all, 'tiny tiny.ts:1')).toEqual([]);
    expect(find(boxes(renderFlameGraph(profile, { minShare: 0 })), 'tiny tiny.ts:1')).toHaveLength(1);
    const wide = boxes(renderFlameGraph(profile, { minShare: 0.2 })).map((box) => box.title.split('\n')[0]);
    expect(wide.sort()).toEqual(['(root)', 'handle server.ts:10', 'query mysql2', 'work work.ts:5']);
  });

  it('draws only labels that fit, truncated with an ellipsis', () => {
    for (const box of all)
      expect(Array.from(box.text.replace(/&\w+;/g, '_')).length * 7).toBeLessThanOrEqual(box.width);
    const escaped = all.find((box) => box.title.startsWith('a&lt;b'))!;
    expect(escaped.text).toMatch(/…$/);
  });

  it('colours deterministically by category', () => {
    expect(renderFlameGraph(profile)).toBe(svg);
    const [r, g, b] = find(all, '(program)')[0]!.fill.match(/\d+/g)!.map(Number);
    expect(r).toBe(g);
    expect(g).toBe(b);
    const [qr, qg, qb] = find(all, 'query mysql2')[0]!.fill.match(/\d+/g)!.map(Number);
    expect(qr).toBeGreaterThan(qg!);
    expect(qr).toBeGreaterThan(qb!);
  });
});
