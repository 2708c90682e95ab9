// Runs demat's WebAssembly engine under node on a shipped scenario with
// overrides, the way the classroom page does (a derived TOML text with
// `base = "<scenario>"`), and prints a JSON object on stdout:
// {describe, counts (flat [day][service][state]), shape, detmath, trace,
//  control (the last day's control_by_quintile, null without control),
//  engine_seconds, setup_seconds, wall_seconds}.
//
//   node tests/web/run_engine.mjs ENGINE_JS SCENARIO_FILE_NAME POPULATION SEED DAYS [TRACE_IDS]
//
// SCENARIO_FILE_NAME is a file of scenarios/ (e.g. online_only.toml), read
// from the scenarios embedded in the engine. TRACE_IDS: comma-separated.
import { pathToFileURL } from 'url';
import path from 'path';

const [enginePath, scenario, population, seed, days, traceIds] = process.argv.slice(2);
if (!enginePath || !scenario || !population || !seed || !days) {
  console.error('usage: run_engine.mjs ENGINE_JS SCENARIO_FILE_NAME POPULATION SEED DAYS [TRACE_IDS]');
  process.exit(2);
}
const createDematEngine = (await import(pathToFileURL(path.resolve(enginePath)).href)).default;
const M = await createDematEngine();
// DEMAT_PREWARM=1: the page's small run right after loading the engine
// (web/src/prewarm.js) before the measured one, as the classroom page does.
if (process.env.DEMAT_PREWARM === '1') {
  const { prewarm } = await import(pathToFileURL(path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'web', 'src', 'prewarm.js')).href);
  prewarm(M);
}
const toml = `base = "${scenario}"\nseed = ${seed}\ndays = ${days}\n\n[population]\nsize = ${population}\n`;
const started = performance.now();
const sim = new M.Simulation(toml, 'scenarios/__web_test.toml');
const trace = traceIds ? traceIds.split(',').map(Number) : [];
if (trace.length) sim.setTrace(trace);
let recorded = 0;
let control = null;
while (sim.step()) {
  if (sim.recordedDay() >= 0) {
    // Exercise the streaming path on every recorded day, as the page does.
    const day = JSON.parse(sim.dayJSON());
    control = day.control_by_quintile ?? null;
    if (day.recorded_day !== recorded) throw new Error(`dayJSON: recorded_day ${day.recorded_day}, expected ${recorded}`);
    recorded++;
  }
}
const wall = (performance.now() - started) / 1000;
const describe = JSON.parse(sim.describe());
const counts = Array.from(sim.counts());
const out = {
  describe,
  shape: [recorded, describe.services.length, describe.states.length],
  counts,
  detmath: M.detmathChecksum(),
  trace: trace.length ? JSON.parse(sim.traceJSON(-1)) : [],
  control,
  engine_seconds: sim.engineSeconds(),
  setup_seconds: sim.setupSeconds(),
  stats: JSON.parse(sim.statsJSON()),
  wall_seconds: wall,
};
sim.delete();
// DEMAT_WARM_RUNS=K: K more runs of the same scenario in this process, once
// the JIT has compiled the engine fully (V8 starts a module on its baseline
// compiler and optimises it while it runs): the best engine time of those.
const warmRuns = Number(process.env.DEMAT_WARM_RUNS || 0);
for (let i = 0; i < warmRuns; i++) {
  const again = new M.Simulation(toml, 'scenarios/__web_test.toml');
  while (again.step());
  const t = again.engineSeconds();
  out.warm_engine_seconds = Math.min(out.warm_engine_seconds ?? Infinity, t);
  again.delete();
}
process.stdout.write(JSON.stringify(out));
