// Land not used as agreed and firms' classes on the map: the catalogue's overlays (GET /api/layers, `overlays`), whose
// classes the server decides on a date or in a year (idle land under 令第53号, 供而未用, a firm's per-mu class). The
// parcel overlays draw the parcel tiles again, each feature styled by the class the API gives its code (none: not
// drawn); 批而未供 is the GeoJSON of each batch's unsupplied part. A click opens the parcel's land card or the firm's
// card. Nothing is decided here: this module asks and draws.

import { getLang, pick } from './i18n.js';
import { LAND_STRINGS } from './land-strings.js';
import { map, mapFilters } from './mapview.js';
import { escapeHtml, formatNumber } from './popup.js';
import { may } from './session.js';
import { swatchHtml } from './symbols.js';
import { getJson, isAbort, showError, tracked } from './ui.js';

const PANE_Z = 460; // above the catalogue's layers (410 +)
const CHART_CAP = 1.5; // bars drawn up to 1.5 × the benchmark, the policy's cap on a term

const state = {
  overlays: [],
  on: new Set(),
  layers: new Map(), // overlay id → L.VectorGrid or L.GeoJSON
  answers: new Map(), // API url → { key, body } of the classes last asked for
  drawn: new Map(), // overlay id → parcel codes drawn since the view last changed
  asOf: todayInChina(),
  year: '',
  summaries: {},
  requests: new Map(),
  box: null,
  open: true,
};

function lt(key, vars = {}) {
  const text = LAND_STRINGS[key]?.[getLang() === 'en' ? 1 : 0] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

function todayInChina() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function parameterOf(overlay) {
  return overlay.parameter === 'year' ? { year: state.year } : { as_of: state.asOf };
}

// The map's filters (the report's), then the overlay's date or year.
function query(extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(mapFilters())) if (value) params.append(name, value);
  for (const [name, value] of Object.entries(extra)) if (value !== '' && value !== null && value !== undefined) params.set(name, value);
  return params.toString();
}

function withQuery(path, extra) {
  const text = query(extra);
  return text ? `${path}?${text}` : path;
}

// ---- classes ------------------------------------------------------------------------------------

async function classesFor(overlay) {
  const url = withQuery(overlay.url, parameterOf(overlay));
  const known = state.answers.get(overlay.url);
  if (known?.key === url) return known.body;
  const body = await tracked(getJson(url));
  state.answers.set(overlay.url, { key: url, body });
  if (overlay.parameter === 'year' && !state.year && body.year) state.year = String(body.year);
  return body;
}

// The class of a parcel in an overlay: the answer's own class for the code (a [class, …] pair gives its first), or a
// class the answer lists by name (`supplied_unused: [codes]`).
function classValue(overlay, code) {
  const body = state.answers.get(overlay.url)?.body;
  if (!body || code === undefined) return null;
  const values = overlay.style.classes.map((cls) => cls.value);
  const own = body.parcels?.[code];
  const value = Array.isArray(own) ? own[0] : own;
  if (values.includes(value)) return value;
  return values.find((name) => Array.isArray(body[name]) && listed(body, name).has(code)) ?? null;
}

const sets = new WeakMap();
function listed(body, name) {
  if (!sets.has(body)) sets.set(body, {});
  const cache = sets.get(body);
  cache[name] ??= new Set(body[name]);
  return cache[name];
}

function pathStyle(cls) {
  return { fill: true, color: cls.color, fillColor: cls.fill_color, fillOpacity: cls.fill_opacity, opacity: 1, weight: cls.weight,
           dashArray: cls.dash_array ?? null };
}

// ---- the layers ---------------------------------------------------------------------------------

function parcelTiles() {
  return `/tiles/parcels/{z}/{x}/{y}.mvt${query() ? `?${query()}` : ''}`;
}

function parcelOverlay(overlay, pane) {
  const drawn = new Set();
  state.drawn.set(overlay.id, drawn);
  const grid = L.vectorGrid.protobuf(parcelTiles(), {
    pane,
    rendererFactory: L.canvas.tile,
    interactive: true,
    minZoom: overlay.min_zoom,
    vectorTileLayerStyles: {
      parcels: (props) => {
        const value = classValue(overlay, props.parcel_code);
        if (value === null) return [];
        drawn.add(props.parcel_code);
        return pathStyle(overlay.style.classes.find((cls) => cls.value === value));
      },
      zone_summary: () => [],
    },
    getFeatureId: (feature) => feature.properties.parcel_code ?? feature.properties.zone_code,
  });
  grid.on('loading', () => drawn.clear());
  grid.on('load', () => publish());
  grid.on('click', (event) => {
    L.DomEvent.stopPropagation(event);
    const code = event.layer.properties?.parcel_code;
    if (code !== undefined) openCard(overlay, code, event.latlng);
  });
  return grid;
}

