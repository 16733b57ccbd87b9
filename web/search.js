// The search tab (查询): GET /api/search?q= for codes, names, pinyin initials or typed coordinates;
// the results list (a click shows the parcel); and, for the selected parcel, its project's other
// parcels and its neighbours from GET /api/parcels/{code}/context.

import { codeLabel, t } from './i18n.js';
import { map, bandSwatch } from './mapview.js';
import { escapeHtml, formatNumber } from './popup.js';
import { listSection, recordItem } from './report-view.js';
import { ApiError, getJson, hideToast, isAbort, showError, toast, tracked } from './ui.js';

const POINT_ZOOM = 17;
const COORD_DIGITS = 6;

const state = {
  query: '', // the last query asked for, kept in the permalink
  answer: null, // { query, point, results } as sent, or one record found by its exact code
  context: null, // { parcel, project_parcels, neighbours }
  contextCode: null, // the parcel whose context is shown or on its way
  contextController: null,
  marker: null,
  hooks: { onPick: () => {}, onChange: () => {} },
};

const input = () => document.getElementById('panel-search-input');

export function searchQuery() {
  return state.query;
}

function details(record) {
  const parts = [record.zone_name ?? t('noZone'), codeLabel('status', record.status)];
  if (record.match) parts.push(codeLabel('match', record.match));
  return escapeHtml(parts.filter(Boolean).join(t('dot')));
}

function items(records) {
  return records.map((record) => recordItem(record, details(record), bandSwatch(record.band)));
}

function pointHtml(point) {
  if (!point) return '';
  return `<p class="hint">${escapeHtml(t('pointReadAs', {
    how: point.read_as,
    lon: formatNumber(point.lon, COORD_DIGITS),
    lat: formatNumber(point.lat, COORD_DIGITS),
  }))}</p>`;
}

export function renderSearch() {
  const body = document.getElementById('search-body');
  const answer = state.answer;
  if (!answer) {
    body.replaceChildren();
  } else {
    const emptyKey = answer.point ? 'pointNoParcel' : 'searchNone';
    body.innerHTML = pointHtml(answer.point)
      + listSection(escapeHtml(t('searchResults', { count: answer.results.length })), items(answer.results), emptyKey);
  }
  const context = document.getElementById('search-context');
  const c = state.context;
  context.innerHTML = c === null ? '' : `<section class="context">
    <h2>${escapeHtml(t('contextTitle', { code: c.parcel.parcel_code }))}</h2>
    ${listSection(escapeHtml(t('projectParcels', { count: c.project_parcels.length })), items(c.project_parcels), 'noneListed')}
    ${listSection(escapeHtml(t('neighbours', { count: c.neighbours.length })), items(c.neighbours), 'noneListed')}
  </section>`;
}

function placeMarker(point) {
  state.marker?.remove();
  state.marker = null;
  if (!point) return;
  state.marker = L.circleMarker([point.lat, point.lon], { radius: 7, className: 'search-point', weight: 2 }).addTo(map);
}

function setAnswer(answer) {
  state.query = answer.query;
  state.answer = answer;
  input().value = answer.query;
  placeMarker(answer.point);
  renderSearch();
  state.hooks.onChange();
}

// The search box of the tab: every match is listed; typed coordinates are marked on the map and, when
// no parcel holds them, shown (unless a restored link keeps its own view: move false).
export async function runSearch(q, { move = true } = {}) {
  state.query = q;
  input().value = q;
  try {
    const answer = await tracked(getJson(`/api/search?q=${encodeURIComponent(q)}`));
    setAnswer(answer);
    if (move && answer.point && answer.results.length === 0) map.setView([answer.point.lat, answer.point.lon], POINT_ZOOM);
    return answer;
  } catch (err) {
    showError(err);
    return null;
  }
}

// The header's box: an exact parcel code goes straight to the parcel; anything else is searched, and
// one match is shown at once. Nothing found at all: the server's "no parcel with code …" is the answer.
export async function searchFromHeader(q) {
  hideToast();
  if (q === '') {
    toast(() => t('emptySearch'));
    return;
  }
  let notFound;
  try {
    const record = await tracked(getJson(`/api/parcels/${encodeURIComponent(q)}`));
    setAnswer({ query: q, point: null, results: [record] });
    state.hooks.onPick(record);
    return;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) {
      showError(err);
      return;
    }
    notFound = err;
  }
  const answer = await runSearch(q);
  if (answer === null) return;
  if (answer.results.length === 1) state.hooks.onPick(answer.results[0]);
  else if (answer.results.length === 0 && !answer.point) showError(notFound);
}

// The selected parcel's context; null clears it.
export async function showContext(code) {
  if (code === state.contextCode) return;
  state.contextCode = code;
  state.contextController?.abort();
  state.context = null;
  renderSearch();
  if (code === null) return;
  const controller = new AbortController();
  state.contextController = controller;
  try {
    const context = await tracked(getJson(`/api/parcels/${encodeURIComponent(code)}/context`, controller.signal));
    if (controller.signal.aborted) return;
    state.context = context;
    renderSearch();
  } catch (err) {
    if (!isAbort(err)) showError(err);
  }
}

function recordFor(code) {
  const c = state.context;
  const lists = [state.answer?.results ?? [], c?.project_parcels ?? [], c?.neighbours ?? []];
  return lists.flat().find((record) => record.parcel_code === code) ?? null;
}

// onPick(record) shows a parcel; onChange() after a search, for the permalink.
export function initSearch(hooks) {
  state.hooks = hooks;
  document.getElementById('panel-search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = input().value.trim();
    if (q === '') toast(() => t('emptySearch'));
    else runSearch(q);
  });
  document.getElementById('pane-search').addEventListener('click', (event) => {
    const item = event.target.closest('[data-parcel]');
    const record = item && recordFor(item.dataset.parcel);
    if (record) state.hooks.onPick(record);
  });
}
