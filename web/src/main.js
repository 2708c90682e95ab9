// The classroom page: controls, figures and the citizen's timeline. The
// engine runs in worker.js; this thread only draws and answers clicks.
import { defaultLanguage, t, serviceName } from './i18n.js';
import { resolve, controlsOf, scenarioToml, minDays } from './scenario.js';
import { Figure, drawGauge, QUINTILE_COLOURS, QUINTILE_DASHES, OKABE_ITO } from './charts.js';
import { readDay } from './day.js';
import { renderTimeline, PERSONS } from './timeline.js';

const $ = (id) => document.getElementById(id);

// Lessons: which scenario file each one runs and what it changes in it.
// docs/classroom.md says what each shows and why.
export const PRESETS = [
  { id: 'baseline', file: 'hybrid.toml', service: 'minimum_income' },
  { id: 'online_only', file: 'online_only.toml', service: 'minimum_income' },
  { id: 'mediation', file: 'online_with_mediation.toml', service: 'minimum_income' },
  { id: 'doing_with', file: 'online_with_mediation.toml', service: 'minimum_income', set: { mediationMode: 'doing_with' } },
  { id: 'automatic', file: 'automatic_to_claim.toml', service: 'energy_cheque' },
  { id: 'outage', file: 'outage.toml', service: 'minimum_income' },
  { id: 'control', file: 'algorithmic_control.toml', service: 'minimum_income' },
];

const SPEEDS = [5, 15, 30, 60, 120, 250, 0]; // days per second; 0 = as fast as the engine goes
const NTU_STATES = ['non_knowledge', 'non_demand', 'in_progress', 'non_receipt', 'interrupted'];
const STAFFED = ['phone', 'counter', 'mediation'];

const page = {
  lang: defaultLanguage(location.search, navigator.languages),
  files: {},          // scenario file name -> TOML text
  scenario: 'hybrid.toml',
  resolved: null,
  start: null,        // the controls' values of the scenario file
  worker: null,
  ready: false,
  info: null,         // sim.describe() of the current run
  running: false,     // a run is loaded in the worker and not finished
  playing: false,
  finished: false,
  dirty: true,        // controls changed since the run was started
  rows: [],           // every recorded day of the current run, as read
  service: 'minimum_income',
  follow: null,       // criteria of the followed person, or null
  followLabel: '',
  trace: null,
  followed: null,
  lastToml: '',
  lastDivide: null,
  prevDivide: null,
  pending: false,     // a redraw is scheduled
};

function i18n() {
  document.documentElement.lang = page.lang;
  document.title = t(page.lang, 'title');
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(page.lang, el.dataset.i18n);
  }
  for (const p of PRESETS) {
    const b = $(`preset-${p.id}`);
    if (b) b.textContent = t(page.lang, `preset_${p.id}`);
  }
  if (figures.takeup) {
    figures.takeup.relabel([1, 2, 3, 4, 5].map((q) => t(page.lang, 'quintile', { q })));
    figures.ntu.relabel(NTU_STATES.map((s) => t(page.lang, `st_${s}`)).reverse());
    figures.queues.relabel(STAFFED.map((c) => t(page.lang, `ch_${c}`)));
    figures.helpers.relabel([t(page.lang, 'helps_given'), t(page.lang, 'help_unavailable')]);
    figures.money.relabel([t(page.lang, 'unclaimed')]);
  }
  for (const o of $('service').options) o.textContent = serviceName(page.lang, o.value);
  updateOutputs();
  drawDivide();
  renderFollow();
  status();
}

// ---- status line -----------------------------------------------------------

let statusKey = 'status_loading';
let statusVars = {};
function status(key, vars) {
  if (key) { statusKey = key; statusVars = vars || {}; }
  $('status').textContent = t(page.lang, statusKey, statusVars);
}