function batchOverlay(overlay, pane) {
  const cls = overlay.style.classes[0];
  return L.geoJSON(null, {
    pane,
    style: () => pathStyle(cls),
    onEachFeature: (feature, path) => path.on('click', (event) => {
      L.DomEvent.stopPropagation(event);
      L.popup({ className: 'mujun-popup land-popup', maxWidth: 380 }).setLatLng(event.latlng).setContent(batchHtml(feature.properties))
        .openOn(map);
    }),
  });
}

async function loadBatches(overlay) {
  const layer = state.layers.get(overlay.id);
  state.requests.get(overlay.id)?.abort();
  if (map.getZoom() < overlay.min_zoom) {
    layer.clearLayers();
    publish();
    return;
  }
  const bounds = map.getBounds();
  const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(6)).join(',');
  const controller = new AbortController();
  state.requests.set(overlay.id, controller);
  try {
    const collection = await tracked(getJson(`${overlay.url}?${new URLSearchParams({ as_of: state.asOf, bbox })}`, controller.signal));
    layer.clearLayers();
    layer.addData(collection);
    state.drawn.set(overlay.id, new Set(collection.features.map((feature) => feature.id)));
    publish();
  } catch (err) {
    if (!isAbort(err)) showError(err);
  }
}

async function refresh(overlay) {
  if (!state.on.has(overlay.id)) return;
  try {
    if (overlay.source === 'geojson') {
      await loadBatches(overlay);
    } else {
      await classesFor(overlay);
      state.layers.get(overlay.id).redraw();
    }
    await summarise(overlay);
  } catch (err) {
    showError(err);
  }
  render();
}

function setOn(overlay, on) {
  const layer = state.layers.get(overlay.id);
  if (on) state.on.add(overlay.id);
  else state.on.delete(overlay.id);
  fadeParcels();
  if (on) {
    layer.addTo(map);
    refresh(overlay);
  } else {
    layer.remove();
    state.drawn.get(overlay.id)?.clear();
    publish();
    render();
  }
}

function refreshAll() {
  for (const overlay of state.overlays) refresh(overlay);
}

// While a parcel overlay is shown, the parcels beneath (drawn by band, mapview.js) fade, so that its classes read apart
// from the bands' colours: a view setting on the catalogue layer's pane, not a rule.
function fadeParcels() {
  const faded = state.overlays.some((overlay) => overlay.source === 'parcel_classes' && state.on.has(overlay.id));
  const pane = map.getPane('layer-parcels');
  if (pane) pane.style.opacity = faded ? '0.3' : '';
}

// What a browser test, and a curious official, can read off the map: the parcels (or batches) each overlay draws.
function publish() {
  if (!state.box) return;
  for (const overlay of state.overlays) {
    const count = state.on.has(overlay.id) ? (state.drawn.get(overlay.id)?.size ?? 0) : 0;
    state.box.dataset[`drawn_${overlay.id}`.replace(/_(\w)/g, (_, c) => c.toUpperCase())] = String(count);
  }
}

// ---- summaries ----------------------------------------------------------------------------------

async function summarise(overlay) {
  const number = (value, digits = 0) => formatNumber(value, digits) ?? '—';
  if (overlay.id === 'idle_land') {
    const { summary } = await tracked(getJson(withQuery('/api/land/idle', { as_of: state.asOf })));
    state.summaries[overlay.id] = () => `${lt('idleSummary', { idle: number(summary.idle), fee: number(summary.idle_fee_wan, 2),
      reclaimable: number(summary.reclaimable) })}；${lt('apartSummary', { government: number(summary.government_delay),
      stalled: number(summary.stalled) })}`;
  } else if (overlay.id === 'supplied_unused') {
    const body = state.answers.get(overlay.url)?.body;
    state.summaries[overlay.id] = () => lt('unusedSummary', { count: number(body?.supplied_unused?.length ?? 0) });
  } else if (overlay.id === 'approved_unsupplied') {
    const { approved_unsupplied: batches } = await tracked(getJson(withQuery('/api/land/supply', { as_of: state.asOf })));
    const mu = batches.reduce((sum, batch) => sum + Number(batch.unsupplied_mu), 0);
    state.summaries[overlay.id] = () => lt('unsuppliedSummary', { mu: number(mu, 2), count: number(batches.length) });
  } else if (overlay.id === 'firm_classes') {
    const body = state.answers.get(overlay.url)?.body;
    const counts = Object.entries(body?.counts ?? {}).map(([name, count]) => `${name} ${number(count)}`).join(' · ');
    state.summaries[overlay.id] = () => (body ? lt('firmsSummary', { year: body.year, counts }) : lt('noFirmYear'));
  }
}

