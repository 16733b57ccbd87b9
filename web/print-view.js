// The printed map (print.html), opened by the server's headless Chromium for POST /api/print: the view the
// official had on screen (bbox, base map, layers, filters) on one sheet of A4 or A3, with title, legend (from the
// layer catalogue), scale bar, north arrow, the data's date and the base map's attribution. The body gets
// data-ready once everything is drawn; the server prints it then.

import { basemapLayer, whenDrawn } from './basemaps.js';
import { pick, setLang, t } from './i18n.js';
import { escapeHtml } from './popup.js';
import { legendHtml, pathStyle, summaryStyle } from './symbols.js';
import { getJson } from './ui.js';

const PRINT_KEY = 'mujun.printMap'; // PRINT_STORAGE_KEY in geo_api/routers/printing.py
const FEATURE_LIMIT = 5000;
const GIVE_UP_MS = 40_000; // a source that never answers still lets the sheet print, without it
const FILTER_LABELS = { jurisdiction: 'filterJurisdiction', zone: 'filterZone', zone_class: 'filterZoneClass', stage: 'filterStage',
  industry: 'filterIndustry', level: 'filterLevel', band: 'filterBand' };

function readSheet() {
  try {
    return JSON.parse(window.sessionStorage.getItem(PRINT_KEY) ?? 'null');
  } catch {
    return null;
  }
}

function pageStyle(paper) {
  const [short, long] = paper.size === 'A3' ? [297, 420] : [210, 297];
  const [width, height] = paper.orientation === 'landscape' ? [long, short] : [short, long];
  const style = document.createElement('style');
  style.textContent = `@page { size: ${paper.size} ${paper.orientation}; margin: 0; }
    .print-sheet { width: ${width}mm; height: ${height - 0.5}mm; }`;
  document.head.append(style);
}

function dateText(iso, withTime) {
  if (!iso) return t('printNoData');
  const options = withTime ? { dateStyle: 'long', timeStyle: 'short' } : { dateStyle: 'long' };
  return new Date(iso).toLocaleString(t('numberLocale'), options);
}

function filtersText(filters) {
  const parts = Object.entries(filters ?? {}).filter(([, value]) => value)
    .map(([name, value]) => `${FILTER_LABELS[name] ? t(FILTER_LABELS[name]) : name} ${value}`);
  return parts.length ? t('printFilters', { text: parts.join(t('sep')) }) : '';
}

const NorthArrow = L.Control.extend({
  options: { position: 'topright' },
  onAdd() {
    const box = L.DomUtil.create('div', 'north-arrow');
    box.innerHTML = '<svg width="22" height="30" viewBox="0 0 22 30" aria-hidden="true">'
      + '<polygon points="11,0 21,28 11,21 1,28" fill="#1f2933"/><polygon points="11,0 11,21 1,28" fill="#ffffff" stroke="#1f2933"/></svg>'
      + `<span>${escapeHtml(t('printNorth'))}</span>`;
    return box;
  },
});

function legendControl(layers) {
  const Legend = L.Control.extend({
    options: { position: 'bottomright' },
    onAdd() {
      const box = L.DomUtil.create('div', 'print-legend');
      box.innerHTML = legendHtml(layers);
      return box;
    },
  });
  return new Legend();
}

function tileUrl(layer, filters) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters ?? {})) if (value) params.append(name, value);
  const query = params.toString();
  return `/tiles/${encodeURIComponent(layer.id)}/{z}/{x}/{y}.mvt${query ? `?${query}` : ''}`;
}

// A layer as the map page draws it: vector tiles (with the filters) or GeoJSON of the view; resolves once drawn.
function drawLayer(map, layer, zones, sheet, pane) {
  if (layer.map_source === 'tiles' && layer.tiles) {
    const styles = { [layer.id]: (props) => ({ ...pathStyle(layer, props), fill: true }) };
    if (layer.tiles.summary_layer) styles[layer.tiles.summary_layer] = (props) => summaryStyle(zones, props);
    const grid = L.vectorGrid.protobuf(tileUrl(layer, sheet.filters), { pane, rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles, interactive: false, maxNativeZoom: layer.tiles.max_zoom });
    const drawn = new Promise((resolve) => { grid.once('load', resolve); });
    grid.addTo(map);
    return drawn;
  }
  const [west, south, east, north] = sheet.bbox;
  const url = `${layer.features_url}?bbox=${[west, south, east, north].map((v) => v.toFixed(6)).join(',')}&limit=${FEATURE_LIMIT}`;
  return getJson(url).then((collection) => {
    L.geoJSON(collection, { pane, interactive: false, style: (feature) => pathStyle(layer, feature.properties) }).addTo(map);
  });
}

async function start() {
  const sheet = readSheet();
  if (!sheet?.bbox) {
    document.getElementById('print-missing').hidden = false;
    document.body.dataset.ready = 'missing';
    return;
  }
  setLang(sheet.lang ?? 'zh');
  document.documentElement.lang = t('htmlLang');
  document.title = sheet.title;
  pageStyle(sheet.paper);
  document.getElementById('print-sheet').hidden = false;
  document.getElementById('print-title').textContent = sheet.title;
  document.getElementById('print-filters').textContent = filtersText(sheet.filters);
  const basemap = sheet.basemap;
  const footer = [t('printDataDate', { date: dateText(sheet.data_date, false) }), t('printPrinted', { date: dateText(sheet.printed_at, true) })];
  if (basemap) footer.push(t('printBasemap', { name: [pick(basemap.title), basemap.attribution].filter(Boolean).join(' · ') }));
  document.getElementById('print-footer').innerHTML = footer.map((text) => `<span>${escapeHtml(text)}</span>`).join('');

  // Whole zooms: tiles scaled to a fractional zoom print with hairline seams between them.
  const map = L.map('print-map', { zoomControl: false, attributionControl: true, fadeAnimation: false,
    zoomAnimation: false, inertia: false });
  map.attributionControl.setPrefix(false);
  const [west, south, east, north] = sheet.bbox;
  map.fitBounds([[south, west], [north, east]], { animate: false });
  L.control.scale({ metric: true, imperial: false, position: 'bottomleft', maxWidth: 160 }).addTo(map);
  new NorthArrow().addTo(map);
  const waits = [];
  if (basemap) {
    const group = basemapLayer(basemap);
    waits.push(whenDrawn(group));
    group.addTo(map);
  }
  const catalogue = await getJson('/api/layers');
  const shown = [...catalogue.layers].sort((a, b) => a.min_zoom - b.min_zoom).filter((layer) => sheet.layers.includes(layer.id));
  const zones = catalogue.layers.find((layer) => layer.id === 'zones');
  shown.forEach((layer, index) => {
    const pane = `print-${layer.id}`;
    map.createPane(pane).style.zIndex = String(410 + index);
    waits.push(drawLayer(map, layer, zones, sheet, pane));
  });
  legendControl(shown).addTo(map);
  await Promise.race([Promise.allSettled(waits), new Promise((resolve) => { setTimeout(resolve, GIVE_UP_MS); })]);
  document.body.dataset.ready = '1';
}

start();