function progress(fraction) {
  $('progress-bar').style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

// ---- controls --------------------------------------------------------------

function controls() {
  return {
    seed: Math.max(0, Math.trunc(Number($('seed').value) || 0)),
    days: Math.max(1, Math.trunc(Number($('days').value) || 1)),
    population: Math.trunc(Number($('population').value)),
    channels: Object.fromEntries(['online', 'phone', 'counter', 'mediation'].map((c) => [c, $(`ch-${c}`).checked])),
    mediationCapacity: Number($('mediation-capacity').value),
    mediationMode: $('mediation-mode').value,
    complexity: Number($('complexity').value),
    outreach: Number($('outreach').value),
  };
}

function speed() {
  return SPEEDS[Number($('speed').value)];
}

function updateOutputs() {
  $('mediation-capacity-out').textContent = Number($('mediation-capacity').value).toFixed(1);
  $('complexity-out').textContent = `×${Number($('complexity').value).toFixed(2)}`;
  $('outreach-out').textContent = `×${Number($('outreach').value).toFixed(1)}`;
  $('population-out').textContent = Number($('population').value).toLocaleString(page.lang === 'fr' ? 'fr-FR' : 'en-GB');
  const s = speed();
  $('speed-out').textContent = s ? String(s) : t(page.lang, 'speed_max');
}

// Loads a scenario file's values into the controls (population, seed and
// days stay as the teacher set them).
function loadScenario(file) {
  page.scenario = file;
  page.resolved = resolve(page.files, file);
  page.start = controlsOf(page.resolved);
  $('scenario').value = file;
  for (const c of ['online', 'phone', 'counter', 'mediation']) $(`ch-${c}`).checked = page.start.channels[c];
  $('mediation-capacity').value = page.start.mediationCapacity;
  $('mediation-mode').value = page.start.mediationMode;
  $('complexity').value = 1;
  $('outreach').value = 1;
  const svc = $('service');
  svc.innerHTML = '';
  for (const s of page.start.services) {
    const o = document.createElement('option');
    o.value = s;
    o.textContent = serviceName(page.lang, s);
    svc.appendChild(o);
  }
  if (page.start.services.includes(page.service)) svc.value = page.service;
  else page.service = svc.value;
  // A lesson whose policy changes on day 180 needs more than 180 days.
  const least = minDays(page.resolved);
  $('days').min = least;
  if (Number($('days').value) < least) $('days').value = Math.max(365, least + 90);
  page.dirty = true;
  updateOutputs();
}

function currentToml() {
  return scenarioToml(page.scenario, page.resolved, page.start, controls());
}

// ---- figures ---------------------------------------------------------------

const figures = {};

function buildFigures() {
  const pct = (v) => `${Math.round(v * 100)}%`;
  figures.takeup = new Figure($('fig-takeup').querySelector('.plot'), {
    yLabel: '', yFormat: pct, yRange: [0, 1],
    series: QUINTILE_COLOURS.map((c, q) => ({ label: `Q${q + 1}`, stroke: c, dash: QUINTILE_DASHES[q], width: q === 0 ? 4 : 3 })),
  });
  // Stacked: each series is the running total, drawn largest first so
  // that each fill sits on the one below it.
  figures.ntu = new Figure($('fig-ntu').querySelector('.plot'), {
    yFormat: pct, yRange: [0, 1], stacked: true,
    series: NTU_STATES.map((s, i) => ({ label: s, stroke: OKABE_ITO[i], fill: OKABE_ITO[i], width: 1 })).reverse(),
  });
  figures.queues = new Figure($('fig-queues').querySelector('.plot'), {
    series: STAFFED.map((c, i) => ({ label: c, stroke: OKABE_ITO[i + 3], dash: [[], [10, 5], [3, 3]][i] })),
  });
  figures.helpers = new Figure($('fig-helpers').querySelector('.plot'), {
    series: [{ label: 'helps', stroke: OKABE_ITO[3] }, { label: 'unavailable', stroke: OKABE_ITO[4], dash: [10, 5] }],
  });
  figures.money = new Figure($('fig-money').querySelector('.plot'), {
    yFormat: (v) => (Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(1)} M€` : Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(0)} k€` : `${Math.round(v)} €`),
    series: [{ label: 'unclaimed', stroke: OKABE_ITO[7] }],
  });
  // Controls per 1,000 recipient units and month, by capital quintile,
  // cumulated over the rounds so far: who the scorer picks.
  figures.control = new Figure($('fig-control').querySelector('.plot'), {
    yFormat: (v) => v.toFixed(0),
    series: QUINTILE_COLOURS.map((c, q) => ({ label: `Q${q + 1}`, stroke: c, dash: QUINTILE_DASHES[q], width: q === 0 ? 4 : 3 })),
  });
  window.addEventListener('resize', () => Object.values(figures).forEach((f) => f.resize()));
}

function serviceIndex() {
  return page.info ? page.info.services.indexOf(page.service) : -1;
}