// ---- cards --------------------------------------------------------------------------------------

function row(label, value) {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${value === null || value === undefined || value === '' ? '—' : value}</td></tr>`;
}

function money(value) {
  const shown = formatNumber(value);
  return shown === null ? null : `${escapeHtml(shown)} 万元`;
}

function categoryText(card) {
  const overlay = state.overlays.find((o) => o.id === 'idle_land');
  const cls = overlay?.style.classes.find((c) => c.value === card.category);
  return cls ? `${swatchHtml(cls)}${escapeHtml(pick(cls.label))}` : escapeHtml(lt('categoryNone'));
}

function landCardHtml(card) {
  const d = card.dates;
  const basis = d.start_basis ? lt('basis', { text: lt(d.start_basis === 'parcel' ? 'startParcel' : 'startProject') }) : '';
  const reasons = card.reasons.map((reason) => `<li>${escapeHtml(pick(reason))}</li>`).join('');
  return `<div class="land-card" data-parcel="${escapeHtml(card.parcel_code)}"><h3>${escapeHtml(lt('cardTitle', { code: card.parcel_code }))}</h3>`
    + `<table class="parcel-popup"><tbody>${row(lt('category'), categoryText(card))}`
    + `${row(lt('asOf'), escapeHtml(card.as_of))}${row(lt('supplyDate'), escapeHtml(d.supply_date ?? ''))}`
    + `${row(lt('agreedStart'), escapeHtml(d.agreed_start_date ?? ''))}${row(lt('idleOn'), escapeHtml(d.idle_on ?? ''))}`
    + `${row(lt('reclaimableOn'), escapeHtml(d.reclaimable_on ?? ''))}${row(lt('startDate'), escapeHtml((d.start_date ?? '') + (d.start_date ? basis : '')))}`
    + `${row(lt('stoppedDate'), escapeHtml(d.stopped_date ?? ''))}${row(lt('landPrice'), money(card.land_price_wan))}`
    + `${row(lt('idleFee'), money(card.idle_fee_wan))}${card.batches.length ? row(lt('batches'), escapeHtml(card.batches.join('、'))) : ''}`
    + `</tbody></table><h4>${escapeHtml(lt('reasons'))}</h4><ol class="land-reasons">${reasons}</ol></div>`;
}

function batchHtml(props) {
  const area = (m2, mu) => `${escapeHtml(formatNumber(m2) ?? '—')} m²${mu === undefined ? '' : `（${escapeHtml(formatNumber(mu) ?? '—')} 亩）`}`;
  return `<div class="land-card" data-batch="${escapeHtml(props.batch_code)}"><h3>${escapeHtml(lt('batchTitle', { code: props.batch_code }))}</h3>`
    + `<table class="parcel-popup"><tbody>${row(lt('approvedDate'), escapeHtml(props.approved_date ?? ''))}`
    + `${row(lt('approvalNo'), escapeHtml(props.approval_no ?? ''))}${row(lt('batchArea'), area(props.area_m2))}`
    + `${row(lt('unsupplied'), area(props.unsupplied_m2, props.unsupplied_mu))}${row(lt('asOf'), escapeHtml(state.asOf))}</tbody></table></div>`;
}

// Each indicator's value against the county's benchmark, as bars of value ÷ benchmark (a line at 1, drawn up to the cap).
function chartSvg(definitions, year) {
  const width = 330;
  const bar = 14;
  const label = 112;
  const span = width - label - 48;
  const rows = definitions.indicators.map((indicator, k) => {
    const value = year.indicators[indicator.name];
    const benchmark = year.benchmarks[indicator.name];
    const ratio = value === null || !benchmark ? null : Math.min(value / benchmark, CHART_CAP);
    const y = 6 + k * (bar + 8);
    const length = ratio === null ? 0 : (ratio / CHART_CAP) * span;
    const text = ratio === null ? '—' : `${(value / benchmark).toFixed(2)}×`;
    const name = lt(`short_${indicator.name}`);
    return `<text x="0" y="${y + bar - 3}" class="chart-label">${escapeHtml(name)}</text>`
      + `<rect x="${label}" y="${y}" width="${length.toFixed(1)}" height="${bar}" class="chart-bar${ratio !== null && ratio >= 1 ? ' above' : ''}"/>`
      + `<text x="${label + length + 4}" y="${y + bar - 3}" class="chart-value">${escapeHtml(text)}</text>`;
  }).join('');
  const height = 6 + definitions.indicators.length * (bar + 8);
  const one = label + span / CHART_CAP;
  return `<svg class="firm-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(lt('chartLabel'))}">${rows}`
    + `<line x1="${one}" x2="${one}" y1="0" y2="${height}" class="chart-benchmark"/></svg>`;
}

function firmCardHtml(card) {
  const latest = card.years[card.years.length - 1];
  const definitions = card.definitions;
  const number = (value, digits) => escapeHtml(formatNumber(value, digits) ?? '—');
  // A share (研发经费占比) is shown as a percentage to 0.01%, the others to 0.01 of their unit.
  const shown = (indicator, value) => (indicator.unit === '比率'
    ? (value === null || value === undefined ? '—' : `${escapeHtml(formatNumber(value * 100, 2))}%`) : number(value, 2));
  const rows = definitions.indicators.map((indicator) => `<tr><th scope="row">${escapeHtml(getLang() === 'en' ? indicator.en : indicator.zh)}</th>`
    + `<td>${shown(indicator, latest.indicators[indicator.name])}</td><td>${shown(indicator, latest.benchmarks[indicator.name])}</td></tr>`).join('');
  const history = card.years.map((year) => `<li><span>${year.year}</span> <strong>${escapeHtml(year.class)}</strong>`
    + `${year.score === null ? '' : ` ${number(year.score, 2)}`}</li>`).join('');
  const notes = latest.notes.map((note) => `<li>${escapeHtml(pick(note))}</li>`).join('');
  const rank = latest.rank === null ? '' : ` · ${escapeHtml(lt('rankOf', { rank: latest.rank, graded: latest.graded }))}`;
  return `<div class="land-card firm-card" data-firm="${escapeHtml(card.credit_code ?? card.enterprise)}">`
    + `<h3>${escapeHtml(card.enterprise)}</h3><p class="firm-line">${escapeHtml(card.credit_code ?? '')} · ${escapeHtml(card.jurisdiction)}</p>`
    + `<p class="firm-score">${escapeHtml(lt('firmClass'))} <strong class="firm-class">${escapeHtml(latest.class)}</strong> · `
    + `${escapeHtml(lt('score'))} ${number(latest.score, 2)}${rank}${escapeHtml(lt('basis', { text: latest.year }))}</p>`
    + `${latest.score === null ? '' : chartSvg(definitions, latest)}`
    + `<table class="parcel-popup firm-table"><thead><tr><th>${escapeHtml(lt('indicator'))}</th><th>${escapeHtml(lt('value'))}</th>`
    + `<th>${escapeHtml(lt('benchmark'))}</th></tr></thead><tbody>${rows}</tbody></table>`
    + `<h4>${escapeHtml(lt('history'))}</h4><ul class="firm-history">${history}</ul>`
    + `${notes ? `<h4>${escapeHtml(lt('notes'))}</h4><ul class="land-reasons">${notes}</ul>` : ''}`
    + `${definitions.unverified.includes('weights') ? `<p class="hint">${escapeHtml(lt('unverified'))}</p>` : ''}</div>`;
}

const openCards = { popup: null, render: null };

async function openCard(overlay, code, latlng) {
  try {
    let render;
    if (overlay.id === 'firm_classes') {
      const firm = state.answers.get(overlay.url)?.body?.parcels?.[code]?.[1];
      const card = await tracked(getJson(`/api/evaluation/firms/${encodeURIComponent(firm)}`));
      render = () => firmCardHtml(card);
    } else {
      const card = await tracked(getJson(`/api/land/parcels/${encodeURIComponent(code)}?as_of=${state.asOf}`));
      render = () => landCardHtml(card);
    }
    openCards.render = render;
    openCards.popup = L.popup({ className: 'mujun-popup land-popup', maxWidth: 400, maxHeight: 460, autoPanPadding: [20, 60] })
      .setLatLng(latlng).setContent(render()).openOn(map);
  } catch (err) {
    showError(err);
  }
}

// ---- the control --------------------------------------------------------------------------------

function overlayHtml(overlay) {
  const on = state.on.has(overlay.id);
  const legend = overlay.style.classes.map((cls) => `<li>${swatchHtml(cls)}<span>${escapeHtml(pick(cls.label))}</span></li>`).join('');
  const low = on && map.getZoom() < overlay.min_zoom ? `<p class="hint">${escapeHtml(lt('zoomInLand', { zoom: overlay.min_zoom }))}</p>` : '';
  const summary = on && state.summaries[overlay.id] ? `<p class="land-summary">${escapeHtml(state.summaries[overlay.id]())}</p>` : '';
  return `<li class="land-overlay"><label class="check"><input type="checkbox" data-overlay="${overlay.id}"${on ? ' checked' : ''}>`
    + `<span>${escapeHtml(pick(overlay.title))}</span></label>${on ? `<ul class="land-legend">${legend}</ul>${low}${summary}` : ''}</li>`;
}

// The lists' downloads, for those who may export (analysts and up; the server refuses anyone else).
function exportsHtml() {
  const asOfQuery = query({ as_of: state.asOf, format: 'xlsx' });
  return `<p class="land-exports"><span>${escapeHtml(lt('exports'))}</span>`
    + `<a class="button" download href="/api/land/idle?${asOfQuery}">${escapeHtml(lt('exportIdle'))}</a>`
    + `<a class="button" download href="/api/land/supply?${asOfQuery}">${escapeHtml(lt('exportSupply'))}</a>`
    + `<a class="button" download href="/api/evaluation?${new URLSearchParams({ format: 'xlsx', ...(state.year ? { year: state.year } : {}) })}">`
    + `${escapeHtml(lt('exportFirms'))}</a></p>`;
}

function render() {
  const box = state.box;
  if (!box) return;
  box.innerHTML = `<button type="button" class="land-toggle" aria-expanded="${state.open}">${escapeHtml(lt('landTitle'))}</button>`
    + `<div class="land-body"${state.open ? '' : ' hidden'}>`
    + `<label class="land-field"><span>${escapeHtml(lt('asOf'))}</span><input type="date" name="as_of" value="${escapeHtml(state.asOf)}"></label>`
    + `<label class="land-field"><span>${escapeHtml(lt('year'))}</span><input type="number" name="year" min="1990" max="2100" step="1" `
    + `value="${escapeHtml(state.year)}" placeholder="${escapeHtml(lt('latestYear'))}"></label>`
    + `<ul class="land-overlays">${state.overlays.map(overlayHtml).join('')}</ul>`
    + (may('report') ? exportsHtml() : '') + '</div>';
  box.setAttribute('aria-label', lt('landTitle'));
  fadeParcels();
  publish();
}

const LandControl = L.Control.extend({
  options: { position: 'topleft' },
  onAdd() {
    const box = L.DomUtil.create('div', 'land-control');
    box.setAttribute('role', 'region');
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    box.addEventListener('change', (event) => {
      const target = event.target;
      if (target.dataset.overlay) {
        setOn(state.overlays.find((o) => o.id === target.dataset.overlay), target.checked);
      } else if (target.name === 'as_of' && target.value) {
        state.asOf = target.value;
        refreshAll();
      } else if (target.name === 'year') {
        state.year = target.value;
        refreshAll();
      }
    });
    box.addEventListener('click', (event) => {
      if (!event.target.closest('.land-toggle')) return;
      state.open = !state.open;
      render();
    });
    return box;
  },
});

// Started by the page (app.js) once someone is signed in and the map is drawn, with the catalogue it read.
export function initLand(catalogue) {
  state.overlays = catalogue.overlays ?? [];
  state.overlays.forEach((overlay, index) => {
    const name = `overlay-${overlay.id}`;
    map.createPane(name).style.zIndex = String(PANE_Z + index);
    state.layers.set(overlay.id, overlay.source === 'geojson' ? batchOverlay(overlay, name) : parcelOverlay(overlay, name));
  });
  const control = new LandControl().addTo(map);
  state.box = control.getContainer();
  const wanted = new URLSearchParams(window.location.search);
  if (wanted.get('land_as_of')) state.asOf = wanted.get('land_as_of'); // the progress view's as_of is a month
  if (wanted.get('land_year')) state.year = wanted.get('land_year');
  render();
  for (const id of (wanted.get('land') ?? '').split(',').filter(Boolean)) {
    const overlay = state.overlays.find((o) => o.id === id);
    if (overlay) setOn(overlay, true);
  }
  map.on('moveend', () => {
    for (const overlay of state.overlays) if (overlay.source === 'geojson' && state.on.has(overlay.id)) loadBatches(overlay);
    render();
  });
  document.addEventListener('mujun:filters', () => {
    for (const overlay of state.overlays) {
      if (overlay.source === 'parcel_classes') state.layers.get(overlay.id).setUrl(parcelTiles(), true);
    }
    refreshAll();
  });
  // The page switches language by rewriting <html lang>: redraw this module's words then.
  new MutationObserver(() => {
    render();
    if (openCards.popup?.isOpen()) openCards.popup.setContent(openCards.render());
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
}
