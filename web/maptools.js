// Working on the map: the coordinates under the cursor (lon/lat, and Gauss-Krüger x/y of the zone with and without
// the zone number), copyable; going to typed coordinates; measuring a length or an area. Every figure in metres
// comes from the server (GET /api/coords, POST /api/measure: the core's projection and rules); this module only
// shows them.

import { t } from './i18n.js';
import { map } from './mapview.js';
import { copyText } from './permalink.js';
import { escapeHtml, formatNumber } from './popup.js';
import { ApiError, getJson, requestJson, showError, toast, tracked } from './ui.js';

const LONLAT_DIGITS = 6; // about 0.1 m
const GOTO_ZOOM = 17;
const MEASURE_STYLE = { color: '#c2185b', weight: 3, fillColor: '#f06292', fillOpacity: 0.15, dashArray: '6 4' };

const state = {
  point: null, // the latest answer of GET /api/coords
  asking: null, // { lon, lat } being asked for
  next: null, // the cursor position to ask for once the answer comes back
  pinned: false, // the readout shows a point gone to, until the cursor moves over the map again
  cursor: null, // where the cursor last moved over the map (client pixels)
  marker: null,
  measuring: null, // 'Line' or 'Polygon' while drawing
  measured: null, // the drawn shape measured last
  onPrint: null, // opens the print dialog, for an account that may export
  box: null,
};

export function isMeasuring() {
  return state.measuring !== null;
}

// ---- coordinates -------------------------------------------------------------------------------

function rows(point) {
  const gk = point.gauss_kruger;
  const metres = (value) => formatNumber(value, 2);
  return [
    ['lonlat', t('coordLonLat'), `${point.lon.toFixed(LONLAT_DIGITS)}, ${point.lat.toFixed(LONLAT_DIGITS)}`,
      `${point.lon.toFixed(LONLAT_DIGITS)},${point.lat.toFixed(LONLAT_DIGITS)}`],
    ['gk', t('coordGk', { epsg: gk.epsg }), `E ${metres(gk.easting)}  N ${metres(gk.northing)}`,
      `${gk.easting.toFixed(2)},${gk.northing.toFixed(2)}`],
    ['gk-zone', t('coordGkZone', { zone: gk.zone, epsg: gk.epsg_prefixed }), `E ${metres(gk.easting_prefixed)}  N ${metres(gk.northing)}`,
      `${gk.easting_prefixed.toFixed(2)},${gk.northing.toFixed(2)}`],
  ];
}

export function renderTools() {
  if (!state.box) return;
  const readout = state.box.querySelector('.coords-rows');
  const point = state.point;
  readout.innerHTML = point === null
    ? `<p class="hint">${escapeHtml(t('coordHint'))}</p>`
    : rows(point).map(([name, label, shown, copied]) => `<div class="coords-row" data-row="${name}">`
      + `<span class="coords-label">${escapeHtml(label)}</span><output>${escapeHtml(shown)}</output>`
      + `<button type="button" class="link-button" data-copy="${escapeHtml(copied)}">${escapeHtml(t('coordCopy'))}</button></div>`).join('');
  state.box.querySelector('input').placeholder = t('gotoPlaceholder');
  state.box.querySelector('button[type=submit]').textContent = t('gotoButton');
  state.box.querySelector('label span').textContent = t('gotoLabel');
  for (const button of document.querySelectorAll('.map-tools [data-tool]')) {
    button.textContent = t(`tool_${button.dataset.tool}`);
    button.title = t(`tool_${button.dataset.tool}_title`);
    button.setAttribute('aria-pressed', String(state.measuring === button.dataset.tool));
  }
  if (state.measured?.resultHtml) state.measured.setPopupContent(state.measured.resultHtml()); // in the language now chosen
}

// One request at a time: while one is out, only the latest cursor position waits for its turn.
async function ask(lon, lat) {
  if (state.asking) {
    state.next = { lon, lat };
    return;
  }
  state.asking = { lon, lat };
  try {
    const point = await getJson(`/api/coords?lon=${lon.toFixed(7)}&lat=${lat.toFixed(7)}`);
    if (!state.pinned) state.point = point;
    renderTools();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 422)) showError(err); // off China: nothing to show
  } finally {
    state.asking = null;
    const next = state.next;
    state.next = null;
    if (next) ask(next.lon, next.lat);
  }
}

async function goTo(text) {
  try {
    const point = await tracked(getJson(`/api/coords?q=${encodeURIComponent(text)}`));
    state.pinned = true;
    state.point = point;
    state.marker?.remove();
    state.marker = L.circleMarker([point.lat, point.lon], { radius: 7, weight: 2, className: 'goto-point' }).addTo(map);
    map.setView([point.lat, point.lon], Math.max(map.getZoom(), GOTO_ZOOM));
    toast(() => t('gotoReadAs', { how: point.read_as }));
    renderTools();
  } catch (err) {
    showError(err);
  }
}

