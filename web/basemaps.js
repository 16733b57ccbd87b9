// Base maps (GET /api/basemaps): every one is served by the portal itself (/basemaps/{id}/…), in WGS84 Web
// Mercator, so each is an ordinary tile layer here: Gaode's GCJ-02 shift and Tianditu's key are the server's
// business. A vector MBTiles base map is drawn by Leaflet.VectorGrid in plain greys (its own style is unknown).

import { pick, t } from './i18n.js';

export const NONE = 'none';
const MAX_ZOOM = 22;
const VECTOR_STYLE = { weight: 1, color: '#9aa1a8', fill: true, fillColor: '#e4e6e2', fillOpacity: 0.8, opacity: 1 };

// Any layer name of an unknown vector tile set gets the plain style.
const anyLayerStyle = new Proxy({}, { get: () => VECTOR_STYLE });

function tileOptions(basemap, pane) {
  const options = { pane, attribution: basemap.attribution, minNativeZoom: basemap.min_zoom, maxNativeZoom: basemap.max_zoom, maxZoom: MAX_ZOOM };
  if (basemap.bounds) {
    const [west, south, east, north] = basemap.bounds;
    options.bounds = L.latLngBounds([south, west], [north, east]); // no requests where the file has nothing
  }
  return options;
}

// The Leaflet layer of a base map: its tiles, with its label layer on top where it has one.
export function basemapLayer(basemap, pane = 'tilePane') {
  const options = tileOptions(basemap, pane);
  const base = basemap.format === 'pbf'
    ? L.vectorGrid.protobuf(basemap.url, { ...options, rendererFactory: L.canvas.tile, vectorTileLayerStyles: anyLayerStyle, interactive: false })
    : L.tileLayer(basemap.url, options);
  const parts = [base];
  if (basemap.labels_url) parts.push(L.tileLayer(basemap.labels_url, { ...options, attribution: '' }));
  const group = L.layerGroup(parts);
  group.basemapId = basemap.id;
  group.tileLayers = parts;
  return group;
}

export function basemapTitle(basemap) {
  return basemap ? pick(basemap.title) : t('basemapNone');
}

// The base map a page opens with: the one a link names (if configured), else the configured default.
export function initialBasemap(basemaps, asked) {
  if (asked === NONE) return NONE;
  if (asked && basemaps.some((b) => b.id === asked)) return asked;
  return basemaps.find((b) => b.default)?.id ?? NONE;
}

// Resolves once every tile layer of the group has drawn what it asked for (tiles that failed count as done);
// call it before the group is added to the map.
export function whenDrawn(group) {
  return Promise.all(group.tileLayers.map((layer) => new Promise((resolve) => { layer.once('load', resolve); })));
}
