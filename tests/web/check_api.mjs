// The JavaScript API of web/engine-api.md, beyond the counts that
// check_determinism.py compares: errors, the day stream, the trace and
// findCitizen. Exit 0 when every check holds, 1 otherwise.
//
//   node tests/web/check_api.mjs ENGINE_JS
import { pathToFileURL } from 'url';
import path from 'path';
import assert from 'assert/strict';

const createDematEngine = (await import(pathToFileURL(path.resolve(process.argv[2])).href)).default;
const M = await createDematEngine();
let failures = 0;
function check(name, fn) {
  try {
    fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
const small = (extra = '') => `base = "hybrid.toml"\nseed = 5\ndays = 60\nwarmup_days = 30\n${extra}\n[population]\nsize = 2000\n`;

check('a bad value throws an Error naming the file, the line, the key and what was expected', () => {
  assert.throws(() => new M.Simulation('base = "hybrid.toml"\ndays = 0\n', 'scenarios/lesson.toml'), (e) => {
    assert.ok(e instanceof Error, 'an Error');
    assert.match(e.message, /^scenarios\/lesson\.toml:2: /);
    assert.match(e.message, /'days'/);
    assert.match(e.message, /expected an integer in \[1, /);
    return true;
  });
});
check('an unknown key and a TOML syntax error are refused too', () => {
  assert.throws(() => new M.Simulation(small('colour = 3'), 'scenarios/x.toml'), /x\.toml:\d+: .*colour/);
  assert.throws(() => new M.Simulation('days = = 3', 'scenarios/y.toml'), /y\.toml:1/);
  assert.throws(() => new M.Simulation('base = "nowhere.toml"', 'scenarios/z.toml'), /nowhere\.toml/);
});
check('the engine still works after a refused scenario (no leaked state)', () => {
  const sim = new M.Simulation(small(), 'scenarios/ok.toml');
  assert.equal(sim.step(), true);
  sim.delete();
});
check('describe, the day stream and counts agree', () => {
  const sim = new M.Simulation(small(), 'scenarios/ok.toml');
  const info = JSON.parse(sim.describe());
  assert.equal(info.seed, 5);
  assert.equal(info.population, 2000);
  assert.equal(info.days, 60);
  assert.equal(info.warmup_days, 30);
  assert.deepEqual(info.states, ['eligible', 'receiving', 'non_knowledge', 'non_demand', 'in_progress', 'non_receipt',
                                 'interrupted']);
  assert.deepEqual(info.channels, ['online', 'phone', 'counter', 'mediation']);
  assert.equal(sim.day(), -1);
  assert.equal(sim.dayJSON(), 'null');
  let steps = 0;
  const streamed = [];
  while (sim.step()) {
    steps++;
    assert.equal(sim.day(), steps - 1);
    if (steps <= 30) assert.equal(sim.recordedDay(), -1);
    else {
      const d = JSON.parse(sim.dayJSON());
      assert.equal(d.recorded_day, steps - 31);
      streamed.push(d);
    }
  }
  assert.equal(steps, 90);
  assert.equal(sim.completed(), true);
  assert.equal(sim.step(), false);
  const counts = sim.counts();
  assert.ok(counts instanceof Int32Array);
  const S = info.services.length;
  assert.equal(counts.length, 60 * S * 7);
  for (let d = 0; d < 60; d++)
    for (let s = 0; s < S; s++) {
      const row = Array.from(counts.slice((d * S + s) * 7, (d * S + s + 1) * 7));
      assert.deepEqual(streamed[d].counts[s], row, `day ${d} service ${s}`);
      assert.equal(row[0], row.slice(1).reduce((a, b) => a + b, 0), 'eligible = sum of the six states');
      const q = streamed[d]['segments/capital_quintile/counts'][s];
      const rate = q.map((g) => (g[0] > 0 ? g[1] / g[0] : null));
      assert.deepEqual(streamed[d].take_up_by_quintile[s], rate);
    }
  for (const key of ['metrics/take_up_rate', 'metrics/unclaimed_euros', 'metrics/divide_index', 'metrics/queue_length',
                     'metrics/queue_wait_days', 'metrics/helps_given', 'mean_wait_days'])
    assert.ok(key in streamed[0], key);
  const all = JSON.parse(sim.resultsJSON());
  assert.deepEqual(all.arrays.counts.data.flat(2), Array.from(counts));
  assert.ok('helpers/burden' in all.arrays && 'non_take_up/quarter' in all.arrays);
  sim.delete();
});
check('findCitizen and citizenJSON agree; setTrace gives that citizen\'s story; bad criteria throw', () => {
  const sim = new M.Simulation(small(), 'scenarios/ok.toml');
  const id = sim.findCitizen('{"age":[55,64],"capital_quintile":1}');
  assert.ok(id >= 0);
  const who = JSON.parse(sim.citizenJSON(id));
  assert.ok(who.age >= 55 && who.age <= 64 && who.capital_quintile === 1);
  const next = sim.findCitizen(`{"age":[55,64],"capital_quintile":1,"from":${id + 1}}`);
  assert.ok(next > id);
  assert.equal(sim.findCitizen('{"age":[200,300]}'), -1);
  assert.throws(() => sim.findCitizen('{"colour":"red"}'), /unknown criterion 'colour'/);
  assert.throws(() => sim.findCitizen('{"equipment":"tablet"}'), /'equipment' must be one of none, smartphone_only, computer/);
  const traced = [];
  for (let from = 0; traced.length < 20;) {
    const c = sim.findCitizen(`{"eligible_for":"minimum_income","from":${from}}`);
    if (c < 0) break;
    traced.push(c);
    from = c + 1;
  }
  assert.ok(traced.length > 0);
  sim.setTrace(traced);
  while (sim.step());
  assert.throws(() => sim.setTrace([0]), /before the first step/);
  const story = JSON.parse(sim.traceJSON(-1));
  assert.ok(story.length > 0, 'events');
  for (const e of story) assert.ok(traced.includes(e.citizen));
  const one = JSON.parse(sim.traceJSON(traced[0]));
  assert.deepEqual(one, story.filter((e) => e.citizen === traced[0]));
  const kinds = JSON.parse(sim.describe()).trace_events;
  for (const e of story) assert.ok(kinds.includes(e.event), e.event);
  sim.delete();
});
check('scenarioTOML reads back to the same run', () => {
  const a = new M.Simulation(small('[channels.counter]\nenabled = false\n'), 'scenarios/ok.toml');
  const b = new M.Simulation(a.scenarioTOML(), 'scenarios/resolved.toml');
  while (a.step());
  while (b.step());
  assert.deepEqual(Array.from(a.counts()), Array.from(b.counts()));
  a.delete();
  b.delete();
});
process.exit(failures ? 1 : 0);