function pushRow(d) {
  const s = serviceIndex();
  figures.takeup.push(d.day, d.takeUpByQuintile(s));
  const shares = d.nonTakeUpShares(s, NTU_STATES);
  const cumulative = [];
  shares.reduce((acc, v, i) => { cumulative[i] = v === null ? null : acc + v; return acc + (v || 0); }, 0);
  figures.ntu.push(d.day, cumulative.slice().reverse());
  figures.queues.push(d.day, STAFFED.map((c) => d.queueLength(c)));
  figures.helpers.push(d.day, [d.helpsGiven(), d.helpUnavailable()]);
  figures.money.push(d.day, [d.unclaimedEuros()]);
  const c = d.controlByQuintile();
  figures.control.push(d.day, c ? c.control_rate_per_1000 : [null, null, null, null, null]);
  page.lastDivide = d.divide(s);
}

// At most one redraw every 100 ms: the curves still grow smoothly, and
// the page's thread stays free for clicks between two redraws.
let lastRedraw = 0;
function redrawSoon() {
  if (page.pending) return;
  page.pending = true;
  const wait = Math.max(0, 100 - (performance.now() - lastRedraw));
  setTimeout(() => requestAnimationFrame(() => {
    page.pending = false;
    lastRedraw = performance.now();
    for (const f of Object.values(figures)) f.redraw();
    drawDivide();
    drawWaits();
    drawControl();
  }), wait);
}

// Redraws every figure from the rows (when the service shown changes).
function replot() {
  for (const f of Object.values(figures)) { f.current = f.spec.map(() => []); f.x = []; }
  for (const raw of page.rows) pushRow(readDay(raw, page.info));
  redrawSoon();
}

function drawDivide() {
  const v = page.lastDivide;
  drawGauge($('gauge'), {
    value: v === null ? null : v * 100,
    previous: page.prevDivide === null ? null : page.prevDivide * 100,
    unit: t(page.lang, 'gauge_unit'),
    label: serviceName(page.lang, page.service),
    prevLabel: t(page.lang, 'previous'),
    locale: page.lang === 'fr' ? 'fr-FR' : 'en-GB',
  });
  $('gauge').setAttribute('aria-label', `${t(page.lang, 'fig_gauge')}: ${v === null ? '–' : (v * 100).toFixed(1)} ${t(page.lang, 'gauge_unit')}`);
  $('gauge').dataset.value = v === null ? '' : String(v * 100);
}

function drawWaits() {
  const last = page.rows.length ? readDay(page.rows[page.rows.length - 1], page.info) : null;
  if (!last) { $('waits').textContent = ''; $('autonomy').textContent = ''; return; }
  // What mediation "doing with" is for: the share of capital Q1's
  // procedures done alone, over the last 30 recorded days.
  let all = 0;
  let alone = 0;
  for (const raw of page.rows.slice(-30)) {
    const d = readDay(raw, page.info);
    all += d.lowCapitalProcedures() || 0;
    alone += d.lowCapitalAlone() || 0;
  }
  $('autonomy').textContent = all > 0 ? t(page.lang, 'autonomy', { p: Math.round((100 * alone) / all), n: all }) : '';
  $('waits').textContent = STAFFED.map((c) => {
    const w = last.meanWait(c);
    return `${t(page.lang, `ch_${c}`)}: ${w === null ? '–' : `${w.toFixed(1)} ${t(page.lang, 'day')}`}`;
  }).join(' · ');
}

// Who loses their right: wrongful suspensions per 1,000 recipient units by
// quintile, and how often a control finds an error, scorer against random
// selection at the same budget (docs/model.md 11.6).
function drawControl() {
  const fig = $('fig-control');
  const hidden = !(page.info && page.info.control);
  if (fig.hidden !== hidden) {
    fig.hidden = hidden;
    // Sized when shown: a hidden figure has no width.
    if (!hidden) figures.control.resize();
  }
  const last = page.rows.length ? readDay(page.rows[page.rows.length - 1], page.info) : null;
  const c = last ? last.controlByQuintile() : null;
  if (!c) { $('control-note').textContent = ''; delete fig.dataset.rate; return; }
  const n = (v, digits) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(digits));
  const wrongful = c.wrongful_suspension_per_1000.map((v, q) => `Q${q + 1} ${n(v, 1)}`).join(' · ');
  $('control-note').textContent = t(page.lang, 'control_note', {
    w: wrongful,
    p: n(c.precision[0] === null ? null : 100 * c.precision[0], 1),
    r: n(c.precision[1] === null ? null : 100 * c.precision[1], 1),
  });
  // For the tests: the figure's last values, as drawn.
  fig.dataset.rate = JSON.stringify(c.control_rate_per_1000);
  fig.dataset.wrongful = JSON.stringify(c.wrongful_suspension_per_1000);
}

