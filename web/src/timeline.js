// "Follow one person": who to look for (criteria for sim.findCitizen,
// web/engine-api.md) and the traced days drawn as a timeline of events.
import { t, serviceName } from './i18n.js';

// The Daniel Blake story: a man near the end of his working life, out of
// work, with no computer and few ties; and a lone parent with a smartphone
// only. The model has no trades: "carpenter" is the story, the criteria are
// what the engine knows (age, employment, equipment, ties).
// Each person is a list of criteria for sim.findCitizen, narrowest first:
// someone eligible to the benefit shown if there is one, anyone otherwise.
export const PERSONS = {
  carpenter: ({ service }) => {
    const who = { age: [57, 61], employment: 'unemployed', equipment: 'none', ties: [0, 3] };
    return [{ ...who, eligible_for: service }, who, { age: [55, 64], employment: 'unemployed', equipment: 'none' }];
  },
  parent: ({ service }) => {
    const who = { age: [30, 34], household: 'single_parent', equipment: 'smartphone_only' };
    return [{ ...who, eligible_for: service }, who, { age: [28, 36], household: 'single_parent' }];
  },
  // "from" starts the search at a random citizen: a different person of
  // the quintile at each click, the same one for the same seed and click.
  random: ({ quintile, from, service }) => {
    const q = Number(String(quintile).replace('Q', ''));
    return [
      { capital_quintile: q, eligible_for: service, from },
      { capital_quintile: q, eligible_for: service },
      { capital_quintile: q, from },
      { capital_quintile: q },
    ];
  },
};

// The trace's events (sim/core/trace.hpp) in the page's two languages.
const EVENTS = {
  fr: {
    became_eligible: 'devient éligible', lost_eligibility: "n'est plus éligible",
    learned_of_right: 'apprend son droit', decided_to_claim: 'décide de demander',
    decided_not_to_claim: 'ne demande pas', tried: 'essaie', failed: 'échoue',
    asked_for_help: "demande de l'aide", helped_by_relative: 'aidé par un proche',
    helper_unavailable: 'le proche n\'a pas le temps', queued: 'fait la queue', served: 'est reçu',
    left_queue: 'quitte la file, lassé', completed_procedure: 'démarche faite', got_right: 'obtient son droit',
    rejected: 'demande rejetée à tort', appealed: 'conteste', gave_up: 'abandonne',
    renewed: 'déclaration renouvelée', interrupted: 'droit interrompu',
  },
  en: {
    became_eligible: 'becomes eligible', lost_eligibility: 'no longer eligible',
    learned_of_right: 'learns of the right', decided_to_claim: 'decides to claim',
    decided_not_to_claim: 'decides not to claim', tried: 'tries', failed: 'fails',
    asked_for_help: 'asks for help', helped_by_relative: 'helped by a relative',
    helper_unavailable: 'the relative has no time', queued: 'queues', served: 'is served',
    left_queue: 'leaves the queue, tired of waiting', completed_procedure: 'procedure done', got_right: 'gets the right',
    rejected: 'claim wrongly rejected', appealed: 'appeals', gave_up: 'gives up',
    renewed: 'declaration renewed', interrupted: 'right interrupted',
  },
};

function eventName(lang, e) {
  const kind = e.event ?? e.kind ?? e.type ?? e.what ?? '';
  return EVENTS[lang][kind] || String(kind).replace(/_/g, ' ');
}

function eventClass(e) {
  const kind = String(e.event ?? e.kind ?? e.type ?? e.what ?? '');
  if (/failed|rejected|gave_up|not_to_claim|interrupted|unavailable|left_queue|lost_eligibility/.test(kind)) return 'bad';
  if (/got_right|completed_procedure|served|renewed|helped_by_relative/.test(kind)) return 'good';
  return '';
}

const WORDS = {
  fr: {
    years: 'ans', employed: 'en emploi', unemployed: 'au chômage', inactive: 'inactif', retired: 'retraité',
    none: 'ni ordinateur ni smartphone', smartphone_only: 'smartphone seulement', computer: 'ordinateur',
    single: 'vit seul', couple: 'en couple', single_parent: 'parent isolé', couple_children: 'en couple avec enfants',
    none_primary: 'sans diplôme ou primaire', secondary: 'secondaire', higher: 'supérieur',
    decile: 'décile de revenu', quintile: 'quintile de capital', ties: 'liens', skill: 'compétence numérique',
  },
  en: {
    years: 'years old', employed: 'employed', unemployed: 'unemployed', inactive: 'inactive', retired: 'retired',
    none: 'no computer, no smartphone', smartphone_only: 'smartphone only', computer: 'computer',
    single: 'lives alone', couple: 'couple', single_parent: 'lone parent', couple_children: 'couple with children',
    none_primary: 'no diploma or primary', secondary: 'secondary', higher: 'higher education',
    decile: 'income decile', quintile: 'capital quintile', ties: 'ties', skill: 'digital skill',
  },
};