const CoordsBox = L.Control.extend({
  options: { position: 'bottomleft' },
  onAdd() {
    const box = L.DomUtil.create('div', 'coords-box');
    box.innerHTML = '<div class="coords-rows" aria-live="off"></div>'
      + '<form class="goto"><label><span class="visually-hidden"></span><input name="q" type="text" autocomplete="off" spellcheck="false"></label>'
      + '<button type="submit" class="button"></button></form>';
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    L.DomEvent.on(box, 'mousemove', L.DomEvent.stopPropagation); // the readout holds still while the cursor is on it
    box.addEventListener('click', async (event) => {
      const button = event.target.closest('[data-copy]');
      if (!button) return;
      try {
        await copyText(button.dataset.copy);
        toast(() => t('coordCopied', { text: button.dataset.copy }));
      } catch {
        toast(() => t('linkCopyFailed'));
      }
    });
    box.querySelector('form').addEventListener('submit', (event) => {
      event.preventDefault();
      const text = event.target.elements.q.value.trim();
      if (text === '') toast(() => t('emptySearch'));
      else goTo(text);
    });
    return box;
  },
});

// ---- measuring ---------------------------------------------------------------------------------

function resultHtml(result) {
  const lines = result.kind === 'length'
    ? [[t('measureLength'), `${formatNumber(result.length_m)} ${t('unitM')}`]]
    : [[t('measureArea'), `${formatNumber(result.area_m2)} ${t('unitM2')}`], ['', `${formatNumber(result.area_mu)} ${t('unitMu')}`],
      ['', `${formatNumber(result.area_ha, 4)} ${t('unitHa')}`], [t('measurePerimeter'), `${formatNumber(result.length_m)} ${t('unitM')}`]];
  lines.push([t('measurePlane'), `EPSG:${result.gauss_kruger_epsg}`]);
  const body = lines.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('');
  return `<table class="measure-result" data-kind="${result.kind}"><tbody>${body}</tbody></table>`;
}

function clearMeasure() {
  state.measured?.remove();
  state.measured = null;
}

async function measureShape(layer) {
  clearMeasure();
  layer.setStyle?.(MEASURE_STYLE);
  state.measured = layer.addTo(map);
  try {
    const result = await tracked(requestJson('/api/measure', { method: 'POST', json: { geometry: layer.toGeoJSON().geometry } }));
    layer.resultHtml = () => resultHtml(result);
    layer.bindPopup(layer.resultHtml(), { className: 'mujun-popup measure-popup', autoClose: false }).openPopup();
  } catch (err) {
    showError(err);
    clearMeasure();
  }
}

function startMeasure(shape) {
  if (!map.pm) {
    toast(() => t('sitingNoGeoman'));
    return;
  }
  if (state.measuring) map.pm.disableDraw();
  clearMeasure();
  state.measuring = shape;
  // No snapping: a measure runs exactly where the official clicks.
  map.pm.enableDraw(shape, { allowSelfIntersection: false, snappable: false, pathOptions: MEASURE_STYLE, templineStyle: { color: MEASURE_STYLE.color },
    hintlineStyle: { color: MEASURE_STYLE.color, dashArray: '4 4' } });
  renderTools();
}

const ToolBar = L.Control.extend({
  options: { position: 'topleft' },
  onAdd() {
    const bar = L.DomUtil.create('div', 'map-tools leaflet-bar');
    bar.setAttribute('role', 'toolbar');
    const tools = ['Line', 'Polygon', 'clear', ...(state.onPrint ? ['print'] : [])];
    bar.innerHTML = tools.map((tool) => `<button type="button" data-tool="${tool}"></button>`).join('');
    L.DomEvent.disableClickPropagation(bar);
    return bar;
  },
});

// onPrint() opens the print dialog; without it (an account that may not export) there is no print button.
export function initTools({ onPrint = null } = {}) {
  state.onPrint = onPrint;
  new ToolBar().addTo(map).getContainer().addEventListener('click', (event) => {
    const tool = event.target.closest('[data-tool]')?.dataset.tool;
    if (tool === 'Line' || tool === 'Polygon') startMeasure(tool);
    else if (tool === 'clear') {
      if (state.measuring) map.pm.disableDraw();
      clearMeasure();
    } else if (tool === 'print') state.onPrint();
  });
  state.box = new CoordsBox().addTo(map).getContainer();
  map.on('mousemove', (event) => {
    const { clientX, clientY } = event.originalEvent;
    // A map moving under a resting cursor also sends mousemove: only the hand moving lets go of a point gone to.
    if (state.pinned && clientX === state.cursor?.x && clientY === state.cursor?.y) return;
    state.cursor = { x: clientX, y: clientY };
    state.pinned = false;
    const point = event.latlng.wrap();
    ask(point.lng, point.lat);
  });
  if (map.pm) {
    map.on('pm:create', (event) => {
      if (state.measuring) measureShape(event.layer);
    });
    map.on('pm:drawend', () => {
      if (!state.measuring) return;
      state.measuring = null;
      renderTools();
    });
  }
  renderTools();
}
