// The progress tab (进度): major projects on the year's list as of a month, from GET /api/progress: the month picker
// and the filters (their choices from GET /api/progress/choices), the rates against their targets, the charts
// (progress-charts.js), the four lists (a project code opens its card, project-card.js), exports with the same month
// and filters, and the map coloured by stage or progress (progress-map.js). Nothing here decides a rate, a stage or a
// class: the server does. The data are asked for the first time the tab shows (or the map is coloured by them).

import { t } from './i18n.js';
import { escapeHtml } from './popup.js';
import { renderCharts, resizeCharts } from './progress-charts.js';
import { PROGRESS_FILTERS, THEMES } from './progress-link.js';
import { setMapTheme, stageColour, themeLabel } from './progress-map.js';
import { asOfHtml, LISTS, listsHtml, monthName, rateName, ratesHtml } from './progress-view.js';
import { cardCode, closeCard, initCard, openCard, renderCard } from './project-card.js';
import { may } from './session.js';
import { fillSelect, getJson, isAbort, showError, tracked } from './ui.js';

const PROGRESS_URL = '/api/progress';
const CHOICES_URL = '/api/progress/choices';
const LIST_PAGE = 100; // entries of a list shown at a time
const SERVER_PAGE = 500; // entries of each list an answer holds (the server's default `limit`)
const FILTER_KEYS = {
  jurisdiction: 'progressJurisdiction', zone: 'progressZone', industry: 'progressIndustry', level: 'progressLevel',
  category: 'progressCategory',
};

const state = {
  link: null, // what the permalink asked for: as_of, filters, rate, theme, project
  choices: null,
  answer: null,
  controller: null,
  started: false,
  visible: false,
  limits: Object.fromEntries(LISTS.map((list) => [list, LIST_PAGE])),
  open: Object.fromEntries(LISTS.map((list) => [list, list === 'not_started'])),
  hooks: { onChange: () => {}, onPick: () => {} },
};

const form = () => document.getElementById('progress-filters');

function latestMonth() {
  return state.choices?.months.at(-1) ?? null;
}

// The month asked for: the picker's, the link's until the choices came; '' for the latest.
function chosenMonth() {
  const value = form().elements.as_of.value || state.link.as_of;
  return value === latestMonth() ? '' : value;
}

function chosenFilters() {
  const elements = form().elements;
  return Object.fromEntries(PROGRESS_FILTERS.map((name) => [name, elements[name].value]));
}

function chosenTheme() {
  return form().elements.theme.value || 'band';
}

function chosenRate() {
  return document.getElementById('progress-rate').value || state.link.rate;
}

export function progressLink() {
  if (!state.link) return null;
  return { as_of: chosenMonth(), filters: chosenFilters(), rate: chosenRate(), theme: chosenTheme(), project: cardCode() };
}

// The query of /api/progress (and its map and exports): the month shown, or none for the latest, and the filters.
function query(format = null, month = chosenMonth()) {
  const params = new URLSearchParams();
  if (format) params.set('format', format);
  if (month) params.set('as_of', month);
  for (const [name, value] of Object.entries(chosenFilters())) if (value) params.set(name, value);
  return params;
}

// ---- the form ----------------------------------------------------------------------------------

