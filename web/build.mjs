// Builds the classroom page into web/dist/: the page's scripts bundled by
// esbuild, its HTML and CSS, uPlot's CSS and the scenarios of scenarios/
// (with an index the page reads). The WebAssembly engine is built into
// dist/engine/ by scripts/build-web.sh and left alone here.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const scenarios = join(here, '..', 'scenarios');
mkdirSync(join(dist, 'scenarios'), { recursive: true });

const common = { bundle: true, format: 'esm', target: 'es2020', minify: true, sourcemap: false, logLevel: 'warning', legalComments: 'none' };
await build({ ...common, entryPoints: [join(here, 'src', 'main.js')], outfile: join(dist, 'app.js') });
// The engine is imported by the worker at run time, not bundled: it is
// another build's output (emscripten), loaded with its .wasm next to it.
await build({ ...common, entryPoints: [join(here, 'src', 'worker.js')], outfile: join(dist, 'worker.js'), external: ['./engine/*'] });

cpSync(join(here, 'index.html'), join(dist, 'index.html'));
cpSync(join(here, 'style.css'), join(dist, 'style.css'));
cpSync(join(here, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(dist, 'uPlot.min.css'));

const names = readdirSync(scenarios).filter((n) => n.endsWith('.toml')).sort();
for (const n of names) writeFileSync(join(dist, 'scenarios', n), readFileSync(join(scenarios, n)));
writeFileSync(join(dist, 'scenarios', 'index.json'), JSON.stringify(names) + '\n');
console.log(`web/dist: page built, ${names.length} scenarios`);
