// The map: layers and legend from the catalogue (GET /api/layers), features by bounding box, the
// parcel popup (GET /api/lookup on a click) and the selected parcel. Every band, status and figure
// shown was decided by the server; this module only draws it.

import { pick, t } from './i18n.js';
import { escapeHtml, popupHtml } from './popup.js';
import { classFor, legendHtml, pathStyle, swatchHtml } from './symbols.js';
import { getJson, isAbort, showError, tracked } from './ui.js';

const FEATURE_LIMIT = 5000;
const RECORD_MAX_ZOOM = 18;
const DIMMED = { fillOpacity: 0.08, opacity: 0.25 };

const state = {
  catalogue: null,
  groups: new Map(), // layer id → L.GeoJSON
  requests: new Map(), // layer id → AbortController of its running feature request
  truncated: new Set(), // layer ids whose last answer was cut at FEATURE_LIMIT
  hiddenByZoom: false,
  basemap: null,
  popup: null, // { layer: L.Popup, records }
  highlighted: null, // Set of parcel codes kept bright while the others are dimmed; null: none dimmed
  controls: { zoom: null, layers: null, legend: null },
  listeners: { select: () => {} },
  clickGuard: () => false,
};

export const map = L.map('map', { zoomControl: false, attributionControl: true });
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

export function catalogue() {
  return state.catalogue;
}

// ---- features ----------------------------------------------------------------------------------

function bboxParam(bounds) {
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi).toFixed(6);
  return [
    clamp(bounds.getWest(), -180, 180),
    clamp(bounds.getSouth(), -90, 90),
    clamp(bounds.getEast(), -180, 180),
    clamp(bounds.getNorth(), -90, 90),
  ].join(',');
}

function featuresUrl(layer, bbox, limit = FEATURE_LIMIT) {
  const url = new URL(layer.features_url, window.location.href);
  url.searchParams.set('bbox', bbox);
  url.searchParams.set('limit', String(limit));
  return url.pathname + url.search;
}

export function renderNotice() {
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
    if (!isAbort(err)) showError(err);
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

function isDimmed(props) {
  return state.highlighted !== null && props?.parcel_code !== undefined && !state.highlighted.has(props.parcel_code);
}

// The catalogue's style, faded for parcels outside the highlighted set (a view setting, not a rule).
function featureStyle(layer, props) {
  const style = pathStyle(layer, props);
  return isDimmed(props) ? { ...style, ...DIMMED } : style;
}

function markDimmed(path) {
  path.getElement()?.classList.toggle('parcel-dimmed', isDimmed(path.feature?.properties));
}

// Keep these parcel codes bright and fade the others; null shows every parcel as the catalogue says.
export function setHighlight(codes) {
  state.highlighted = codes;
  const group = state.groups.get('parcels');
  group?.eachLayer((path) => {
    group.resetStyle(path);
    markDimmed(path);
  });
}

// Broad layers (lower min_zoom) go underneath: each layer gets its own pane, stacked in that order.
function addLayers(layers) {
  const ordered = [...layers].sort((a, b) => a.min_zoom - b.min_zoom);
  ordered.forEach((layer, index) => {
    const pane = map.createPane(`layer-${layer.id}`);
    pane.style.zIndex = String(410 + index);
    const group = L.geoJSON(null, {
      pane: `layer-${layer.id}`,
      style: (feature) => featureStyle(layer, feature.properties),
      onEachFeature: (feature, path) => path.on('add', () => markDimmed(path)),
    });
    state.groups.set(layer.id, group.addTo(map));
  });
  state.catalogue.layers = ordered;
}

export function renderControls() {
  state.controls.zoom?.remove();
  state.controls.layers?.remove();
  state.controls.zoom = L.control.zoom({ zoomInTitle: t('zoomInTitle'), zoomOutTitle: t('zoomOutTitle') }).addTo(map);
  state.controls.legend?.render();
  if (!state.catalogue) return;
  const overlays = {}; // names go into the page as HTML
  if (state.basemap) overlays[escapeHtml(t('basemap'))] = state.basemap;
  for (const layer of state.catalogue.layers) overlays[escapeHtml(pick(layer.title))] = state.groups.get(layer.id);
  state.controls.layers = L.control.layers(null, overlays, { collapsed: false, position: 'topright' }).addTo(map);
  state.controls.layers.getContainer().setAttribute('aria-label', t('layers'));
}

// ---- bands, popups and the selected parcel -----------------------------------------------------

// The catalogue's style class for a band (meets, below, far_below, none), with its colours and label.
export function bandClass(band) {
  const bandLayer = state.catalogue?.layers.find((layer) => layer.style.property === 'band');
  return bandLayer ? classFor(bandLayer.style, { band }) : null;
}

export function bandSwatch(band) {
  return swatchHtml(bandClass(band));
}

function openPopup(latlng, records, autoPan = true) {
  const popup = L.popup({ maxWidth: 460, className: 'mujun-popup', autoPan, autoPanPadding: [20, 60] })
    .setLatLng(latlng)
    .setContent(popupHtml(records, (record) => bandSwatch(record.band)));
  state.popup = { layer: popup, records };
  popup.openOn(map);
  state.listeners.select();
}

map.on('popupclose', (event) => {
  if (state.popup?.layer !== event.popup) return;
  state.popup = null;
  state.listeners.select();
});

export function selectedParcel() {
  return state.popup?.records[0]?.parcel_code ?? null;
}

function recordBounds(record) {
  const [minLon, minLat, maxLon, maxLat] = record.bbox;
  return L.latLngBounds([minLat, minLon], [maxLat, maxLon]);
}

// Open a parcel record's popup at its middle; `fit` zooms to it first (a restored link keeps its view).
export function showRecord(record, { fit = true } = {}) {
  const bounds = recordBounds(record);
  if (fit) map.fitBounds(bounds, { maxZoom: RECORD_MAX_ZOOM, padding: [40, 40], animate: false });
  openPopup(bounds.getCenter(), [record], fit);
}

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

export function renderPopup() {
  if (state.popup) state.popup.layer.setContent(popupHtml(state.popup.records, (record) => bandSwatch(record.band)));
}

// ---- start -------------------------------------------------------------------------------------

// onSelect() runs whenever the selected parcel changes; clickGuard() true keeps a click from
// looking up parcels (while a site is being drawn); `covered` is the width the panel hides on the right.
export function startMap(loaded, { view, onSelect, clickGuard, covered = 0 }) {
  state.catalogue = loaded;
  state.listeners.select = onSelect;
  state.clickGuard = clickGuard;
  if (loaded.basemap) {
    state.basemap = L.tileLayer(loaded.basemap.url, { attribution: loaded.basemap.attribution, maxZoom: 19 });
  }
  addLayers(loaded.layers);
  state.controls.legend = new Legend().addTo(map);
  renderControls();
  if (view) {
    map.setView([view.lat, view.lng], view.zoom);
  } else if (loaded.initial_bbox) {
    const [minLon, minLat, maxLon, maxLat] = loaded.initial_bbox;
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { paddingBottomRight: [covered, 0] });
  } else {
    map.fitWorld(); // nothing loaded yet
  }
  map.on('moveend', refresh);
  map.on('overlayadd overlayremove', (event) => {
    if (event.layer !== state.basemap) refresh();
  });
  map.on('click', (event) => {
    if (!state.clickGuard()) lookup(event.latlng);
  });
  refresh();
}