function paneHtml() {
  const selects = PROGRESS_FILTERS.map((name) => `<label><span data-i18n="${FILTER_KEYS[name]}">${escapeHtml(t(FILTER_KEYS[name]))}</span>`
    + `<select name="${name}"></select></label>`).join('');
  const themes = THEMES.map((id) => `<label class="check"><input type="radio" name="theme" value="${id}"${id === 'band' ? ' checked' : ''}>`
    + `<span data-theme-label="${id}"></span></label>`).join('');
  return `<form id="progress-filters" class="filters progress-filters">
      <fieldset><legend data-i18n="progressFilters">${escapeHtml(t('progressFilters'))}</legend>
        <label class="month"><span data-i18n="progressMonth">${escapeHtml(t('progressMonth'))}</span><select name="as_of"></select></label>
        ${selects}</fieldset>
      <div class="filter-actions">
        <fieldset class="theme-choice"><legend data-i18n="mapTheme">${escapeHtml(t('mapTheme'))}</legend>${themes}</fieldset>
        <button id="progress-reset" type="button" class="link-button" data-i18n="resetFilters">${escapeHtml(t('resetFilters'))}</button>
      </div>
    </form>
    ${may('report') ? `<div class="exports progress-exports" role="group" data-i18n-aria-label="exportLabel" aria-label="${escapeHtml(t('exportLabel'))}">
      <span data-i18n="exportLabel">${escapeHtml(t('exportLabel'))}</span>
      <a class="button" data-format="xlsx" download data-i18n="exportXlsx">${escapeHtml(t('exportXlsx'))}</a>
      <a class="button" data-format="csv" download data-i18n="exportCsv">${escapeHtml(t('exportCsv'))}</a>
    </div>` : ''}
    <div id="progress-main" aria-live="polite">
      <div id="progress-summary"></div>
      <section class="progress-charts" hidden>
        <h2 data-i18n="chartByDistrict">${escapeHtml(t('chartByDistrict'))}</h2>
        <label class="chart-rate"><span data-i18n="chartRateLabel">${escapeHtml(t('chartRateLabel'))}</span><select id="progress-rate"></select></label>
        <div id="chart-districts" class="chart chart-districts"></div>
        <h2 data-i18n="chartSeries">${escapeHtml(t('chartSeries'))}</h2>
        <div id="chart-series" class="chart"></div>
        <h2 data-i18n="chartFunnel">${escapeHtml(t('chartFunnel'))}</h2>
        <div id="chart-funnel" class="chart chart-funnel"></div>
      </section>
      <div id="progress-lists"></div>
    </div>
    <section id="project-card" class="project-card" hidden aria-live="polite"></section>`;
}

function sortedChoices(values) {
  return [...values].sort((a, b) => String(a).localeCompare(String(b), 'zh-CN')).map((v) => [v, v]);
}

function renderChoices() {
  const elements = form().elements;
  const all = ['', t('filterAll')];
  const months = [...(state.choices?.months ?? [])].reverse().map((m) => [m, monthName(m)]);
  fillSelect(elements.as_of, months, elements.as_of.value || state.link.as_of || latestMonth() || '');
  const choices = state.choices ?? { jurisdiction: [], zone: [], industry: [], level: [], category: [] };
  const jurisdiction = elements.jurisdiction.value;
  const zones = choices.zone.filter((z) => !jurisdiction || z.jurisdiction === jurisdiction);
  fillSelect(elements.jurisdiction, [all, ...sortedChoices(choices.jurisdiction)]);
  const zone = elements.zone.value;
  const dropZone = zone && !zones.some((z) => z.zone_code === zone) && choices.zone.some((z) => z.zone_code === zone);
  fillSelect(elements.zone, [all, ...zones.map((z) => [z.zone_code, z.name ?? z.zone_code])], dropZone ? '' : zone);
  fillSelect(elements.industry, [all, ...sortedChoices(choices.industry)]);
  fillSelect(elements.level, [all, ...sortedChoices(choices.level)]);
  fillSelect(elements.category, [all, ...choices.category.map((c) => [c, t(`category_${c}`)])]);
  for (const label of document.querySelectorAll('[data-theme-label]')) {
    const id = label.dataset.themeLabel;
    label.textContent = id === 'band' ? t('themeBand') : themeLabel(id);
  }
}

function renderRateChoices() {
  const select = document.getElementById('progress-rate');
  const names = state.answer ? Object.keys(state.answer.definitions) : [state.link.rate];
  fillSelect(select, names.map((name) => [name, state.answer ? rateName(state.answer, name) : name]), chosenRate());
}

function renderExports() {
  const month = chosenMonth() || state.answer?.as_of || '';
  for (const link of document.querySelectorAll('.progress-exports a[data-format]')) {
    link.href = `${PROGRESS_URL}?${query(link.dataset.format, month)}`;
  }
}

// ---- what is shown -----------------------------------------------------------------------------

function drawCharts() {
  if (!state.answer || !state.visible || cardCode()) return;
  renderCharts(state.answer, chosenRate(), stageColour).catch(showError);
}

function renderLists() {
  const lists = document.getElementById('progress-lists');
  for (const details of lists.querySelectorAll('details[data-list]')) state.open[details.dataset.list] = details.open;
  lists.innerHTML = state.answer ? listsHtml(state.answer, state.limits, state.open) : '';
}

export function renderProgress() {
  if (!state.link) return;
  renderChoices();
  renderRateChoices();
  renderExports();
  const summary = document.getElementById('progress-summary');
  const answer = state.answer;
  if (state.started && state.choices && state.choices.months.length === 0 && !state.link.as_of) {
    summary.innerHTML = `<p class="empty">${escapeHtml(t('progressNoReports'))}</p>`;
  } else {
    summary.innerHTML = answer ? asOfHtml(answer) + ratesHtml(answer) : '';
  }
  document.querySelector('.progress-charts').hidden = !answer;
  renderLists();
  renderCard();
  drawCharts();
}

