// The report tab (违规通报): filters whose choices come from the data, the report from
// GET /api/reports/violations, its lists (a click shows the parcel), and exports with the same filters.

import { codeLabel, codesOf, pick, stageCodes, stageLabel, t } from './i18n.js';
import { bandClass, bandSwatch, catalogue, setHighlight } from './mapview.js';
import { DEFAULT_SORT, FILTERS } from './permalink.js';
import { qualityHtml, summaryHtml, violationsHtml } from './report-view.js';
import { fillSelect, getJson, isAbort, showError, tracked } from './ui.js';

const REPORT_URL = '/api/reports/violations';
const CHOICES_URL = '/api/reports/violations/choices';
const PAGE = 500; // entries of each list fetched at a time: a whole city's report is hundreds of thousands
const ALL_ZONES_URL = '/api/layers/zones/features?bbox=-180,-90,180,90';
const SORTS = [
  [DEFAULT_SORT, 'sortShortfall'],
  ['ratio', 'sortRatio'],
  ['intensity_wan_per_mu', 'sortIntensity'],
  ['-area_mu', 'sortArea'],
  ['-total_investment_wan', 'sortInvestment'],
  ['parcel_code', 'sortParcel'],
  ['zone_code', 'sortZone'],
];

const state = {
  zones: [], // properties of every loaded zone: the zone and jurisdiction choices
  choices: { industry: [], level: [], band: [] }, // of below-threshold projects (GET …/choices)
  report: null, // the summary and the first pages of its two lists
  moreLoading: false,
  controller: null,
  hooks: { onPick: () => {}, onChange: () => {} },
};

const form = () => document.getElementById('report-filters');

// The filters as the permalink and the API name them.
export function reportLink() {
  const elements = form().elements;
  const filters = {};
  for (const name of FILTERS) filters[name] = elements[name].value;
  return { filters, sort: elements.sort.value || DEFAULT_SORT, dim: elements.dim.checked };
}

function query(format, page = null) {
  const { filters, sort } = reportLink();
  const params = new URLSearchParams();
  if (format) params.set('format', format);
  if (page) {
    params.set('limit', String(PAGE));
    if (page.offset) params.set('offset', String(page.offset));
  }
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
  if (sort !== DEFAULT_SORT) params.set('sort', sort);
  const text = params.toString();
  return text ? `${REPORT_URL}?${text}` : REPORT_URL;
}

function sortedUnique(values) {
  return [...new Set(values.filter((v) => v !== null && v !== undefined && v !== ''))]
    .sort((a, b) => String(a).localeCompare(String(b), 'zh-CN'));
}

function renderChoices() {
  const elements = form().elements;
  const all = ['', t('filterAll')];
  const { jurisdiction, zone_class: zoneClass } = reportLink().filters;
  const zones = state.zones
    .filter((z) => (!jurisdiction || z.jurisdiction === jurisdiction) && (!zoneClass || z.zone_class === zoneClass))
    .sort((a, b) => a.zone_code.localeCompare(b.zone_code));
  const classes = codesOf('zone_class').filter((code) => state.zones.some((z) => z.zone_class === code));
  const bandOrder = (catalogue()?.layers.find((layer) => layer.style.property === 'band')?.style.classes ?? [])
    .map((cls) => cls.value);
  const bands = [...state.choices.band].sort((a, b) => bandOrder.indexOf(a) - bandOrder.indexOf(b));
  fillSelect(elements.jurisdiction, [all, ...sortedUnique(state.zones.map((z) => z.jurisdiction)).map((j) => [j, j])]);
  // A zone outside the chosen jurisdiction or class is dropped rather than kept as a filter that selects nothing.
  const zone = elements.zone.value;
  const dropZone = zone && !zones.some((z) => z.zone_code === zone) && state.zones.some((z) => z.zone_code === zone);
  fillSelect(elements.zone, [all, ...zones.map((z) => [z.zone_code, z.name ?? z.zone_code])], dropZone ? '' : zone);
  fillSelect(elements.zone_class, [all, ...classes.map((code) => [code, codeLabel('zone_class', code)])]);
  fillSelect(elements.stage, [all, ...stageCodes().map((stage) => [stage, stageLabel(stage)])]);
  fillSelect(elements.industry, [all, ...sortedUnique(state.choices.industry).map((v) => [v, v])]);
  fillSelect(elements.level, [all, ...sortedUnique(state.choices.level).map((v) => [v, v])]);
  fillSelect(elements.band, [all, ...bands.map((band) => [band, pick(bandClass(band)?.label) || band])]);
  fillSelect(elements.sort, SORTS.map(([value, key]) => [value, t(key)]));
}

