// Reads one recorded day as the engine gives it (sim.dayJSON(),
// web/engine-api.md): the names are those of the HDF5 /metrics
// (docs/output.md). Everything the figures show is read here, so that a
// figure never computes a number the engine did not produce, except shares
// of /counts.

function sum(x) {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return x;
  if (Array.isArray(x)) {
    let total = 0;
    let any = false;
    for (const v of x) {
      const s = sum(v);
      if (s !== null) { total += s; any = true; }
    }
    return any ? total : null;
  }
  if (typeof x === 'object') return sum(Object.values(x));
  return null;
}

function first(obj, names) {
  for (const n of names) if (obj && obj[n] !== undefined && obj[n] !== null) return obj[n];
  return undefined;
}

export function readDay(raw, info) {
  const states = info.states;
  const channels = info.channels || ['online', 'phone', 'counter', 'mediation'];
  const counts = first(raw, ['counts']);
  const stateIndex = (s) => states.indexOf(s);
  const channelIndex = (c) => channels.indexOf(c);

  // A per-channel quantity, summed over services: [service][channel],
  // {channel: ...} or [channel].
  const perChannel = (value, c) => {
    if (value === undefined) return null;
    if (!Array.isArray(value)) return sum(value[c]);
    const ci = channelIndex(c);
    if (Array.isArray(value[0])) return sum(value.map((row) => row[ci]));
    return value[ci] ?? null;
  };

  return {
    day: raw.day,
    // receiving / eligible per capital quintile, [service][quintile]
    takeUpByQuintile(s) {
      const t = first(raw, ['take_up_by_quintile', 'take_up_by_capital_quintile']);
      if (!t || s < 0 || !t[s]) return [null, null, null, null, null];
      return t[s].map((v) => (v === null || Number.isNaN(v) ? null : v));
    },
    nonTakeUpShares(s, names) {
      if (!counts || s < 0) return names.map(() => null);
      const row = counts[s];
      const eligible = row[stateIndex('eligible')];
      if (!eligible) return names.map(() => null);
      return names.map((n) => row[stateIndex(n)] / eligible);
    },
    queueLength(c) {
      return perChannel(first(raw, ['metrics/queue_length', 'queue_length']), c);
    },
    meanWait(c) {
      // Over every service: days waited by those served / those served.
      const waited = perChannel(first(raw, ['metrics/queue_wait_days', 'queue_wait_days']), c);
      const served = perChannel(first(raw, ['metrics/queue_served', 'queue_served']), c);
      return served ? waited / served : null;
    },
    helpsGiven() {
      return sum(first(raw, ['metrics/helps_given', 'helps_given']));
    },
    helpUnavailable() {
      return sum(first(raw, ['metrics/help_informal_unavailable', 'help_informal_unavailable']));
    },
    // Procedures completed by capital Q1, and those of them done alone online.
    lowCapitalProcedures() {
      return sum(first(raw, ['metrics/procedures_completed_low_capital']));
    },
    lowCapitalAlone() {
      return sum(first(raw, ['metrics/autonomous_completions_low_capital']));
    },
    unclaimedEuros() {
      return sum(first(raw, ['metrics/unclaimed_euros', 'unclaimed_euros']));
    },
    // The control indicators by capital quintile over the monthly rounds so
    // far (/control/segments/capital_quintile/fairness, summed over
    // services, and /control/precision_recall's precision for the selection
    // made and for random selection at the same budget); null when the
    // scenario has no digital control.
    controlByQuintile() {
      return raw.control_by_quintile || null;
    },
    divide(s) {
      const d = first(raw, ['metrics/divide_index', 'divide_index']);
      if (d === undefined || s < 0) return null;
      const v = Array.isArray(d) ? d[s] : d;
      return v === null || Number.isNaN(v) ? null : v;
    },
  };
}