function showMain(shown) {
  document.getElementById('progress-main').hidden = !shown;
  if (shown) drawCharts();
}

// ---- loading -----------------------------------------------------------------------------------

async function loadProgress() {
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  renderExports();
  state.hooks.onChange();
  setMapTheme(chosenTheme(), query());
  try {
    const answer = await tracked(getJson(`${PROGRESS_URL}?${query()}`, controller.signal));
    if (controller.signal.aborted) return;
    state.answer = answer;
    state.limits = Object.fromEntries(LISTS.map((list) => [list, LIST_PAGE]));
    renderProgress();
    if (cardCode()) openCard(cardCode(), answer.as_of); // the card follows the month
  } catch (err) {
    if (!isAbort(err)) showError(err);
  }
}

// The next entries of a list: from those the answer holds, else the next page of it from the server.
async function showMore(list) {
  const answer = state.answer;
  const loaded = answer.lists[list];
  if (state.limits[list] + LIST_PAGE > loaded.length && loaded.length < answer.list_totals[list]) {
    try {
      const page = await tracked(getJson(`${PROGRESS_URL}?${query()}&offset=${loaded.length}&limit=${SERVER_PAGE}`));
      if (state.answer !== answer) return; // the month or filters changed meanwhile
      answer.lists[list] = loaded.concat(page.lists[list]);
    } catch (err) {
      showError(err);
      return;
    }
  }
  state.limits[list] += LIST_PAGE;
  renderLists();
}

async function start() {
  if (state.started) return;
  state.started = true;
  try {
    state.choices = await tracked(getJson(CHOICES_URL));
  } catch (err) {
    showError(err);
  }
  renderChoices();
  if (state.choices?.months.length === 0 && !state.link.as_of) {
    renderProgress(); // nothing to ask for yet: the view says what to load
    return;
  }
  await loadProgress();
  if (state.link.project) openCard(state.link.project, state.answer?.as_of ?? (chosenMonth() || null));
}

// The tab shows (its data are asked for the first time, the charts fit their boxes) or hides.
export function progressShown(shown) {
  state.visible = shown;
  if (!shown || !state.link) return;
  start();
  resizeCharts();
  drawCharts();
}

function wire() {
  const filters = form();
  filters.addEventListener('submit', (event) => event.preventDefault());
  filters.addEventListener('change', (event) => {
    if (event.target.name === 'theme') {
      setMapTheme(chosenTheme(), query());
      state.hooks.onChange();
      return;
    }
    renderChoices(); // a district narrows the zones offered
    if (state.started) loadProgress();
    else state.hooks.onChange();
  });
  document.getElementById('progress-reset').addEventListener('click', () => {
    for (const name of PROGRESS_FILTERS) filters.elements[name].value = '';
    renderChoices();
    loadProgress();
  });
  document.getElementById('progress-rate').addEventListener('change', () => {
    drawCharts();
    state.hooks.onChange();
  });
  document.getElementById('progress-lists').addEventListener('click', (event) => {
    const more = event.target.closest('[data-more-list]');
    if (more) {
      showMore(more.dataset.moreList);
      return;
    }
    const item = event.target.closest('[data-project]');
    if (item) openCard(item.dataset.project, state.answer?.as_of ?? null);
  });
  window.addEventListener('resize', resizeCharts);
}

// link: the permalink's progress part; hooks: onChange() after any change, onPick(record, options) shows a parcel.
// The map must be started: the colouring and the card's land need it.
export function initProgress(link, hooks) {
  state.link = link;
  state.hooks = { ...state.hooks, ...hooks };
  document.getElementById('pane-progress').innerHTML = paneHtml();
  const elements = form().elements;
  fillSelect(elements.as_of, link.as_of ? [[link.as_of, monthName(link.as_of)]] : [], link.as_of);
  for (const name of PROGRESS_FILTERS) fillSelect(elements[name], [['', t('filterAll')]], link.filters[name] ?? '');
  elements.theme.value = link.theme;
  initCard({
    onPick: state.hooks.onPick,
    onChange: state.hooks.onChange,
    onOpen: () => showMain(false),
    onClose: () => {
      showMain(true);
      state.hooks.onChange();
    },
  });
  wire();
  renderProgress();
  if (state.visible) start();
  else if (link.theme !== 'band') setMapTheme(link.theme, query());
}