function renderExports() {
  for (const link of document.querySelectorAll('.exports a[data-format]')) link.href = query(link.dataset.format);
}

// The map draws the parcels the filters select, whatever their status; the report's are those below.
function applyHighlight() {
  const { dim } = reportLink();
  setHighlight(dim ? (props) => props.status === 'below' : null);
}

export function renderReport() {
  renderChoices();
  const body = document.getElementById('report-body');
  if (!state.report) {
    body.replaceChildren();
    return;
  }
  const { summary, violations, data_quality: quality } = state.report;
  body.innerHTML = summaryHtml(summary) + violationsHtml(violations, summary.total.parcels, (r) => bandSwatch(r.band))
    + qualityHtml(quality, summary.data_quality_parcels);
}

// The next page of one list (violations or data_quality), appended to what is shown.
async function loadMore(list) {
  const report = state.report;
  if (!report || state.moreLoading) return;
  state.moreLoading = true;
  try {
    const next = await tracked(getJson(query(null, { offset: report[list].length }), state.controller?.signal));
    if (state.report !== report) return; // the filters changed meanwhile
    report[list] = report[list].concat(next[list]);
    const open = [...document.querySelectorAll('#report-body details.list-section')].map((d) => d.open);
    renderReport();
    document.querySelectorAll('#report-body details.list-section').forEach((d, i) => { d.open = open[i] ?? d.open; });
  } catch (err) {
    if (!isAbort(err)) showError(err);
  } finally {
    state.moreLoading = false;
  }
}

async function loadReport() {
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  renderExports();
  state.hooks.onChange();
  try {
    const report = await tracked(getJson(query(null, { offset: 0 }), controller.signal));
    if (controller.signal.aborted) return;
    state.report = report;
    renderReport();
    applyHighlight();
  } catch (err) {
    if (!isAbort(err)) showError(err);
  }
}

function setForm(link) {
  const elements = form().elements;
  for (const name of FILTERS) fillSelect(elements[name], [['', t('filterAll')]], link.filters[name] ?? '');
  fillSelect(elements.sort, [[DEFAULT_SORT, t('sortShortfall')]], link.sort);
  elements.dim.checked = link.dim;
}

function recordFor(code) {
  const report = state.report;
  return report?.violations.find((r) => r.parcel_code === code) ?? report?.data_quality.find((r) => r.parcel_code === code);
}

function wire() {
  const filters = form();
  filters.addEventListener('change', (event) => {
    if (event.target.name === 'dim') {
      applyHighlight();
      state.hooks.onChange();
    } else {
      renderChoices(); // a jurisdiction or class narrows the zones offered
      loadReport();
    }
  });
  filters.addEventListener('submit', (event) => event.preventDefault());
  document.getElementById('report-reset').addEventListener('click', () => {
    setForm({ filters: {}, sort: DEFAULT_SORT, dim: filters.elements.dim.checked });
    renderChoices();
    loadReport();
  });
  document.getElementById('report-body').addEventListener('click', (event) => {
    const more = event.target.closest('[data-more]');
    if (more) {
      loadMore(more.dataset.more);
      return;
    }
    const item = event.target.closest('[data-parcel]');
    const record = item && recordFor(item.dataset.parcel);
    if (record) state.hooks.onPick(record);
  });
}

// link: the permalink's filters, sort and dim; onPick(record) shows a parcel; onChange() after any change.
export async function initReport(link, hooks) {
  state.hooks = hooks;
  setForm(link);
  wire();
  renderExports();
  try {
    const [zones, choices] = await Promise.all([tracked(getJson(ALL_ZONES_URL)), tracked(getJson(CHOICES_URL))]);
    state.zones = zones.features.map((feature) => feature.properties);
    state.choices = choices;
  } catch (err) {
    showError(err);
  }
  renderChoices();
  await loadReport();
}
