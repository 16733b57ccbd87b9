// Mujun map page: layers and legend from GET /api/layers, features by bounding box, popups from
// GET /api/lookup, search by parcel code. Every rule (band, status, intensity) is decided by the server.

import { initialLang, getLang, pick, setLang, t } from './i18n.js';
import { escapeHtml, popupHtml } from './popup.js';
import { classFor, legendHtml, pathStyle, swatchHtml } from './symbols.js';

const FEATURE_LIMIT = 5000;
const TOAST_MS = 5000;
const SEARCH_MAX_ZOOM = 18;

const state = {
  catalogue: null,
  groups: new Map(), // layer id → L.GeoJSON
  requests: new Map(), // layer id → AbortController of its running feature request
  truncated: new Set(), // layer ids whose last answer was cut at FEATURE_LIMIT
  hiddenByZoom: false,
  basemap: null,
  pending: 0,
  popup: null, // { layer: L.Popup, records }
  controls: { zoom: null, layers: null, legend: null },
};

// An error the page can explain: the API's own {zh, en} message, or one of ours by key.
class ApiError extends Error {
  constructor(messages, fallbackKey) {
    super(messages?.en ?? fallbackKey);
    this.messages = messages;
    this.fallbackKey = fallbackKey;
  }
}

async function getJson(url, signal) {
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(null, 'errorNetwork');
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    if (signal?.aborted) throw err;
    body = null;
  }
  if (!response.ok) throw new ApiError(body?.error?.message ?? null, 'errorServer');
  if (body === null) throw new ApiError(null, 'errorServer');
  return body;
}

function errorText(err) {
  if (err instanceof ApiError) return err.messages ? pick(err.messages) : t(err.fallbackKey);
  return t('errorUnexpected');
}

// ---- small overlays: progress, notices, toast --------------------------------------------------

async function tracked(promise) {
  state.pending += 1;
  renderLoading();
  try {
    return await promise;
  } finally {
    state.pending -= 1;
    renderLoading();
  }
}

function renderLoading() {
  document.getElementById('loading').hidden = state.pending === 0;
}

function renderNotice() {
  const lines = [];
  if (state.hiddenByZoom) lines.push(t('zoomIn'));
  for (const layer of state.catalogue?.layers ?? []) {
    if (state.truncated.has(layer.id)) {
      lines.push(t('truncated', { title: pick(layer.title), count: FEATURE_LIMIT.toLocaleString(t('numberLocale')) }));
    }
  }
  const notice = document.getElementById('notice');
  notice.replaceChildren(...lines.map((line) => Object.assign(document.createElement('p'), { textContent: line })));
  notice.hidden = lines.length === 0;
}

let toastTimer = null;
let toastText = null; // () => the message in the current language, while the toast is shown

function hideToast() {
  clearTimeout(toastTimer);
  toastText = null;
  document.getElementById('toast').hidden = true;
}

function renderToast() {
  const box = document.getElementById('toast');
  box.textContent = toastText ? toastText() : '';
  box.hidden = toastText === null;
}

// A message that goes away by itself, unless the page cannot work without what failed.
function toast(text, persistent = false) {
  clearTimeout(toastTimer);
  toastText = text;
  renderToast();
  if (!persistent) toastTimer = setTimeout(hideToast, TOAST_MS);
}

function showError(err, persistent = false) {
  if (!(err instanceof ApiError)) console.error(err);
  toast(() => errorText(err), persistent);
}

// ---- the map -----------------------------------------------------------------------------------

const map = L.map('map', { zoomControl: false, attributionControl: true });
map.attributionControl.setPrefix('Leaflet');
L.control.scale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(map);

const Legend = L.Control.extend({
  options: { position: 'bottomright' },
  onAdd() {
    this.box = L.DomUtil.create('div', 'legend');
    this.box.setAttribute('role', 'region');
    L.DomEvent.disableClickPropagation(this.box);
    L.DomEvent.disableScrollPropagation(this.box);
    this.render();
    return this.box;
  },
  render() {
    this.box.setAttribute('aria-label', t('legend'));
    this.box.innerHTML = legendHtml(state.catalogue?.layers ?? []);
  },
});

function bboxParam(bounds) {
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi).toFixed(6);
  return [
    clamp(bounds.getWest(), -180, 180),
    clamp(bounds.getSouth(), -90, 90),
    clamp(bounds.getEast(), -180, 180),
    clamp(bounds.getNorth(), -90, 90),
  ].join(',');
}

function featuresUrl(layer, bbox) {
  const url = new URL(layer.features_url, window.location.href);
  url.searchParams.set('bbox', bbox);
  url.searchParams.set('limit', String(FEATURE_LIMIT));
  return url.pathname + url.search;
}

async function loadFeatures(layer, bbox) {
  const controller = new AbortController();
  state.requests.set(layer.id, controller);
  try {
    const collection = await tracked(getJson(featuresUrl(layer, bbox), controller.signal));
    if (controller.signal.aborted) return;
    const group = state.groups.get(layer.id);
    group.clearLayers();
    group.addData(collection);
    if (collection.truncated) state.truncated.add(layer.id);
    else state.truncated.delete(layer.id);
    renderNotice();
  } catch (err) {
    if (err.name !== 'AbortError') showError(err);
  } finally {
    if (state.requests.get(layer.id) === controller) state.requests.delete(layer.id);
  }
}

