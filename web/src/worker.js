// The engine's thread. demat's own engine, compiled to WebAssembly
// (web/engine-api.md), runs here so that the page's thread only draws and
// answers clicks: a simulated day at 100,000 citizens takes tens of
// milliseconds, which on the page's thread would freeze the controls.
//
// Protocol (page -> worker): init, start {toml, fileName, follow}, play
// {speed}, pause, step, stop. Worker -> page: ready, error, started {info,
// followed}, warmup {day}, days {rows}, done {results, trace}.

import { prewarm } from './prewarm.js';

let M = null;          // the engine module (createDematEngine())
let sim = null;        // the running Simulation
let playing = false;
let speed = 0;         // recorded days per second; 0 = as fast as the engine goes
let followed = null;   // citizen id traced in this run, or null
let followedAtStart = null;
let info = null;
let engineMs = 0;      // time spent inside sim.step(), warm-up included
let generation = 0;    // bumps on every start/stop so a stale loop ends itself

function post(type, payload = {}) {
  self.postMessage({ type, ...payload });
}

function parse(text) {
  return typeof text === 'string' ? JSON.parse(text) : text;
}

// The shipped scenarios are embedded in the engine under /scenarios/
// (web/engine-api.md), where the page's file, named
// scenarios/classroom_<lesson>.toml, finds its `base = "<lesson>.toml"`, as
// `demat run` would next to it.
async function init() {
  const mod = await import('./engine/demat_engine.js');
  const create = mod.default || mod.createDematEngine;
  M = await create();
  try {
    prewarm(M);
  } catch (e) {
    // Only a speed-up: a failure here shows again, with its message, on the
    // first real run.
  }
  post('ready');
}

function stop() {
  generation += 1;
  playing = false;
  if (sim) {
    sim.delete();
    sim = null;
  }
}

function start({ toml, fileName, follow }) {
  stop();
  try {
    sim = new M.Simulation(toml, fileName);
  } catch (e) {
    sim = null;
    post('error', { message: String(e && e.message ? e.message : e), where: 'scenario' });
    return;
  }
  info = parse(sim.describe());
  followed = null;
  if (follow) {
    try {
      // Each criteria set is tried in turn (the first is the narrowest).
      for (const criteria of follow) {
        const id = sim.findCitizen(JSON.stringify(criteria));
        if (id !== undefined && id !== null && id >= 0) {
          followed = id;
          break;
        }
      }
      if (followed !== null) {
        sim.setTrace([followed]);
        // Who they are when the story starts (age and employment change).
        followedAtStart = sim.citizenJSON ? parse(sim.citizenJSON(followed)) : { id: followed };
      }
    } catch (e) {
      post('error', { message: String(e && e.message ? e.message : e), where: 'follow' });
    }
  }
  engineMs = 0;
  post('started', { info, followed });
}

// What the page reads of a day (web/src/day.js): the rest of dayJSON (every
// segment's counts...) would only cost the page's thread time to receive.
const KEPT = ['counts', 'take_up_by_quintile', 'metrics/queue_length', 'metrics/queue_wait_days',
  'metrics/queue_served', 'metrics/helps_given', 'metrics/help_informal_unavailable', 'metrics/unclaimed_euros',
  'metrics/divide_index', 'metrics/procedures_completed_low_capital', 'metrics/autonomous_completions_low_capital',
  'control_by_quintile'];

function slim(full) {
  const row = {};
  for (const k of KEPT) if (k in full) row[k] = full[k];
  return row;
}

// One simulated day; returns the recorded day's row (null during warm-up).
function stepOnce() {
  const t0 = performance.now();
  const more = sim.step();
  engineMs += performance.now() - t0;
  const recorded = sim.recordedDay();
  let row = null;
  if (more && recorded >= 0) {
    row = slim(parse(sim.dayJSON()));
    row.day = recorded;
  }
  // step() simulates a day and returns true, or returns false doing
  // nothing once complete: the run is over when the last day is done.
  return { more: more && !sim.completed(), row, recorded };
}

// sim.counts() is flat (an Int32Array, day-major); /counts is [day][service][state].
function nested(flat, days, services, states) {
  const out = new Array(days);
  let i = 0;
  for (let d = 0; d < days; d++) {
    const day = new Array(services);
    for (let s = 0; s < services; s++) {
      const row = new Array(states);
      for (let k = 0; k < states; k++) row[k] = flat[i++];
      day[s] = row;
    }
    out[d] = day;
  }
  return out;
}

function finish() {
  const raw = parse(sim.counts());
  const S = info.services.length;
  const K = info.states.length;
  const counts = Array.isArray(raw) && Array.isArray(raw[0]) ? raw : nested(raw, Math.floor(raw.length / (S * K)), S, K);
  let trace = null;
  if (followed !== null) {
    trace = {
      citizen: followedAtStart,
      events: parse(sim.traceJSON(followed)),
    };
  }
  playing = false;
  post('done', {
    results: {
      seed: info.seed,
      population: info.population,
      days: info.days,
      warmup_days: info.warmup_days,
      services: info.services,
      states: info.states,
      counts,
      engine_ms: engineMs,
      engine_seconds: sim.engineSeconds ? sim.engineSeconds() : null,
      setup_seconds: sim.setupSeconds ? sim.setupSeconds() : null,
    },
    trace,
    followed,
  });
}

// Runs days in slices: between slices the worker goes back to its event
// loop, so that pause/step/stop messages are read at once.
function loop(gen) {
  if (gen !== generation || !playing || !sim) return;
  const slice = performance.now();
  const rows = [];
  const budget = speed > 0 ? 1 : Infinity;   // days per slice when paced
  let done = false;
  let recordedThisSlice = 0;
  while (performance.now() - slice < 30 && recordedThisSlice < budget) {
    const { more, row } = stepOnce();
    if (row) {
      rows.push(row);
      recordedThisSlice += 1;
    }
    if (!more) { done = true; break; }
  }
  if (rows.length) post('days', { rows });
  else if (sim.recordedDay() < 0) post('warmup', { day: sim.day(), total: info.warmup_days });
  if (done) { finish(); return; }
  const wait = speed > 0 && sim.recordedDay() >= 0 ? Math.max(0, 1000 / speed - (performance.now() - slice)) : 0;
  setTimeout(() => loop(gen), wait);
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    switch (msg.type) {
      case 'init':
        await init();
        break;
      case 'start':
        start(msg);
        break;
      case 'play':
        if (!sim || sim.completed()) break;
        speed = msg.speed || 0;
        if (!playing) {
          playing = true;
          loop(generation);
        }
        break;
      case 'speed':
        speed = msg.speed || 0;
        break;
      case 'pause':
        playing = false;
        generation += 1;
        break;
      case 'step': {
        // One recorded day (the whole warm-up first if it is not over).
        if (!sim || sim.completed()) break;
        playing = false;
        generation += 1;
        let out;
        do { out = stepOnce(); } while (out.more && !out.row);
        if (out.row) post('days', { rows: [out.row] });
        if (!out.more) finish();
        break;
      }
      case 'stop':
        stop();
        break;
      default:
        break;
    }
  } catch (e) {
    post('error', { message: String(e && e.message ? e.message : e), where: msg.type });
  }
};