// ---- the run -----------------------------------------------------------------

function newRun(autoplay) {
  if (!page.ready) return;
  const toml = currentToml();
  page.lastToml = toml;
  page.rows = [];
  if (page.lastDivide !== null) page.prevDivide = page.lastDivide;
  page.lastDivide = null;
  for (const f of Object.values(figures)) f.newRun();
  page.running = true;
  page.finished = false;
  page.dirty = false;
  page.trace = null;
  page.followed = null;
  window.dematResults = undefined;
  renderFollow();
  page.worker.postMessage({
    type: 'start',
    toml,
    fileName: `scenarios/classroom_${page.scenario}`,
    follow: page.follow,
  });
  if (autoplay) play();
}

function play() {
  if (!page.ready) return;
  if (!page.running || page.finished || page.dirty) { newRun(false); }
  page.playing = true;
  page.worker.postMessage({ type: 'play', speed: speed() });
}

function pause() {
  if (!page.running) return;
  page.playing = false;
  page.worker.postMessage({ type: 'pause' });
  const d = page.rows.length;
  status('status_paused', { d, n: page.info ? page.info.days : 0 });
}

function step() {
  if (!page.ready) return;
  if (!page.running || page.finished || page.dirty) newRun(false);
  page.playing = false;
  page.worker.postMessage({ type: 'step' });
}

function reset() {
  if (page.worker) page.worker.postMessage({ type: 'stop' });
  page.running = false;
  page.playing = false;
  page.finished = false;
  page.dirty = true;
  page.rows = [];
  page.lastDivide = null;
  page.prevDivide = null;
  page.trace = null;
  page.followed = null;
  page.follow = null;
  for (const f of Object.values(figures)) f.clear();
  drawDivide();
  drawWaits();
  drawControl();
  renderFollow();
  progress(0);
  status('status_ready');
}

function onMessage(event) {
  const msg = event.data;
  switch (msg.type) {
    case 'ready':
      page.ready = true;
      status('status_ready');
      document.body.dataset.ready = '1';
      if (params.autorun) play();
      break;
    case 'started':
      page.info = msg.info;
      page.followed = msg.followed;
      if (page.info.services.includes(page.service) === false && page.info.services.length) {
        page.service = page.info.services[0];
      }
      renderFollow();
      drawControl();
      status('status_warmup', { d: 0, n: page.info.warmup_days });
      break;
    case 'warmup':
      status('status_warmup', { d: msg.day, n: msg.total });
      progress(msg.day / (page.info.warmup_days + page.info.days));
      break;
    case 'days':
      for (const raw of msg.rows) {
        page.rows.push(raw);
        pushRow(readDay(raw, page.info));
      }
      status(page.playing ? 'status_running' : 'status_paused', { d: page.rows.length, n: page.info.days });
      progress((page.info.warmup_days + page.rows.length) / (page.info.warmup_days + page.info.days));
      redrawSoon();
      break;
    case 'done': {
      page.finished = true;
      page.playing = false;
      page.trace = msg.trace;
      page.followed = msg.followed;
      const r = msg.results;
      window.dematResults = {
        scenario: page.scenario,
        toml: page.lastToml,
        ...r,
        divide: page.lastDivide,
        service: page.service,
      };
      status('status_done', { n: r.days, p: r.population, s: r.seed, ms: Math.round(r.engine_ms) });
      progress(1);
      renderFollow();
      drawControl();
      redrawSoon();
      document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
      break;
    }
    case 'error':
      page.playing = false;
      if (msg.where === 'init') {
        status('status_no_engine');
        $('status').textContent += ` (${msg.message})`;
        document.body.dataset.error = msg.message;
        break;
      }
      if (msg.where === 'scenario' || msg.where === 'start') page.running = false;
      statusKey = 'error';
      $('status').textContent = `${t(page.lang, 'error')}: ${msg.message}`;
      document.body.dataset.error = msg.message;
      break;
    default:
      break;
  }
}