// Fetch every visible layer for the current view; layers below their min_zoom are emptied.
function refresh() {
  if (!state.catalogue) return;
  const zoom = map.getZoom();
  const bbox = bboxParam(map.getBounds());
  state.hiddenByZoom = false;
  for (const layer of state.catalogue.layers) {
    state.requests.get(layer.id)?.abort();
    const group = state.groups.get(layer.id);
    if (!map.hasLayer(group)) continue;
    if (zoom < layer.min_zoom) {
      group.clearLayers();
      state.truncated.delete(layer.id);
      state.hiddenByZoom = true;
    } else {
      loadFeatures(layer, bbox);
    }
  }
  renderNotice();
}

// Broad layers (lower min_zoom) go underneath: each layer gets its own pane, stacked in that order.
function addLayers(layers) {
  const ordered = [...layers].sort((a, b) => a.min_zoom - b.min_zoom);
  ordered.forEach((layer, index) => {
    const pane = map.createPane(`layer-${layer.id}`);
    pane.style.zIndex = String(410 + index);
    const group = L.geoJSON(null, {
      pane: `layer-${layer.id}`,
      style: (feature) => pathStyle(layer, feature.properties),
    });
    state.groups.set(layer.id, group.addTo(map));
  });
  state.catalogue.layers = ordered;
}

function addControls() {
  state.controls.zoom?.remove();
  state.controls.layers?.remove();
  state.controls.zoom = L.control.zoom({ zoomInTitle: t('zoomInTitle'), zoomOutTitle: t('zoomOutTitle') }).addTo(map);
  if (!state.catalogue) return;
  const overlays = {}; // names go into the page as HTML
  if (state.basemap) overlays[escapeHtml(t('basemap'))] = state.basemap;
  for (const layer of state.catalogue.layers) overlays[escapeHtml(pick(layer.title))] = state.groups.get(layer.id);
  state.controls.layers = L.control.layers(null, overlays, { collapsed: false, position: 'topright' }).addTo(map);
  state.controls.layers.getContainer().setAttribute('aria-label', t('layers'));
}

// ---- popups, lookup and search -----------------------------------------------------------------

function statusSwatch(record) {
  const bandLayer = state.catalogue?.layers.find((layer) => layer.style.property === 'band');
  return bandLayer ? swatchHtml(classFor(bandLayer.style, record)) : '';
}

function openPopup(latlng, records) {
  const popup = L.popup({ maxWidth: 460, className: 'mujun-popup', autoPanPadding: [20, 60] })
    .setLatLng(latlng)
    .setContent(popupHtml(records, statusSwatch))
    .openOn(map);
  state.popup = { layer: popup, records };
}

map.on('popupclose', (event) => {
  if (state.popup?.layer === event.popup) state.popup = null;
});

async function lookup(latlng) {
  const point = latlng.wrap();
  const url = `/api/lookup?lon=${point.lng.toFixed(7)}&lat=${point.lat.toFixed(7)}`;
  try {
    const answer = await tracked(getJson(url));
    openPopup(latlng, answer.parcels ?? []);
  } catch (err) {
    showError(err);
  }
}

async function search(code) {
  hideToast();
  if (code === '') {
    toast(() => t('emptySearch'));
    return;
  }
  try {
    const record = await tracked(getJson(`/api/parcels/${encodeURIComponent(code)}`));
    const [minLon, minLat, maxLon, maxLat] = record.bbox;
    const bounds = L.latLngBounds([minLat, minLon], [maxLat, maxLon]);
    map.fitBounds(bounds, { maxZoom: SEARCH_MAX_ZOOM, padding: [40, 40], animate: false });
    openPopup(bounds.getCenter(), [record]);
  } catch (err) {
    showError(err);
  }
}

// ---- language ----------------------------------------------------------------------------------

function applyLanguage(lang) {
  setLang(lang);
  document.documentElement.lang = t('htmlLang');
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === getLang()));
  }
  const url = new URL(window.location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.set('lang', getLang());
    window.history.replaceState(null, '', url);
  }
  addControls();
  state.controls.legend?.render();
  renderNotice();
  renderToast();
  if (state.popup) state.popup.layer.setContent(popupHtml(state.popup.records, statusSwatch));
}

// ---- start -------------------------------------------------------------------------------------

function wirePage() {
  document.getElementById('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    search(document.getElementById('search-input').value.trim());
  });
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => applyLanguage(button.dataset.lang));
  }
}

async function start() {
  wirePage();
  applyLanguage(initialLang());
  let catalogue;
  try {
    catalogue = await tracked(getJson('/api/layers'));
  } catch (err) {
    showError(err, true);
    return;
  }
  state.catalogue = catalogue;
  if (catalogue.basemap) {
    state.basemap = L.tileLayer(catalogue.basemap.url, { attribution: catalogue.basemap.attribution, maxZoom: 19 });
  }
  addLayers(catalogue.layers);
  addControls();
  state.controls.legend = new Legend().addTo(map);
  if (catalogue.initial_bbox) {
    const [minLon, minLat, maxLon, maxLat] = catalogue.initial_bbox;
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]]);
  } else {
    map.fitWorld(); // nothing loaded yet
  }
  map.on('moveend', refresh);
  map.on('overlayadd overlayremove', (event) => {
    if (event.layer !== state.basemap) refresh();
  });
  map.on('click', (event) => lookup(event.latlng));
  refresh();
}

start();
