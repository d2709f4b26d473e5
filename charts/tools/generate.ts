// Writes every chart's values.schema.json (from values-schema.ts) and the parameter table of its
// README.md (from the @param comments of values.yaml).
//   node --import tsx charts/tools/generate.ts           write them
//   node --import tsx charts/tools/generate.ts --check   exit 1 if any is stale (what the unit test checks)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withParameterTables } from './readme';
import { valuesSchemas } from './values-schema';

export const CHARTS_DIR = join(__dirname, '..');

export interface GeneratedFile {
  path: string;
  expected: string;
  actual: string | undefined;
}

export function generatedFiles(chartsDir = CHARTS_DIR): GeneratedFile[] {
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const files: GeneratedFile[] = [];
  for (const [chart, schema] of Object.entries(valuesSchemas())) {
    const schemaPath = join(chartsDir, chart, 'values.schema.json');
    files.push({
      path: schemaPath,
      expected: `${JSON.stringify(schema, null, 2)}\n`,
      actual: read(schemaPath),
    });
    const readmePath = join(chartsDir, chart, 'README.md');
    const readme = read(readmePath);
    if (readme === undefined) throw new Error(`${readmePath} is missing`);
    const values = readFileSync(join(chartsDir, chart, 'values.yaml'), 'utf8');
    files.push({ path: readmePath, expected: withParameterTables(readme, values), actual: readme });
  }
  return files;
}

if (require.main === module) {
  const stale = generatedFiles().filter((f) => f.expected !== f.actual);
  if (process.argv.includes('--check')) {
    for (const f of stale) console.error(`stale: ${f.path}`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const f of stale) {
    writeFileSync(f.path, f.expected);
    console.log(`wrote ${f.path}`);
  }
}
