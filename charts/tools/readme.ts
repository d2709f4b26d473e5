// README parameter tables generated from the `## @section` and `## @param <path> <description>`
// comments of a chart's values.yaml (Bitnami's convention), with each default read from the
// values themselves. The table sits between two markers in the chart's README.md; the text around
// it is written by hand.
import { parse } from 'yaml';

export const TABLE_START =
  '<!-- parameters:start (generated from values.yaml by charts/tools/generate.ts) -->';
export const TABLE_END = '<!-- parameters:end -->';

export interface Parameter {
  path: string;
  description: string;
}

export interface Section {
  title: string;
  parameters: Parameter[];
}

export function parseParameterComments(valuesYaml: string): Section[] {
  const sections: Section[] = [];
  for (const line of valuesYaml.split('\n')) {
    const section = /^## @section (.+)$/.exec(line);
    if (section) {
      sections.push({ title: section[1]!.trim(), parameters: [] });
      continue;
    }
    const param = /^## @param (\S+) (.+)$/.exec(line);
    if (param) {
      if (!sections.length) sections.push({ title: 'Parameters', parameters: [] });
      sections.at(-1)!.parameters.push({ path: param[1]!, description: param[2]!.trim() });
    }
  }
  return sections;
}

function valueAt(values: unknown, path: string): { found: boolean; value?: unknown } {
  let current: unknown = values;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(key in current)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/**
 * The Markdown tables of a values.yaml. Throws when a @param names a key that is not in the values,
 * or a leaf value has no @param: the table is then wrong, not merely incomplete.
 */
export function parameterTables(valuesYaml: string): string {
  const values = parse(valuesYaml) as Record<string, unknown>;
  const sections = parseParameterComments(valuesYaml);
  const documented = new Set<string>();
  const out: string[] = [];
  for (const section of sections) {
    if (!section.parameters.length) continue;
    out.push(`### ${section.title}`, '', '| Name | Description | Default |', '| --- | --- | --- |');
    for (const { path, description } of section.parameters) {
      const { found, value } = valueAt(values, path);
      if (!found) throw new Error(`@param ${path}: no such key in values.yaml`);
      documented.add(path);
      out.push(`| \`${path}\` | ${cell(description)} | \`${cell(JSON.stringify(value))}\` |`);
    }
    out.push('');
  }
  const undocumented = leafPaths(values).filter(
    (p) => ![...documented].some((d) => p === d || p.startsWith(`${d}.`)),
  );
  if (undocumented.length) throw new Error(`values without a @param comment: ${undocumented.join(', ')}`);
  return out.join('\n').trimEnd();
}

/** Paths of the values a user sets: objects are descended into, except empty ones. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.keys(value).length) {
    return prefix ? [prefix] : [];
  }
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

/** The README with its table replaced by the one generated from values.yaml. */
export function withParameterTables(readme: string, valuesYaml: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${TABLE_START} … ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${parameterTables(valuesYaml)}\n\n${readme.slice(end)}`;
}
