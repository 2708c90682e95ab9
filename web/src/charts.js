// The figures. uPlot draws canvases fast enough to redraw every figure on
// every animation frame of a run; each figure keeps the previous run's
// curves, faded, under the current ones so that the class sees the change.
import uPlot from 'uplot';

// Quintiles: a sequential ramp (inferno, 0 to 0.8) whose lightness rises
// monotonically, so Q1..Q5 stay in order when printed or projected in grey;
// the dashes tell them apart for colour-blind viewers as well.
export const QUINTILE_COLOURS = ['#000004', '#420a68', '#932667', '#dd513a', '#fca50a'];
export const QUINTILE_DASHES = [[], [14, 6], [4, 4], [14, 4, 3, 4], [2, 3]];
// Categories: Okabe & Ito's colour-blind-safe palette.
export const OKABE_ITO = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#F0E442', '#000000'];

export function fade(hex, alpha = 0.28) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

const AXIS_FONT = '600 16px system-ui, sans-serif';

function axes(yLabel, yFormat) {
  const common = { font: AXIS_FONT, labelFont: AXIS_FONT, stroke: '#000', grid: { stroke: '#d0d0d0', width: 1 }, ticks: { stroke: '#888' } };
  return [
    { ...common, label: '', size: 44 },
    { ...common, label: yLabel, size: 80, values: yFormat ? (u, vals) => vals.map(yFormat) : undefined },
  ];
}

// A figure with `series` = [{label, stroke, dash, width, fill}] for the
// current run, each mirrored by a faded copy for the previous run.
export class Figure {
  constructor(container, { yLabel = '', yFormat = null, series, yRange = null, stacked = false }) {
    this.container = container;
    this.spec = series;
    this.stacked = stacked;
    this.current = series.map(() => []);
    this.previous = series.map(() => []);
    this.x = [];
    const prevSeries = series.map((s) => ({
      label: '',
      stroke: fade(s.stroke, 0.3),
      width: 2,
      dash: s.dash || [],
      fill: undefined,
      points: { show: false },
      spanGaps: true,
    }));
    const curSeries = series.map((s) => ({
      label: s.label,
      stroke: s.stroke,
      width: s.width || 3,
      dash: s.dash || [],
      fill: s.fill,
      points: { show: false },
    }));
    // Counts and euros start at zero, so that two runs compare by height.
    const fromZero = (u, min, max) => [0, max > 0 ? max * 1.08 : 10];
    const opts = {
      width: Math.max(320, container.clientWidth || 600),
      height: 280,
      pxAlign: 0,
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
      scales: { x: { time: false }, y: { range: yRange || fromZero } },
      axes: axes(yLabel, yFormat),
      series: [{ label: 'day' }, ...prevSeries, ...curSeries],
    };
    // A legend of our own: large, with each line's dash drawn, in the
    // order of the series (uPlot's own legend is small and lists the faded
    // copies too).
    this.legend = document.createElement('ul');
    this.legend.className = 'legend';
    for (const s of series) {
      const li = document.createElement('li');
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('width', '44');
      svg.setAttribute('height', '16');
      svg.setAttribute('aria-hidden', 'true');
      const shape = document.createElementNS('http://www.w3.org/2000/svg', s.fill ? 'rect' : 'line');
      if (s.fill) {
        Object.entries({ x: 2, y: 1, width: 40, height: 14, fill: s.fill, stroke: '#000', 'stroke-width': 1 }).forEach(([k, v]) => shape.setAttribute(k, v));
      } else {
        Object.entries({ x1: 2, y1: 8, x2: 42, y2: 8, stroke: s.stroke, 'stroke-width': s.width || 3 }).forEach(([k, v]) => shape.setAttribute(k, v));
        if (s.dash && s.dash.length) shape.setAttribute('stroke-dasharray', s.dash.join(' '));
      }
      svg.appendChild(shape);
      const label = document.createElement('span');
      label.textContent = s.label;
      li.append(svg, label);
      this.legend.appendChild(li);
    }
    this.plot = new uPlot(opts, this.data(), container);
    container.appendChild(this.legend);
  }

  relabel(labels) {
    const spans = this.legend.querySelectorAll('li span');
    labels.forEach((label, i) => { if (spans[i]) spans[i].textContent = label; });
  }

  data() {
    const n = Math.max(this.x.length, ...this.previous.map((p) => p.length));
    const x = Array.from({ length: n }, (_, i) => i);
    const pad = (a) => (a.length >= n ? a : a.concat(Array(n - a.length).fill(null)));
    return [x, ...this.previous.map(pad), ...this.current.map(pad)];
  }

