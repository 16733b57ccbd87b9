// The progress tab's HTML: the as-of line, the rates with their targets, and the four lists, from GET /api/progress as
// sent. Every rate, target, rank and list is the server's; this only formats (rates as % to 0.01, money in 万元).

import { getLang, pick, t } from './i18n.js';
import { escapeHtml, formatNumber } from './popup.js';

export const LISTS = ['not_started', 'not_completed', 'behind_schedule', 'late_reports'];
const LIST_TITLES = {
  not_started: 'listNotStarted', not_completed: 'listNotCompleted', behind_schedule: 'listBehind', late_reports: 'listLate',
};
const NOTE_MARK = '¹';

// A rate (a fraction the server rounded to 0.0001) as a percentage to 0.01.
export function percent(rate) {
  const number = rate === null || rate === undefined ? null : formatNumber(Number(rate) * 100, 2);
  return number === null ? t('none') : `${number}%`;
}

export function wan(value, digits = 2) {
  return formatNumber(value, digits) ?? t('none');
}

// 2024-06 as 2024年6月 or June 2024; `short`: 6月 or Jun.
export function monthName(month, lang = getLang(), short = false) {
  const [year, m] = month.split('-').map(Number);
  if (lang === 'zh') return short ? `${m}月` : `${year}年${m}月`;
  const format = short ? { month: 'short' } : { month: 'long', year: 'numeric' };
  return new Date(Date.UTC(year, m - 1, 1)).toLocaleString('en-US', { ...format, timeZone: 'UTC' });
}

function monthEnd(month) {
  const [year, m] = month.split('-').map(Number);
  return new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
}

export function projectsListed(answer) {
  return Object.values(answer.stages).reduce((sum, count) => sum + count, 0);
}

export function asOfHtml(answer) {
  return `<p class="as-of-line">${escapeHtml(t('asOfLine', {
    month: monthName(answer.as_of), date: monthEnd(answer.as_of), count: formatNumber(projectsListed(answer), 0),
  }))}</p>`;
}

export function rateName(answer, name) {
  return pick(answer.definitions[name]) || name;
}

// The parts a rate rests on, as the server counted them.
function basis(rate) {
  if ('expected_share' in rate) {
    return t('basisSchedule', { expected: percent(rate.expected_share), completed: percent(rate.completed_share),
      ahead: formatNumber(rate.ahead, 0), behind: formatNumber(rate.behind, 0) });
  }
  if ('aggregate_rate' in rate) {
    return t('basisShare', { numerator: formatNumber(rate.numerator, 0), denominator: formatNumber(rate.denominator, 0),
      aggregate: percent(rate.aggregate_rate) });
  }
  if ('planned_wan' in rate) return t('basisMoney', { completed: wan(rate.completed_wan), planned: wan(rate.planned_wan) });
  return t('basisCount', { numerator: formatNumber(rate.numerator, 0), denominator: formatNumber(rate.denominator, 0) });
}

export function targetLevel(target) {
  return target.level ?? t('targetEvery');
}

function targetHtml(target) {
  const [state, key] = target.met === true ? ['met', 'targetMet'] : target.met === false ? ['missed', 'targetMissed'] : ['pending', 'targetPending'];
  const text = t('targetText', { level: targetLevel(target), target: percent(target.target), by: target.by });
  return `<li class="target target-${state}" data-rate="${escapeHtml(target.rate)}"><span>${escapeHtml(text)}</span>`
    + `<span class="target-value">${escapeHtml(t('targetValue', { value: percent(target.value) }))}</span>`
    + `<span class="target-state">${escapeHtml(t(key))}</span></li>`;
}

