// Compiles the receiver for its image: `node build.mjs <outDir>` writes <outDir>/receiver.mjs (receiver.ts
// with its types stripped by Node itself: no tsc or npm in the image build) and <outDir>/main.mjs, the
// entry point that starts it. The unit test runs exactly this output, so what is tested is what ships.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node build.mjs <outDir>');
const here = path.dirname(fileURLToPath(import.meta.url));
// Strip mode only accepts erasable syntax (no enums, namespaces, parameter properties): anything else
// fails here, at build time, instead of changing behaviour.
const source = readFileSync(path.join(here, 'receiver.ts'), 'utf8');
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'receiver.mjs'), stripTypeScriptTypes(source, { mode: 'strip' }));
writeFileSync(path.join(outDir, 'main.mjs'), "import { main } from './receiver.mjs';\nawait main();\n");