// ---- following a citizen -------------------------------------------------------

function renderFollow() {
  renderTimeline($('timeline'), {
    lang: page.lang,
    label: page.followLabel,
    follow: page.follow,
    followed: page.followed,
    trace: page.trace,
    running: page.running && !page.finished,
    info: page.info,
  });
}

function followPerson(kind) {
  const make = PERSONS[kind];
  const population = Number($('population').value);
  page.follow = make({ quintile: $('person-quintile').value, from: Math.floor(Math.random() * population), service: page.service });
  page.followLabel = kind === 'random'
    ? `${t(page.lang, 'person_random')} ${$('person-quintile').value}`
    : t(page.lang, `person_${kind}`);
  newRun(true);
}

// ---- exports ------------------------------------------------------------------

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function baseName() {
  return `demat_${page.scenario.replace(/\.toml$/, '')}_seed${controls().seed}`;
}

export function curvesCsv() {
  const header = ['day', 'service'];
  for (let q = 1; q <= 5; q++) header.push(`take_up_Q${q}`);
  for (const s of NTU_STATES) header.push(`share_${s}`);
  for (const c of STAFFED) header.push(`queue_length_${c}`, `mean_wait_days_${c}`);
  header.push('helps_given', 'help_informal_unavailable', 'unclaimed_euros', 'divide_index');
  const lines = [header.join(',')];
  const s = serviceIndex();
  const f = (v) => (v === null || v === undefined || Number.isNaN(v) ? '' : String(v));
  for (const raw of page.rows) {
    const d = readDay(raw, page.info);
    const row = [d.day, page.service];
    row.push(...d.takeUpByQuintile(s).map(f));
    row.push(...d.nonTakeUpShares(s, NTU_STATES).map(f));
    for (const c of STAFFED) row.push(f(d.queueLength(c)), f(d.meanWait(c)));
    row.push(f(d.helpsGiven()), f(d.helpUnavailable()), f(d.unclaimedEuros()), f(d.divide(s)));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

export function figuresPng() {
  const figs = [...document.querySelectorAll('#figures figure')].filter((f) => !f.hidden);
  const byId = { 'fig-takeup': figures.takeup, 'fig-ntu': figures.ntu, 'fig-queues': figures.queues, 'fig-helpers': figures.helpers, 'fig-money': figures.money, 'fig-control': figures.control };
  const cols = 2;
  const cellW = 900;
  const cellH = 520;
  const out = document.createElement('canvas');
  out.width = cols * cellW;
  out.height = Math.ceil(figs.length / cols) * cellH + 50;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#000';
  ctx.font = '600 22px system-ui, sans-serif';
  const r = window.dematResults;
  ctx.fillText(`demat · ${page.scenario} · ${serviceName(page.lang, page.service)}${r ? ` · ${r.population} · seed ${r.seed} · ${r.days} ${t(page.lang, 'day')}s` : ''}`, 20, 34);
  figs.forEach((fig, i) => {
    const x = (i % cols) * cellW;
    const y = 50 + Math.floor(i / cols) * cellH;
    ctx.fillStyle = '#000';
    ctx.font = '700 28px system-ui, sans-serif';
    ctx.fillText(fig.querySelector('h3').textContent, x + 20, y + 36);
    const src = fig.querySelector('canvas');
    let bottom = y + 50;
    if (src) {
      const scale = Math.min((cellW - 40) / src.width, (cellH - 150) / src.height);
      ctx.drawImage(src, x + 20, y + 50, src.width * scale, src.height * scale);
      bottom = y + 50 + src.height * scale + 8;
    }
    const f = byId[fig.id];
    if (f) f.drawLegend(ctx, x + 20, bottom, cellW - 40);
  });
  return out;
}

// ---- start-up ------------------------------------------------------------------

const params = (() => {
  const q = new URLSearchParams(location.search);
  const int = (k) => (q.has(k) && /^\d+$/.test(q.get(k)) ? Number(q.get(k)) : null);
  let scenario = q.get('scenario');
  if (scenario && !scenario.endsWith('.toml')) scenario += '.toml';
  return { scenario, population: int('population'), seed: int('seed'), days: int('days'), autorun: q.get('autorun') === '1' };
})();

async function loadFiles() {
  const list = await (await fetch('scenarios/index.json')).json();
  const texts = await Promise.all(list.map((name) => fetch(`scenarios/${name}`).then((r) => r.text())));
  list.forEach((name, i) => { page.files[name] = texts[i]; });
  const sel = $('scenario');
  for (const name of list) {
    const o = document.createElement('option');
    o.value = name;
    o.textContent = name.replace(/\.toml$/, '');
    sel.appendChild(o);
  }
}

function wire() {
  const presets = $('presets');
  for (const p of PRESETS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = `preset-${p.id}`;
    b.addEventListener('click', () => runPreset(p.id));
    presets.appendChild(b);
  }
  $('lang').addEventListener('click', () => {
    page.lang = page.lang === 'fr' ? 'en' : 'fr';
    i18n();
  });
  $('play').addEventListener('click', play);
  $('pause').addEventListener('click', pause);
  $('step').addEventListener('click', step);
  $('reset').addEventListener('click', reset);
  $('scenario').addEventListener('change', () => loadScenario($('scenario').value));
  $('service').addEventListener('change', () => {
    page.service = $('service').value;
    if (page.info) replot();
    drawDivide();
  });
  for (const id of ['mediation-capacity', 'complexity', 'outreach', 'population', 'seed', 'days', 'mediation-mode',
    'ch-online', 'ch-phone', 'ch-counter', 'ch-mediation']) {
    $(id).addEventListener('input', () => { page.dirty = true; updateOutputs(); });
  }
  $('speed').addEventListener('input', () => {
    updateOutputs();
    if (page.playing) page.worker.postMessage({ type: 'speed', speed: speed() });
  });
  $('export-toml').addEventListener('click', () => download(`${baseName()}.toml`, new Blob([page.lastToml || currentToml()], { type: 'application/toml' })));
  $('export-csv').addEventListener('click', () => download(`${baseName()}.csv`, new Blob([curvesCsv()], { type: 'text/csv' })));
  $('export-png').addEventListener('click', () => figuresPng().toBlob((b) => download(`${baseName()}.png`, b)));
  for (const b of document.querySelectorAll('button.person')) {
    b.addEventListener('click', () => followPerson(b.dataset.person));
  }
  // Keyboard: space plays or pauses, "s" steps, "r" resets (outside fields).
  document.addEventListener('keydown', (e) => {
    if (e.target.closest('input, select, textarea, button') || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === ' ') { e.preventDefault(); if (page.playing) pause(); else play(); }
    else if (e.key === 's') step();
    else if (e.key === 'r') reset();
  });
}

export function runPreset(id) {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) return;
  page.service = p.service;
  loadScenario(p.file);
  if (p.set && p.set.mediationMode) $('mediation-mode').value = p.set.mediationMode;
  newRun(true);
}

async function main() {
  wire();
  buildFigures();
  i18n();
  await loadFiles();
  loadScenario(params.scenario && page.files[params.scenario] ? params.scenario : 'hybrid.toml');
  if (params.population !== null) $('population').value = params.population;
  if (params.seed !== null) $('seed').value = params.seed;
  if (params.days !== null) $('days').value = params.days;
  updateOutputs();
  // The page's URL parameters may ask for more than the slider shows
  // (e.g. population below 1,000 in a test): the input keeps what it can,
  // the run uses the asked value.
  if (params.population !== null && Number($('population').value) !== params.population) {
    $('population').min = Math.min(1000, params.population);
    $('population').max = Math.max(100000, params.population);
    $('population').step = 1;
    $('population').value = params.population;
    updateOutputs();
  }
  // Both languages rendered once at start-up: the first switch during a
  // lesson then finds the locale data and the shaped text ready (it was the
  // slowest click of the browser test, tests/web responsive).
  const lang = page.lang;
  page.lang = lang === 'fr' ? 'en' : 'fr';
  i18n();
  page.lang = lang;
  i18n();
  page.worker = new Worker('worker.js', { type: 'module' });
  page.worker.onmessage = onMessage;
  page.worker.onerror = (e) => {
    status('status_no_engine');
    document.body.dataset.error = String(e.message || 'worker error');
  };
  page.worker.postMessage({ type: 'init' });
}

window.dematPage = { runPreset, curvesCsv, figuresPng, currentToml: () => currentToml(), page, PRESETS };
main().catch((e) => {
  $('status').textContent = String(e);
  document.body.dataset.error = String(e);
});