  // The current run becomes the previous one.
  newRun() {
    if (this.x.length) this.previous = this.current;
    this.current = this.spec.map(() => []);
    this.x = [];
    this.redraw();
  }

  clear() {
    this.previous = this.spec.map(() => []);
    this.current = this.spec.map(() => []);
    this.x = [];
    this.redraw();
  }

  push(day, values) {
    this.x.push(day);
    values.forEach((v, i) => this.current[i].push(v === undefined || Number.isNaN(v) ? null : v));
  }

  redraw() {
    this.plot.setData(this.data());
  }

  resize() {
    const w = Math.max(320, this.container.clientWidth || 600);
    this.plot.setSize({ width: w, height: 280 });
  }

  canvas() {
    return this.container.querySelector('canvas');
  }

  // The legend drawn on a canvas, for the PNG export; returns its height.
  drawLegend(ctx, x, y, width) {
    const labels = [...this.legend.querySelectorAll('li span')].map((el) => el.textContent);
    ctx.font = '600 20px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    let cx = x;
    let cy = y + 14;
    this.spec.forEach((s, i) => {
      const w = 56 + ctx.measureText(labels[i]).width + 24;
      if (cx + w > x + width) { cx = x; cy += 30; }
      if (s.fill) {
        ctx.fillStyle = s.fill;
        ctx.fillRect(cx, cy - 9, 44, 18);
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 1;
        ctx.strokeRect(cx, cy - 9, 44, 18);
      } else {
        ctx.strokeStyle = s.stroke;
        ctx.lineWidth = s.width || 3;
        ctx.setLineDash(s.dash || []);
        ctx.beginPath();
        ctx.moveTo(cx, cy);
        ctx.lineTo(cx + 44, cy);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = '#000';
      ctx.fillText(labels[i], cx + 52, cy);
      cx += w;
    });
    ctx.textBaseline = 'alphabetic';
    return cy - y + 16;
  }
}

// The divide gauge: take-up of Q5 minus Q1 in points, the previous run as a
// faded mark. Drawn on a plain canvas (no library) to stay readable from the
// back of a room: one big number, one bar.
const formats = {};
export function drawGauge(canvas, { value, previous, unit, label, prevLabel, locale = 'en-GB' }) {
  formats[locale] ||= new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fmt = (v, sign) => `${sign && v > 0 ? '+' : ''}${formats[locale].format(v)}`;
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const lo = -20;
  const hi = 60;
  const x0 = 30;
  const x1 = w - 30;
  const xOf = (v) => x0 + ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * (x1 - x0);
  const barY = 150;
  const barH = 50;
  // scale
  ctx.fillStyle = '#eee';
  ctx.fillRect(x0, barY, x1 - x0, barH);
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  ctx.strokeRect(x0, barY, x1 - x0, barH);
  ctx.font = '600 18px system-ui, sans-serif';
  ctx.fillStyle = '#000';
  ctx.textAlign = 'center';
  for (let v = lo; v <= hi; v += 20) {
    const x = xOf(v);
    ctx.beginPath();
    ctx.moveTo(x, barY + barH);
    ctx.lineTo(x, barY + barH + 10);
    ctx.stroke();
    ctx.fillText(`${v > 0 ? '+' : ''}${v}`, x, barY + barH + 32);
  }
  if (previous !== null && previous !== undefined && Number.isFinite(previous)) {
    ctx.fillStyle = 'rgba(0,114,178,0.3)';
    const xp = xOf(previous);
    ctx.fillRect(Math.min(xOf(0), xp), barY + 8, Math.abs(xp - xOf(0)), barH - 16);
    ctx.fillStyle = '#555';
    ctx.font = '600 16px system-ui, sans-serif';
    ctx.fillText(`${prevLabel} ${fmt(previous, true)}`, xp, barY - 8);
  }
  if (value !== null && value !== undefined && Number.isFinite(value)) {
    const xv = xOf(value);
    ctx.fillStyle = '#D55E00';
    ctx.fillRect(Math.min(xOf(0), xv), barY + 16, Math.abs(xv - xOf(0)), barH - 32);
    ctx.fillStyle = '#000';
    ctx.fillRect(xv - 3, barY - 4, 6, barH + 8);
    ctx.font = '700 64px system-ui, sans-serif';
    ctx.fillText(`${fmt(value, true)} ${unit}`, w / 2, 80);
  } else {
    ctx.font = '700 64px system-ui, sans-serif';
    ctx.fillText('–', w / 2, 80);
  }
  ctx.font = '600 18px system-ui, sans-serif';
  ctx.fillText(label, w / 2, 118);
}
