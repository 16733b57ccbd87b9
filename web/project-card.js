// A major project's card in the progress tab (GET /api/projects/{code}?as_of=): its fields, the stage on the as-of
// month's last day and how it got there, its dates, plans by year, monthly reports (late ones flagged by the server,
// each with the versions a correction superseded), its changes, and its land with a button that shows it on the map.

import { codeLabel, stageLabel, t } from './i18n.js';
import { map } from './mapview.js';
import { escapeHtml, formatNumber } from './popup.js';
import { wan } from './progress-view.js';
import { getJson, isAbort, showError, tracked } from './ui.js';

const DATE_FIELDS = ['signed_date', 'filed_date', 'planned_start_date', 'actual_start_date', 'planned_completion_date',
  'actual_completion_date', 'production_date', 'capacity_date', 'evaluation_date'];
const LAND_MAX_ZOOM = 17;

const state = {
  code: null, // the project whose card is open (or on its way)
  card: null,
  controller: null,
  hooks: { onPick: () => {}, onChange: () => {}, onClose: () => {} },
};

const box = () => document.getElementById('project-card');

export function cardCode() {
  return state.code;
}

function row(label, value) {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value ?? t('none'))}</td></tr>`;
}

function table(heads, rows, className = '') {
  const head = heads.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  return `<div class="table-scroll"><table class="summary-table card-table ${className}"><thead><tr>${head}</tr></thead>`
    + `<tbody>${rows.join('')}</tbody></table></div>`;
}

// A column's name with its unit: 本月完成（万元）.
function headed(key, unitKey) {
  return t(key) + t('paren', { text: t(unitKey) });
}

function categoryLabel(category) {
  return category ? t(`category_${category}`) : t('none');
}

function basisLabel(basis) {
  return basis === 'reported' ? t('cardBasisReported') : t(`date_${basis}`);
}

// A changed field as officials name it: a date, the stage, or a year's plan (plan.2024.category).
function fieldLabel(field) {
  if (DATE_FIELDS.includes(field)) return t(`date_${field}`);
  if (field === 'stage' || field === 'reported_stage') return t('cardStageCol');
  const plan = /^plan\.(\d{4})\.(\w+)$/.exec(field);
  if (plan) {
    const what = { category: t('progressCategory'), level: t('progressLevel'), annual_planned_investment_wan: t('cardPlanned') }[plan[2]] ?? plan[2];
    return `${plan[1]} ${what}`;
  }
  return field;
}

function monthlyRows(card) {
  const cells = (report, superseded) => {
    const status = superseded
      ? t('cardSuperseded')
      : `${report.late ? t('cardLate') : t('cardOnTime')}`;
    return `<td>${escapeHtml(wan(report.completed_month_wan))}</td><td>${escapeHtml(wan(report.completed_ytd_wan))}</td>`
      + `<td class="note">${escapeHtml(report.progress_note ?? '')}</td>`
      + `<td title="${escapeHtml(t('cardDue', { date: report.due }))}">${escapeHtml(report.reported_on ?? t('none'))}</td>`
      + `<td class="${superseded ? 'superseded' : report.late ? 'late' : 'on-time'}">${escapeHtml(status)}</td>`;
  };
  return card.monthly.flatMap((report) => [
    `<tr data-month="${escapeHtml(report.month)}"><th scope="row">${escapeHtml(report.month)}</th>${cells(report, false)}</tr>`,
    ...report.superseded.map((old) => `<tr class="superseded-row"><th scope="row"></th>${cells(old, true)}</tr>`),
  ]);
}

function landHtml(card) {
  if (!card.parcels.length) return `<p class="empty">${escapeHtml(t('cardNoLand'))}</p>`;
  const rows = card.parcels.map((p) => `<tr><th scope="row">${escapeHtml(p.parcel_code)}</th>`
    + `<td>${escapeHtml(formatNumber(p.area_mu, 2) ?? t('none'))}</td><td>${escapeHtml(p.zone_code ?? t('noZone'))}</td>`
    + `<td>${escapeHtml(codeLabel('status', p.status) ?? t('none'))}</td></tr>`);
  return `<button type="button" class="button primary" data-show-land>${escapeHtml(t('cardShowOnMap'))}</button>`
    + table([t('cardParcelCode'), headed('cardArea', 'unitMu'), t('cardZone'), t('cardStatus')], rows);
}

function cardHtml(card) {
  const fields = [
    row(t('cardEnterprise'), card.enterprise), row(t('cardIndustry'), card.industry), row(t('cardLevel'), card.level),
    row(t('cardJurisdiction'), card.jurisdiction),
    row(t('cardTotal'), card.total_investment_wan === null ? null : `${wan(card.total_investment_wan)} ${t('unitWan')}`),
  ].join('');
  const dates = DATE_FIELDS.map((name) => row(t(`date_${name}`), card[name])).join('');
  const history = card.stage_history.map((h) => `<tr><th scope="row">${escapeHtml(stageLabel(h.stage))}</th>`
    + `<td>${escapeHtml(h.date)}</td><td>${escapeHtml(basisLabel(h.basis))}</td></tr>`);
  const plans = card.plans.map((p) => `<tr><th scope="row">${escapeHtml(p.year)}</th><td>${escapeHtml(categoryLabel(p.category))}</td>`
    + `<td>${escapeHtml(p.level ?? t('none'))}</td><td>${escapeHtml(wan(p.annual_planned_investment_wan))}</td></tr>`);
  const monthly = card.monthly.length
    ? table([t('cardMonth'), headed('cardCompletedMonth', 'unitWan'), headed('cardCompletedYtd', 'unitWan'),
      t('cardNote'), t('cardReportedOn'), ''], monthlyRows(card), 'monthly-table')
    : `<p class="empty">${escapeHtml(t('cardNoReports'))}</p>`;
  const changes = card.changes.map((c) => `<li>${escapeHtml(t('cardChangeLine', {
    field: fieldLabel(c.field), old: c.old_value ?? t('none'), new: c.new_value ?? t('none'), load: c.load_id,
    when: (c.finished_at ?? '').slice(0, 10),
  }))}</li>`).join('');
  return `<button type="button" class="link-button card-back" data-card-back>${escapeHtml(t('cardBack'))}</button>
    <h2 class="card-title"><span class="project-code">${escapeHtml(card.project_code)}</span> ${escapeHtml(card.name ?? '')}</h2>
    <p class="card-stage">${escapeHtml(t('cardStage', { date: card.as_of, stage: stageLabel(card.stage) }))}</p>
    <table class="siting-verdict card-fields"><tbody>${fields}</tbody></table>
    <h2>${escapeHtml(t('cardParcels', { count: formatNumber(card.parcels.length, 0) }))}</h2>${landHtml(card)}
    <h2>${escapeHtml(t('cardHistory'))}</h2>${table([t('cardStageCol'), t('cardDate'), t('cardBasis')], history)}
    <h2>${escapeHtml(t('cardMonthly'))}</h2>${monthly}
    <h2>${escapeHtml(t('cardPlans'))}</h2>${table([t('cardYear'), t('progressCategory'), t('progressLevel'), headed('cardPlanned', 'unitWan')], plans)}
    <details class="list-section"><summary>${escapeHtml(t('cardDates'))}</summary><table class="siting-verdict card-fields"><tbody>${dates}</tbody></table></details>
    <details class="list-section"><summary>${escapeHtml(t('cardChanges', { count: formatNumber(card.changes.length, 0) }))}</summary>
      <ul class="changes">${changes}</ul></details>`;
}

export function renderCard() {
  const element = box();
  if (!state.card) {
    element.replaceChildren();
    return;
  }
  element.innerHTML = cardHtml(state.card);
}

// The land of the project: the map zooms to all of it, in the part the panel leaves free, and opens the first
// parcel's record.
async function showLand() {
  const parcels = state.card?.parcels ?? [];
  if (!parcels.length) return;
  const bounds = L.latLngBounds(parcels.flatMap(({ bbox: [w, s, e, n] }) => [[s, w], [n, e]]));
  const panel = document.getElementById('panel');
  const covered = panel.offsetWidth < map.getSize().x / 2 ? panel.offsetWidth : 0; // a narrow screen's panel covers it all
  try {
    const record = await tracked(getJson(`/api/parcels/${encodeURIComponent(parcels[0].parcel_code)}`));
    map.fitBounds(bounds, { maxZoom: LAND_MAX_ZOOM, paddingTopLeft: [40, 220], paddingBottomRight: [covered + 40, 40], animate: false });
    state.hooks.onPick(record, { fit: false });
  } catch (err) {
    showError(err);
  }
}

// Open the card of `code` as of `month` (YYYY-MM: its last day).
export async function openCard(code, month) {
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  state.code = code;
  state.hooks.onChange();
  const url = `/api/projects/${encodeURIComponent(code)}${month ? `?as_of=${encodeURIComponent(month)}` : ''}`;
  try {
    const card = await tracked(getJson(url, controller.signal));
    if (controller.signal.aborted) return;
    state.card = card;
    renderCard();
    box().hidden = false;
    box().scrollIntoView({ block: 'start' });
    state.hooks.onOpen();
  } catch (err) {
    if (isAbort(err)) return;
    state.code = null;
    state.hooks.onChange();
    showError(err);
  }
}

export function closeCard() {
  state.controller?.abort();
  state.code = null;
  state.card = null;
  box().hidden = true;
  renderCard();
  state.hooks.onClose();
}

// hooks: onPick(record, options) shows a parcel on the map; onOpen() and onClose() when the card shows or goes; onChange()
// when the open card changes (the permalink names it).
export function initCard(hooks) {
  state.hooks = { ...state.hooks, ...hooks };
  box().addEventListener('click', (event) => {
    if (event.target.closest('[data-card-back]')) closeCard();
    else if (event.target.closest('[data-show-land]')) showLand();
  });
}
