// The map: layers and legend from the catalogue (GET /api/layers); small layers as GeoJSON by bounding
// box, large ones (parcels) as vector tiles drawn on canvas (Leaflet.VectorGrid) with the report's
// filters applied by the server; the parcel popup (a tile feature's record, or GET /api/lookup on a
// click elsewhere) and the selected parcel. Every band, status and figure shown was decided by the
// server; this module only draws it.

import { basemapLayer, basemapTitle, initialBasemap, NONE } from './basemaps.js';
import { pick, t } from './i18n.js';
import { escapeHtml, popupHtml } from './popup.js';
import { classFor, legendHtml, pathStyle, summaryStyle, swatchHtml } from './symbols.js';
import { getJson, isAbort, showError, tracked } from './ui.js';

const FEATURE_LIMIT = 5000;
const RECORD_MAX_ZOOM = 18;
const DIMMED = { fillOpacity: 0.08, opacity: 0.25 };

const state = {
  catalogue: null,
  groups: new Map(), // layer id → L.GeoJSON, or L.VectorGrid for a tiled layer
  filters: {}, // the report's filters, sent with every tile request
  tileLoads: new Map(), // tiled layer id → { done } of the tiles being loaded (the progress indicator)
  drawn: { parcels: new Set(), dimmed: new Set(), classes: new Map() }, // parcel codes drawn from tiles since the view last changed
  requests: new Map(), // layer id → AbortController of its running feature request
  truncated: new Set(), // layer ids whose last answer was cut at FEATURE_LIMIT
  hiddenByZoom: false,
  basemaps: [], // as GET /api/basemaps lists them
  basemapLayers: new Map(), // base map id (or NONE) → its Leaflet layer
  basemap: NONE, // the id of the base map shown
  popup: null, // { layer: L.Popup, records }
  highlighted: null, // (feature properties) → true for a parcel kept bright while the others are dimmed; null: none dimmed
  themes: new Map(), // layer id → { title, style, props(properties) } drawn instead of the catalogue's style (setLayerTheme)
  controls: { zoom: null, layers: null, legend: null },
  listeners: { select: () => {}, change: () => {} },
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
    this.box.innerHTML = legendHtml((state.catalogue?.layers ?? []).map(themed));
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
    if (isTiled(layer)) {
      if (zoom < layer.tiles.min_zoom) state.hiddenByZoom = true; // zone summaries meanwhile
      continue;
    }
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
  return state.highlighted !== null && props?.parcel_code !== undefined && !state.highlighted(props);
}

// A layer as it is drawn: with the theme set on it (its style and legend title), else as the catalogue has it.
function themed(layer) {
  const theme = state.themes.get(layer.id);
  return theme ? { ...layer, title: theme.title, style: theme.style } : layer;
}

function themedProps(layer, props) {
  return state.themes.get(layer.id)?.props(props) ?? props;
}

// The catalogue's style (or the theme's), faded for parcels outside the highlighted set (a view setting, not a rule).
function featureStyle(layer, props) {
  const style = pathStyle(themed(layer), themedProps(layer, props));
  return isDimmed(props) ? { ...style, ...DIMMED } : style;
}

// Draw a layer by a theme of the catalogue's (`layer.themes`): `theme` = { title, style, props(properties) → the
// properties with the theme's own set }, values the server decided; null draws it by its catalogue style again.
export function setLayerTheme(layerId, theme) {
  if (theme) state.themes.set(layerId, theme);
  else state.themes.delete(layerId);
  state.controls.legend?.render();
  const group = state.groups.get(layerId);
  if (group instanceof L.VectorGrid) {
    group.redraw();
    return;
  }
  group?.eachLayer((path) => group.resetStyle(path));
}

function markDimmed(path) {
  path.getElement()?.classList.toggle('parcel-dimmed', isDimmed(path.feature?.properties));
}

// Keep the parcels `keep(properties)` accepts bright and fade the others; null shows every parcel as the catalogue says.
export function setHighlight(keep) {
  state.highlighted = keep;
  const group = state.groups.get('parcels');
  if (group instanceof L.VectorGrid) {
    group.redraw();
    return;
  }
  group?.eachLayer((path) => {
    group.resetStyle(path);
    markDimmed(path);
  });
}

