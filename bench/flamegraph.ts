/**
 * Renders a V8 .cpuprofile (from `node --cpu-prof`) as a self-contained flame graph SVG, root at the bottom.
 * Widths are busy time only: (idle) is left out and reported in the subtitle.
 *
 *   node --import tsx bench/flamegraph.ts IN.cpuprofile OUT.svg [--title "..."] [--min-share 0.002]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { packageOf, selfTimes, type Profile, type ProfileNode } from './cpu-profile.js';

export interface FlameGraphOptions {
  readonly title?: string;
  /** Frames narrower than this share of busy time are dropped. */
  readonly minShare?: number;
  readonly width?: number;
}

type Category = 'vm' | 'native' | 'node' | 'deps' | 'app';

interface Frame {
  readonly name: string;
  readonly location: string;
  readonly where: string;
  readonly category: Category;
  us: number;
  readonly children: Map<string, Frame>;
}

const ROW = 16;
const PAD = 10;
const TOP = 68;
const CHAR_PX = 7;

const PALETTES: Record<Category, (a: number, b: number, c: number) => [number, number, number]> = {
  vm: (a) => [180 + 40 * a, 180 + 40 * a, 180 + 40 * a],
  native: (a, b) => [190 + 65 * a, 80 + 60 * b, 190 + 65 * a],
  node: (a, b) => [80 + 60 * a, 190 + 55 * b, 80 + 60 * a],
  deps: (a, b, c) => [205 + 50 * a, 230 * b, 55 * c],
  app: (a, b) => [80 + 60 * a, 150 + 50 * b, 220 + 35 * a],
};

const LEGEND: [Category, string][] = [
  ['app', 'own code'],
  ['deps', 'node_modules'],
  ['node', 'node: internals'],
  ['native', 'native'],
  ['vm', 'VM'],
];

