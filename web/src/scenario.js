// What the page runs is always a scenario file: a small TOML file that
// starts from one of demat's scenarios (`base = "..."`) and sets only what
// the teacher changed. The engine reads it exactly as `demat run` does, so
// the exported file reproduces the run on the command line.
import { parse } from 'smol-toml';

// Defaults of the keys the controls touch, from docs/model.md's parameter
// table, for files that leave them out.
const DEFAULTS = {
  complexity_first: 0.5,
  complexity_renewal: 0.3,
  outreach: 0.0,
  mediation_capacity: 0.0,
};

function merge(into, from) {
  for (const [key, value] of Object.entries(from)) {
    if (key === 'timeline') {
      into.timeline = (into.timeline || []).concat(value);
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      into[key] = merge(into[key] && typeof into[key] === 'object' ? into[key] : {}, value);
    } else {
      into[key] = value;
    }
  }
  return into;
}

// The scenario with its base chain applied, enough for the controls'
// starting values (the engine does the real resolution).
export function resolve(files, name, depth = 0) {
  if (!(name in files)) throw new Error(`unknown scenario '${name}'`);
  if (depth > 16) throw new Error(`too many nested base files from '${name}'`);
  const own = parse(files[name]);
  const base = own.base ? resolve(files, own.base, depth + 1) : {};
  return merge(base, own);
}

function channelValue(resolved, channel, key, fallback) {
  const c = resolved.channels && resolved.channels[channel];
  return c && key in c ? c[key] : fallback;
}

// The fewest recorded days that keep every timeline event inside the run
// (the reader refuses an event dated after the last day).
export function minDays(resolved) {
  return (resolved.timeline || []).reduce((m, e) => Math.max(m, (e.day ?? 0) + 1), 1);
}

// The values the controls start from for a scenario file.
export function controlsOf(resolved) {
  const services = Object.keys(resolved.services || {});
  return {
    seed: resolved.seed ?? 1,
    days: resolved.days ?? 730,
    population: (resolved.population && resolved.population.size) || 100000,
    channels: Object.fromEntries(['online', 'phone', 'counter', 'mediation']
      .map((ch) => [ch, channelValue(resolved, ch, 'enabled', true)])),
    mediationCapacity: channelValue(resolved, 'mediation', 'capacity_per_10k', DEFAULTS.mediation_capacity),
    mediationMode: (resolved.mediation && resolved.mediation.mode) || 'doing_for',
    complexity: 1,
    outreach: 1,
    services,
  };
}

function num(x) {
  // Shortest text that reads back to the same double, as TOML wants a float
  // to carry a decimal point or exponent.
  const text = String(x);
  return /[.eE]/.test(text) || !Number.isFinite(x) ? text : text + '.0';
}

const round4 = (x) => Math.round(x * 10000) / 10000;

// The scenario file of a run: base + what differs from it.
// `changes` holds the controls' values; `start` the values of the base file.
export function scenarioToml(baseName, resolved, start, changes) {
  const lines = [
    `# Written by the demat classroom page (${new Date().toISOString().slice(0, 10)}).`,
    '# Save it in demat\'s scenarios/ folder (the base below is read relative to',
    '# this file), then run it with the command line:',
    '#   demat run scenarios/THIS_FILE.toml',
    '# The same seed gives the same counts as the page, day by day.',
    '',
    `base = "${baseName}"`,
    `name = "classroom_${baseName.replace(/\.toml$/, '')}"`,
    `seed = ${Math.trunc(changes.seed)}`,
    `days = ${Math.trunc(changes.days)}`,
    '',
    '[population]',
    `size = ${Math.trunc(changes.population)}`,
  ];
  for (const ch of ['online', 'phone', 'counter', 'mediation']) {
    const keys = [];
    if (changes.channels[ch] !== start.channels[ch]) keys.push(`enabled = ${changes.channels[ch] ? 'true' : 'false'}`);
    if (ch === 'mediation' && changes.mediationCapacity !== start.mediationCapacity) {
      keys.push(`capacity_per_10k = ${num(changes.mediationCapacity)}`);
    }
    if (keys.length) lines.push('', `[channels.${ch}]`, ...keys);
  }
  if (changes.mediationMode !== start.mediationMode) {
    lines.push('', '[mediation]', `mode = "${changes.mediationMode}"`);
  }
  if (changes.complexity !== 1 || changes.outreach !== 1) {
    for (const s of start.services) {
      const svc = resolved.services[s] || {};
      const keys = [];
      if (changes.complexity !== 1) {
        for (const k of ['complexity_first', 'complexity_renewal']) {
          const v = svc[k] ?? DEFAULTS[k];
          keys.push(`${k} = ${num(Math.min(1, round4(v * changes.complexity)))}`);
        }
      }
      if (changes.outreach !== 1) {
        const v = svc.outreach ?? DEFAULTS.outreach;
        keys.push(`outreach = ${num(Math.min(1, round4(v * changes.outreach)))}`);
      }
      lines.push('', `[services.${s}]`, ...keys);
    }
  }
  return lines.join('\n') + '\n';
}