export function ratesHtml(answer) {
  const notes = [];
  const rows = Object.keys(answer.definitions).map((name) => {
    const rate = answer.rates[name];
    const note = answer.definitions[name].note;
    let mark = '';
    if (note) {
      const text = pick(note);
      if (!notes.includes(text)) notes.push(text);
      mark = `<sup class="note-mark" title="${escapeHtml(text)}">${NOTE_MARK.repeat(notes.indexOf(text) + 1)}</sup>`;
    }
    const targets = answer.targets.filter((target) => target.rate === name);
    const targetRow = targets.length
      ? `<tr class="rate-targets"><td colspan="3"><ul class="targets">${targets.map(targetHtml).join('')}</ul></td></tr>`
      : '';
    return `<tr data-rate="${escapeHtml(name)}"><th scope="row">${escapeHtml(rateName(answer, name))}${mark}</th>`
      + `<td class="rate-value">${escapeHtml(percent(rate.rate))}</td><td class="rate-basis">${escapeHtml(basis(rate))}</td></tr>${targetRow}`;
  }).join('');
  const footnotes = notes.map((text, i) => `<p class="footnote">${NOTE_MARK.repeat(i + 1)} ${escapeHtml(text)}</p>`).join('');
  return `<section class="progress-rates"><h2>${escapeHtml(t('ratesTitle'))}</h2>
    <table class="summary-table rates-table"><thead><tr><th scope="col">${escapeHtml(t('colRate'))}</th>
    <th scope="col">${escapeHtml(t('colRateValue'))}</th><th scope="col">${escapeHtml(t('colRateBasis'))}</th></tr></thead>
    <tbody>${rows}</tbody></table>${footnotes}</section>`;
}

// ---- the four lists ----------------------------------------------------------------------------

function details(list, entry) {
  switch (list) {
    case 'not_started':
      return t('itemStartOverdue', { date: entry.planned_start_date, days: formatNumber(entry.days_overdue, 0) });
    case 'not_completed':
      return t('itemCompletionOverdue', { date: entry.planned_completion_date, days: formatNumber(entry.days_overdue, 0) });
    case 'behind_schedule':
      return t('itemBehind', { plan: wan(entry.annual_planned_wan), ytd: wan(entry.completed_ytd_wan),
        expected: wan(entry.expected_wan), gap: wan(entry.gap_wan) });
    default: {
      const state = entry.reported_on === null
        ? t('itemNeverSent')
        : t('itemLateDays', { date: entry.reported_on, days: formatNumber(entry.days_late, 0) });
      return t('itemLate', { month: entry.month, due: entry.due, state });
    }
  }
}

function itemHtml(list, entry) {
  const where = [entry.jurisdiction, entry.level].filter(Boolean).join(t('dot'));
  return `<li><button type="button" class="record-item" data-project="${escapeHtml(entry.project_code)}" title="${escapeHtml(t('openCard'))}">
    <span class="record-head"><strong class="project-code">${escapeHtml(entry.project_code)}</strong>
      <span class="record-name">${escapeHtml(entry.name ?? '')}</span></span>
    <span class="record-details">${escapeHtml(where)}${where ? escapeHtml(t('dot')) : ''}<span class="item-figures">${escapeHtml(details(list, entry))}</span></span>
  </button></li>`;
}

// `limits`: how many of each list are shown (a button shows more).
export function listsHtml(answer, limits, open) {
  return LISTS.map((list) => {
    const entries = answer.lists[list];
    const total = answer.list_totals[list]; // the answer holds a page of each list; the totals count them all
    const shown = entries.slice(0, limits[list]);
    const title = escapeHtml(t(LIST_TITLES[list], { count: formatNumber(total, 0) }));
    const body = shown.length
      ? `<ul class="record-list">${shown.map((entry) => itemHtml(list, entry)).join('')}</ul>`
      : `<p class="empty">${escapeHtml(t('listEmpty'))}</p>`;
    const more = shown.length < total
      ? `<button type="button" class="list-more" data-more-list="${list}">${escapeHtml(t('listMoreShown', {
        shown: formatNumber(shown.length, 0), total: formatNumber(total, 0) }))}</button>`
      : '';
    return `<details class="list-section progress-list" data-list="${list}"${open[list] ? ' open' : ''}><summary>${title}</summary>${body}${more}</details>`;
  }).join('');
}