// ---- vector tiles ------------------------------------------------------------------------------

function isTiled(layer) {
  return layer.map_source === 'tiles' && layer.tiles;
}

function tileUrl(layer) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.filters)) if (value) params.append(name, value);
  const query = params.toString();
  return `/tiles/${encodeURIComponent(layer.id)}/{z}/{x}/{y}.mvt${query ? `?${query}` : ''}`;
}

export function mapFilters() {
  return { ...state.filters };
}

// The map's filters are the report's (jurisdiction, zone, class, stage, industry, level, band): the server
// applies them to the tiles, and the layer redraws without reloading the page.
export function setMapFilters(filters) {
  const changed = JSON.stringify(filters) !== JSON.stringify(state.filters);
  state.filters = { ...filters };
  if (changed) document.dispatchEvent(new CustomEvent('mujun:filters', { detail: mapFilters() })); // overlays follow (land.js)
  if (!changed || !state.catalogue) return;
  for (const layer of state.catalogue.layers) {
    if (isTiled(layer)) state.groups.get(layer.id).setUrl(tileUrl(layer));
  }
}

// After a load: every layer fetched again (the tiles' URLs are the same, their data version is not).
export function redrawData() {
  if (!state.catalogue) return;
  for (const layer of state.catalogue.layers) {
    if (isTiled(layer)) state.groups.get(layer.id).redraw();
  }
  refresh();
}

// What the tests and a curious official can read off the map: parcels drawn from tiles, and how many dimmed.
function recordDrawn(layer, props) {
  if (props.parcel_code === undefined) return;
  state.drawn.parcels.add(props.parcel_code);
  if (isDimmed(props)) state.drawn.dimmed.add(props.parcel_code);
  else state.drawn.dimmed.delete(props.parcel_code);
  const shown = themed(layer).style;
  state.drawn.classes.set(props.parcel_code, classFor(shown, themedProps(layer, props))?.value ?? null);
}

function publishDrawn() {
  const box = document.getElementById('map');
  box.dataset.parcels = String(state.drawn.parcels.size);
  box.dataset.parcelsDimmed = String(state.drawn.dimmed.size);
  const counts = {};
  for (const value of state.drawn.classes.values()) counts[value] = (counts[value] ?? 0) + 1;
  box.dataset.parcelClasses = JSON.stringify(counts);
  box.dataset.tilesLoaded = 'true';
}

function summaryHtml(props) {
  const number = (value) => Number(value ?? 0).toLocaleString(t('numberLocale'));
  const bands = (state.catalogue.layers.find((l) => l.id === 'parcels')?.style.classes ?? [])
    .map((cls) => `<tr><th>${swatchHtml(cls)} ${escapeHtml(pick(cls.label))}</th><td>${number(props[cls.value])}</td></tr>`)
    .join('');
  return `<div class="zone-summary"><h3>${escapeHtml(props.name ?? props.zone_code)}</h3>`
    + `<p>${escapeHtml(props.jurisdiction ?? '')}${escapeHtml(t('dot'))}${escapeHtml(t('parcelCount', { count: number(props.parcels) }))}</p>`
    + `<table>${bands}</table><p class="hint">${escapeHtml(t('zoomIn'))}</p></div>`;
}

async function openTileFeature(event) {
  if (state.clickGuard()) return; // drawing a site or a measure: the click is a vertex, on a parcel or not
  L.DomEvent.stopPropagation(event); // the map's own click would look the point up again
  const props = event.layer.properties ?? {};
  if (props.parcel_code === undefined) {
    L.popup({ className: 'mujun-popup' }).setLatLng(event.latlng).setContent(summaryHtml(props)).openOn(map);
    return;
  }
  try {
    const record = await tracked(getJson(`/api/parcels/${encodeURIComponent(props.parcel_code)}`));
    openPopup(event.latlng, [record]);
  } catch (err) {
    showError(err);
  }
}

