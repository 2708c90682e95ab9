// V8 starts a WebAssembly module on its baseline compiler and optimises
// the functions that run hot while they run, so the first run after
// loading the engine is the slowest (docs/performance.md, "The classroom
// page"). A small run made as soon as the engine is loaded, while the class
// looks at the page, puts the engine's hot functions through that first
// and leaves the lesson's first run a warm one. Its results are thrown
// away: it only runs the engine's code.
export const PREWARM_TOML = 'base = "hybrid.toml"\nseed = 1\nwarmup_days = 120\ndays = 240\n\n[population]\nsize = 5000\n';

export function prewarm(M) {
  const sim = new M.Simulation(PREWARM_TOML, 'scenarios/__prewarm.toml');
  try {
    while (sim.step());
  } finally {
    sim.delete();
  }
}
