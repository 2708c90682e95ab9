// The scenario files the page writes (web/src/scenario.js) mean what its
// controls say: for every shipped scenario and a set of control changes,
// `demat validate` resolves the written file, and every value the page set
// (seed, days, population, channel toggles, mediation capacity and mode,
// complexity and outreach scaled from the base file's values) is the one
// the engine will run. The scaling is checked against `demat validate` of
// the unchanged scenario, so a default or a base chain the page got wrong
// fails here.
//
//   node tests/web/scenario_test.mjs --demat build/bin/demat
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolvePath(here, '..', '..');
const { resolve, controlsOf, scenarioToml, minDays } = await import(join(source, 'web', 'src', 'scenario.js'));
const { parse } = createRequire(join(source, 'web', 'package.json'))('smol-toml');
const args = process.argv.slice(2);
const demat = args.includes('--demat') ? args[args.indexOf('--demat') + 1] : join(source, 'build', 'bin', 'demat');

let failures = 0;
let checks = 0;
function check(ok, what) {
  checks += 1;
  if (!ok) {
    failures += 1;
    console.log(`FAIL ${what}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'demat-page-toml-'));
function validate(file) {
  const r = spawnSync(demat, ['validate', file], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`demat validate ${file} failed (${r.status}): ${r.stderr}`);
  // The resolved scenario is the TOML before the last line ("...: valid (...)").
  return parse(r.stdout.slice(0, r.stdout.lastIndexOf('\n', r.stdout.length - 2)));
}

try {
  const names = readdirSync(join(source, 'scenarios')).filter((n) => n.endsWith('.toml')).sort();
  const files = {};
  for (const n of names) {
    copyFileSync(join(source, 'scenarios', n), join(dir, n));
    files[n] = readFileSync(join(source, 'scenarios', n), 'utf8');
  }
  const variants = [
    (s) => ({ ...s, seed: 7, days: 90, population: 2000 }),
    (s) => ({ ...s, seed: 3, days: 200, population: 5000,
      channels: { ...s.channels, phone: !s.channels.phone, counter: !s.channels.counter },
      mediationCapacity: 9.5, mediationMode: s.mediationMode === 'doing_for' ? 'doing_with' : 'doing_for' }),
    (s) => ({ ...s, seed: 11, days: 365, population: 1000, complexity: 1.5, outreach: 4,
      channels: { online: true, phone: false, counter: false, mediation: !s.channels.mediation } }),
    (s) => ({ ...s, seed: 0, days: 30, population: 100000, complexity: 0.25, outreach: 0 }),
  ];
  for (const name of names) {
    const resolved = resolve(files, name);
    const start = controlsOf(resolved);
    const original = validate(join(dir, name));
    check(JSON.stringify(start.services) === JSON.stringify(Object.keys(original.services)),
      `${name}: the page lists the services of the scenario in its order (${start.services})`);
    variants.forEach((variant, v) => {
      const changes = variant(start);
      changes.days = Math.max(changes.days, minDays(resolved));
      const file = join(dir, `classroom_${v}_${name}`);
      writeFileSync(file, scenarioToml(name, resolved, start, changes));
      const got = validate(file);
      const where = `${name} variant ${v}`;
      check(got.seed === changes.seed && got.days === changes.days && got.population.size === changes.population,
        `${where}: seed, days, population (${got.seed}, ${got.days}, ${got.population.size})`);
      check(got.mediation.mode === changes.mediationMode, `${where}: mediation mode ${got.mediation.mode}`);
      for (const s of start.services) {
        const svc = got.services[s];
        const base = original.services[s];
        for (const ch of ['online', 'phone', 'counter', 'mediation']) {
          // A toggle the teacher did not touch leaves the file's value,
          // which may differ service by service.
          const expected = changes.channels[ch] === start.channels[ch] ? base.channels[ch].enabled : changes.channels[ch];
          check(svc.channels[ch].enabled === expected, `${where}: ${s} ${ch} enabled ${svc.channels[ch].enabled}, expected ${expected}`);
        }
        const cap = changes.mediationCapacity === start.mediationCapacity ? base.channels.mediation.capacity_per_10k : changes.mediationCapacity;
        check(Math.abs(svc.channels.mediation.capacity_per_10k - cap) < 1e-12, `${where}: ${s} mediation capacity ${svc.channels.mediation.capacity_per_10k}, expected ${cap}`);
        const scaled = (x, m) => Math.min(1, Math.round(x * m * 10000) / 10000);
        for (const k of ['complexity_first', 'complexity_renewal']) {
          const expected = changes.complexity === 1 ? base[k] : scaled(base[k], changes.complexity);
          check(Math.abs(svc[k] - expected) < 1e-12, `${where}: ${s} ${k} ${svc[k]}, expected ${expected}`);
        }
        const expectedOutreach = changes.outreach === 1 ? base.outreach : scaled(base.outreach, changes.outreach);
        check(Math.abs(svc.outreach - expectedOutreach) < 1e-12, `${where}: ${s} outreach ${svc.outreach}, expected ${expectedOutreach}`);
      }
    });
    // The page's starting values are the file's own.
    const first = Object.values(original.services)[0];
    check(start.mediationCapacity === first.channels.mediation.capacity_per_10k,
      `${name}: the mediation slider starts at the file's capacity (${start.mediationCapacity} vs ${first.channels.mediation.capacity_per_10k})`);
    check(start.mediationMode === original.mediation.mode, `${name}: the mode starts at the file's (${start.mediationMode})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