export function renderFlameGraph(profile: Profile, options: FlameGraphOptions = {}): string {
  const { title = 'CPU flame graph', minShare = 0.002, width = 1200 } = options;
  const { root, totalUs, idleUs } = buildTree(profile);
  const busyUs = root.us;
  const scale = busyUs > 0 ? (width - 2 * PAD) / busyUs : 0;
  const minUs = busyUs * minShare;

  const boxes: { frame: Frame; x: number; depth: number }[] = [];
  const place = (frame: Frame, x: number, depth: number): void => {
    if (frame.us <= 0 || frame.us < minUs) return;
    boxes.push({ frame, x, depth });
    for (const child of [...frame.children.values()].sort(heavyFirst)) {
      place(child, x, depth + 1);
      x += child.us * scale;
    }
  };
  place(root, PAD, 0);

  const depth = boxes.reduce((max, box) => Math.max(max, box.depth), 0);
  const height = TOP + (depth + 1) * ROW + PAD;
  const subtitle =
    `${ms(totalUs)} ms profiled, ${percent(idleUs, totalUs)} idle (not drawn); ` +
    `${ms(busyUs)} ms busy shown, frames under ${percent(minShare, 1)} hidden`;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="ui-monospace, Menlo, Consolas, monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fafafa"/>`,
    `<text x="${width / 2}" y="20" font-size="16" text-anchor="middle">${escapeXml(title)}</text>`,
    `<text x="${PAD}" y="40">${escapeXml(subtitle)}</text>`,
    ...legend(),
  ];
  for (const { frame, x, depth: d } of boxes) {
    const w = frame.us * scale;
    const y = TOP + (depth - d) * ROW;
    const tip = [label(frame), frame.where, `${ms(frame.us, 2)} ms, ${percent(frame.us, busyUs, 2)} of busy`];
    const text = fit(label(frame), w);
    out.push(
      `<g><title>${escapeXml(tip.filter(Boolean).join('\n'))}</title>` +
        `<rect x="${round(x)}" y="${y}" width="${round(w)}" height="${ROW - 1}" rx="2" fill="${colour(frame)}"/>` +
        (text ? `<text x="${round(x + 3)}" y="${y + 11.5}">${escapeXml(text)}</text>` : '') +
        `</g>`,
    );
  }
  out.push('</svg>', '');
  return out.join('\n');
}

function buildTree(profile: Profile): { root: Frame; totalUs: number; idleUs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = selfTimes(profile);
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const top = profile.nodes.find((node) => !childIds.has(node.id));
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    if (byId.get(id)?.callFrame.functionName === '(idle)') idleUs += us;
  }
  const root = frameOf(top?.callFrame ?? { functionName: '(root)', url: '', lineNumber: -1 });
  // Merge V8's call tree on function identity, so repeated paths share one frame.
  const visit = (node: ProfileNode, into: Frame): void => {
    into.us += selfUs.get(node.id) ?? 0;
    for (const id of node.children ?? []) {
      const child = byId.get(id);
      if (!child || child.callFrame.functionName === '(idle)') continue;
      const key = keyOf(child.callFrame);
      let frame = into.children.get(key);
      if (!frame) into.children.set(key, (frame = frameOf(child.callFrame)));
      visit(child, frame);
    }
  };
  if (top) visit(top, root);
  const sum = (frame: Frame): number => {
    for (const child of frame.children.values()) frame.us += sum(child);
    return frame.us;
  };
  sum(root);
  return { root, totalUs, idleUs };
}

function frameOf(call: ProfileNode['callFrame']): Frame {
  const { functionName, url, lineNumber } = call;
  const line = lineNumber + 1;
  const category: Category =
    url === ''
      ? functionName.startsWith('(')
        ? 'vm'
        : 'native'
      : url.startsWith('node:')
        ? 'node'
        : url.includes('/node_modules/')
          ? 'deps'
          : 'app';
  const location =
    url === ''
      ? ''
      : category === 'deps'
        ? packageOf(call)
        : category === 'node'
          ? `${url}:${line}`
          : `${url.slice(url.lastIndexOf('/') + 1)}:${line}`;
  return {
    name: functionName || '(anonymous)',
    location,
    where: url ? `${url}:${line}` : '',
    category,
    us: 0,
    children: new Map(),
  };
}

function keyOf(call: ProfileNode['callFrame']): string {
  return `${call.functionName}\0${call.url}\0${call.lineNumber}\0${call.columnNumber ?? ''}`;
}

function heavyFirst(a: Frame, b: Frame): number {
  return b.us - a.us || label(a).localeCompare(label(b));
}

function label(frame: Frame): string {
  return frame.location ? `${frame.name} ${frame.location}` : frame.name;
}

/** Truncates to what fits at ~7px per char, or nothing if even a stub would not. */
function fit(text: string, width: number): string {
  const room = Math.floor((width - 6) / CHAR_PX);
  const chars = Array.from(text);
  if (chars.length <= room) return text;
  return room >= 3 ? `${chars.slice(0, room - 1).join('')}…` : '';
}

function colour(frame: Frame): string {
  const hash = fnv(`${frame.name} ${frame.location}`);
  const byte = (shift: number): number => ((hash >>> shift) & 0xff) / 255;
  return rgb(PALETTES[frame.category](byte(0), byte(8), byte(16)));
}

function legend(): string[] {
  let x = PAD;
  return LEGEND.map(([category, name]) => {
    const item =
      `<rect x="${x}" y="47" width="12" height="12" fill="${rgb(PALETTES[category](0.5, 0.5, 0.5))}"/>` +
      `<text x="${x + 16}" y="57">${escapeXml(name)}</text>`;
    x += 16 + (name.length + 3) * CHAR_PX;
    return item;
  });
}

function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function rgb([r, g, b]: [number, number, number]): string {
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

function escapeXml(text: string): string {
  // Control characters other than tab/newline/CR are not allowed in XML 1.0 at all.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function ms(us: number, digits = 0): string {
  return (us / 1000).toFixed(digits);
}

function percent(part: number, whole: number, digits = 1): string {
  return `${whole > 0 ? ((part / whole) * 100).toFixed(digits) : '0'}%`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    options: { title: { type: 'string' }, 'min-share': { type: 'string', default: '0.002' } },
    allowPositionals: true,
  });
  const [input, output] = positionals;
  if (!input || !output)
    throw new Error('usage: bench/flamegraph.ts IN.cpuprofile OUT.svg [--title "..."] [--min-share 0.002]');
  const minShare = Number(values['min-share']);
  if (!(minShare >= 0 && minShare < 1)) throw new Error(`--min-share must be in [0, 1), got ${values['min-share']}`);
  const profile = JSON.parse(readFileSync(input, 'utf8')) as Profile;
  writeFileSync(output, renderFlameGraph(profile, { title: values.title ?? input, minShare }));
  console.log(`wrote ${output}`);
}