// A tiled layer: parcels (or, below the layer's tile zoom, one point per zone) drawn on canvas.
function tiledLayer(layer, pane) {
  const zones = state.catalogue.layers.find((l) => l.id === 'zones');
  const styles = {
    [layer.id]: (props) => {
      recordDrawn(layer, props);
      return { ...featureStyle(layer, props), fill: true };
    },
  };
  if (layer.tiles.summary_layer) styles[layer.tiles.summary_layer] = (props) => summaryStyle(zones, props);
  const grid = L.vectorGrid.protobuf(tileUrl(layer), {
    pane,
    rendererFactory: L.canvas.tile,
    vectorTileLayerStyles: styles,
    interactive: true,
    maxNativeZoom: layer.tiles.max_zoom,
    minZoom: layer.min_zoom,
    getFeatureId: (feature) => feature.properties.parcel_code ?? feature.properties.zone_code,
  });
  grid.on('click', openTileFeature);
  grid.on('loading', () => {
    state.drawn.parcels.clear();
    state.drawn.dimmed.clear();
    state.drawn.classes.clear();
    if (!state.tileLoads.has(layer.id)) {
      let done;
      tracked(new Promise((resolve) => { done = resolve; }));
      state.tileLoads.set(layer.id, { done });
    }
  });
  grid.on('load', () => {
    publishDrawn();
    state.tileLoads.get(layer.id)?.done();
    state.tileLoads.delete(layer.id);
  });
  return grid;
}

// Broad layers (lower min_zoom) go underneath: each layer gets its own pane, stacked in that order.
function addLayers(layers) {
  const ordered = [...layers].sort((a, b) => a.min_zoom - b.min_zoom);
  ordered.forEach((layer, index) => {
    const pane = map.createPane(`layer-${layer.id}`);
    pane.style.zIndex = String(410 + index);
    if (isTiled(layer)) {
      state.groups.set(layer.id, tiledLayer(layer, `layer-${layer.id}`).addTo(map));
      return;
    }
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
  for (const layer of state.catalogue.layers) overlays[escapeHtml(pick(layer.title))] = state.groups.get(layer.id);
  let bases = null; // a switcher of base maps (with "none") only where there is one to switch to
  if (state.basemaps.length) {
    bases = { [escapeHtml(basemapTitle(null))]: state.basemapLayers.get(NONE) };
    for (const basemap of state.basemaps) bases[escapeHtml(basemapTitle(basemap))] = state.basemapLayers.get(basemap.id);
  }
  state.controls.layers = L.control.layers(bases, overlays, { collapsed: false, position: 'topright' }).addTo(map);
  state.controls.layers.getContainer().setAttribute('aria-label', t('layers'));
}

// What is on screen, as the printed map asks for it: the base map, the layers shown, the filters.
export function currentBasemap() {
  return state.basemap;
}

export function basemapById(id) {
  return state.basemaps.find((b) => b.id === id) ?? null;
}

export function visibleLayers() {
  return (state.catalogue?.layers ?? []).filter((layer) => map.hasLayer(state.groups.get(layer.id))).map((layer) => layer.id);
}

function startBasemaps(basemaps, asked) {
  state.basemaps = basemaps;
  state.basemapLayers.set(NONE, L.layerGroup());
  for (const basemap of basemaps) state.basemapLayers.set(basemap.id, basemapLayer(basemap));
  state.basemap = initialBasemap(basemaps, asked);
  state.basemapLayers.get(state.basemap).addTo(map);
  map.on('baselayerchange', (event) => {
    state.basemap = event.layer.basemapId ?? NONE;
    state.listeners.change();
  });
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

// onSelect() runs whenever the selected parcel changes, onChange() when the base map does; clickGuard() true keeps
// a click from looking up parcels (while a site or a measure is being drawn); `covered` is the width the panel
// hides on the right; `basemap` the id a link asks for.
export function startMap(loaded, { view, onSelect, onChange, clickGuard, covered = 0, basemaps = [], basemap = null }) {
  state.catalogue = loaded;
  state.listeners.select = onSelect;
  state.listeners.change = onChange ?? (() => {});
  state.clickGuard = clickGuard;
  startBasemaps(basemaps, basemap);
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
  map.on('overlayadd overlayremove', refresh);
  map.on('click', (event) => {
    if (!state.clickGuard()) lookup(event.latlng);
  });
  refresh();
}