// sim.citizenJSON(): who the person is, in words.
function describePerson(lang, c) {
  if (!c) return '';
  const w = WORDS[lang];
  const word = (v) => w[v] || String(v).replace(/_/g, ' ');
  const parts = [];
  if (c.age !== undefined) parts.push(`${c.age} ${w.years}`);
  for (const k of ['employment', 'household', 'equipment', 'education']) if (c[k] !== undefined) parts.push(word(c[k]));
  if (c.income_decile !== undefined) parts.push(`${w.decile} ${c.income_decile}`);
  if (c.capital_quintile !== undefined) parts.push(`${w.quintile} Q${c.capital_quintile}`);
  if (c.ties !== undefined) parts.push(`${c.ties} ${w.ties}`);
  if (c.digital_skill !== undefined) parts.push(`${w.skill} ${Number(c.digital_skill).toFixed(2)}`);
  return parts.join(' · ');
}

export function renderTimeline(el, { lang, label, follow, followed, trace, running, info }) {
  el.innerHTML = '';
  const p = document.createElement('p');
  if (!follow) {
    p.textContent = t(lang, 'timeline_empty');
    el.appendChild(p);
    return;
  }
  if (followed === null || followed === undefined) {
    p.textContent = running || !info ? `${label}…` : t(lang, 'timeline_none_found');
    el.appendChild(p);
    return;
  }
  const h = document.createElement('h3');
  h.textContent = `${label} — ${t(lang, 'timeline_who', { id: followed })}`;
  el.appendChild(h);
  if (!trace) {
    p.textContent = '…';
    el.appendChild(p);
    return;
  }
  const who = document.createElement('p');
  who.className = 'who';
  who.textContent = describePerson(lang, trace.citizen || trace.attributes);
  el.appendChild(who);
  const events = trace.events || (Array.isArray(trace) ? trace : []);
  if (!events.length) {
    p.textContent = t(lang, 'timeline_no_events');
    el.appendChild(p);
    return;
  }
  const ol = document.createElement('ol');
  ol.className = 'events';
  if ((events[0].recorded_day ?? events[0].day) < 0) {
    const first = document.createElement('li');
    first.className = 'separator';
    first.textContent = t(lang, 'timeline_warmup');
    ol.appendChild(first);
  }
  const services = (info && info.services) || [];
  const channels = (info && info.channels) || [];
  // The same event twice on the same day (e.g. two requests for help)
  // is one line with a count.
  const lines = [];
  for (const e of events) {
    const prev = lines[lines.length - 1];
    if (prev && prev.e.day === e.day && prev.e.event === e.event && prev.e.service === e.service && prev.e.channel === e.channel) prev.n += 1;
    else lines.push({ e, n: 1 });
  }
  let recordedStarted = false;
  for (const { e, n } of lines) {
    const d = e.recorded_day ?? e.day;
    if (d >= 0 && !recordedStarted) {
      recordedStarted = true;
      const sep = document.createElement('li');
      sep.className = 'separator';
      sep.textContent = t(lang, 'timeline_recorded');
      ol.appendChild(sep);
    }
    const li = document.createElement('li');
    li.className = eventClass(e);
    const day = document.createElement('span');
    day.className = 'day';
    day.textContent = `${t(lang, 'day')} ${d}`;
    const what = document.createElement('span');
    what.className = 'what';
    const svc = typeof e.service === 'number' ? services[e.service] : e.service;
    const ch = typeof e.channel === 'number' ? channels[e.channel] : e.channel;
    const extra = [ch ? t(lang, `ch_${ch}`) : '', e.reason ? String(e.reason).replace(/_/g, ' ') : ''].filter(Boolean).join(', ');
    what.textContent = `${svc ? `${serviceName(lang, svc)}: ` : ''}${eventName(lang, e)}${extra ? ` (${extra})` : ''}${n > 1 ? ` ×${n}` : ''}`;
    li.append(day, what);
    ol.appendChild(li);
  }
  el.appendChild(ol);
}
