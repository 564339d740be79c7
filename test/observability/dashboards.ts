import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

export interface TemplateVariable {
  readonly name: string;
  readonly type: string;
  readonly definition?: string;
  readonly regex?: string;
}

export interface Dashboard {
  readonly file: string;
  readonly variables: readonly TemplateVariable[];
  readonly queries: readonly PanelQuery[];
}

export function readDashboards(dir: string): Dashboard[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        panels?: Panel[];
        templating?: { list?: TemplateVariable[] };
      };
      const queries: PanelQuery[] = [];
      const visit = (panels: Panel[] = []) => {
        for (const panel of panels) {
          for (const target of panel.targets ?? []) {
            if (target.expr) queries.push({ dashboard: file, panel: panel.title ?? '', expr: target.expr });
          }
          visit(panel.panels);
        }
      };
      visit(json.panels);
      return { file, variables: json.templating?.list ?? [], queries };
    });
}

/** Grafana's built-in interval variables, as Grafana would fill them for a scrape interval of a few seconds. */
const BUILT_INS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

/** `label_values(metric, label)` → its parts. */
export function parseLabelValues(definition: string): { metric: string; label: string } | undefined {
  const match = /^label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(definition.trim());
  return match ? { metric: match[1]!, label: match[2]! } : undefined;
}

/** Replaces `$name`, `${name}` and `[[name]]` with the values (a regex alternation for multi-value variables). */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  const all = { ...BUILT_INS, ...values };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    const value = all[name];
    if (value === undefined) throw new Error(`no value for variable ${whole} in: ${expr}`);
    return value;
  });
}

/** `/.*order-service.*\/` → RegExp */
export function grafanaRegex(regex: string | undefined): RegExp | undefined {
  if (!regex) return undefined;
  const match = /^\/(.*)\/([a-z]*)$/.exec(regex);
  return match ? new RegExp(match[1]!, match[2]) : new RegExp(regex);
}
