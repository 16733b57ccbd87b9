// The siting tab (选址审查): a site drawn with Leaflet-Geoman or read from a file by
// POST /api/siting/upload, reviewed by POST /api/siting/review, the verdict shown as the server
// decided it, and a printable sheet (siting-sheet.html) that reads the review from sessionStorage.

import { codeLabel, codesOf, getLang, t } from './i18n.js';
import { bandClass, map } from './mapview.js';
import { escapeHtml } from './popup.js';
import { SHEET_KEY, SITE_STYLE, verdictHtml } from './siting-verdict.js';
import { swatchHtml } from './symbols.js';
import { errorText, fillSelect, requestJson, tracked } from './ui.js';


const state = {
  site: null, // { layer, geometry (GeoJSON, CRS84), file: { name, read_as } | null }
  siteError: null, // the upload's error
  review: null, // the server's answer
  reviewError: null,
  drawing: false,
  drawLang: null,
  hooks: { onDrawing: () => {} },
};

const form = () => document.getElementById('siting-form');

export function isDrawing() {
  return state.drawing;
}

function setSite(layer, geometry, file) {
  state.site?.layer.remove();
  state.site = { layer, geometry, file };
  state.siteError = null;
  state.review = null;
  state.reviewError = null;
  renderSiting();
}

function clearSite() {
  state.site?.layer.remove();
  state.site = null;
  state.review = null;
  state.reviewError = null;
  renderSiting();
}

function setDrawing(drawing) {
  state.drawing = drawing;
  renderSiting();
  state.hooks.onDrawing(drawing);
}

function startDrawing() {
  if (state.drawing) return;
  map.pm.enableDraw('Polygon', { allowSelfIntersection: false, pathOptions: SITE_STYLE, templineStyle: { color: SITE_STYLE.color },
    hintlineStyle: { color: SITE_STYLE.color, dashArray: '4 4' } });
  setDrawing(true);
}

async function upload(file) {
  const body = new FormData();
  body.append('file', file);
  try {
    const answer = await tracked(requestJson('/api/siting/upload', { method: 'POST', form: body }));
    const layer = L.geoJSON(answer.geometry, { pane: 'siting', style: () => SITE_STYLE }).addTo(map);
    setSite(layer, answer.geometry, { name: file.name, read_as: answer.read_as });
    map.fitBounds(layer.getBounds(), { padding: [60, 60], maxZoom: 18 });
  } catch (err) {
    state.siteError = err;
    renderSiting();
  }
}

async function review() {
  if (!state.site) {
    state.reviewError = { key: 'sitingNoSite' };
    renderSiting();
    return;
  }
  const elements = form().elements;
  const body = {
    geometry: state.site.geometry,
    total_investment_wan: Number(elements.total_investment_wan.value),
    project_type: elements.project_type.value,
  };
  try {
    state.review = await tracked(requestJson('/api/siting/review', { method: 'POST', json: body }));
    state.reviewError = null;
  } catch (err) {
    state.review = null;
    state.reviewError = err;
  }
  renderSiting();
}

// The sheet opens in a new tab of the same origin, which starts with a copy of this tab's sessionStorage.
function openSheet() {
  const { site, review: answer } = state;
  const sheet = { review: answer, geometry: site.geometry, file: site.file, lang: getLang(), reviewed_at: new Date().toISOString() };
  window.sessionStorage.setItem(SHEET_KEY, JSON.stringify(sheet));
  window.open('/siting-sheet.html', '_blank');
}

function messageHtml(err) {
  const text = err.key ? t(err.key) : errorText(err);
  return `<p class="siting-error" role="alert">${escapeHtml(text)}</p>`;
}

function siteStatus() {
  if (state.siteError) return messageHtml(state.siteError);
  if (state.drawing) return `<p>${escapeHtml(t('sitingDrawing'))}</p>`;
  if (!map.pm) return `<p>${escapeHtml(t('sitingNoGeoman'))}</p>`;
  if (!state.site) return '';
  const text = state.site.file ? t('sitingSiteFile', { name: state.site.file.name, how: state.site.file.read_as }) : t('sitingSiteDrawn');
  return `<p class="site-ok">${escapeHtml(text)}</p>`;
}

export function renderSiting() {
  fillSelect(form().elements.project_type, codesOf('project_type').map((code) => [code, codeLabel('project_type', code)]));
  document.getElementById('siting-site-status').innerHTML = siteStatus();
  document.getElementById('siting-draw').disabled = !map.pm || state.drawing;
  document.getElementById('siting-clear').disabled = state.site === null && !state.drawing;
  const result = document.getElementById('siting-result');
  if (state.reviewError) {
    result.innerHTML = messageHtml(state.reviewError);
  } else if (state.review) {
    result.innerHTML = `<h2>${escapeHtml(t('sitingVerdictTitle'))}</h2>${verdictHtml(state.review, bandClass, swatchHtml)}
      <div class="button-row"><button id="siting-print" type="button" class="button">${escapeHtml(t('sitingPrint'))}</button></div>`;
  } else {
    result.replaceChildren();
  }
  if (map.pm && state.drawLang !== getLang()) {
    state.drawLang = getLang();
    map.pm.setLang(state.drawLang); // Geoman's own tooltips while drawing
  }
}

// onDrawing(active) runs when drawing starts and stops (a narrow screen hides the panel meanwhile).
export function initSiting(hooks) {
  state.hooks = hooks;
  map.createPane('siting').style.zIndex = '450';
  if (map.pm) {
    map.pm.setGlobalOptions({ panes: { layerPane: 'siting', vertexPane: 'markerPane', markerPane: 'markerPane' },
      exitModeOnEscape: true, finishOnEnter: true });
    // Only a shape drawn from this tab is a site (the map's measuring tool draws with Geoman too).
    map.on('pm:create', (event) => {
      if (state.drawing) setSite(event.layer, event.layer.toGeoJSON().geometry, null);
    });
    map.on('pm:drawend', () => {
      if (state.drawing) setDrawing(false);
    });
  }
  document.getElementById('siting-draw').addEventListener('click', startDrawing);
  document.getElementById('siting-clear').addEventListener('click', () => {
    if (state.drawing) map.pm.disableDraw();
    clearSite();
  });
  document.getElementById('siting-file').addEventListener('change', (event) => {
    const [file] = event.target.files;
    event.target.value = ''; // the same file chosen again is read again
    if (file) upload(file);
  });
  form().addEventListener('submit', (event) => {
    event.preventDefault();
    review();
  });
  document.getElementById('siting-result').addEventListener('click', (event) => {
    if (event.target.closest('#siting-print')) openSheet();
  });
  // The page comes with these off, so nothing is clicked before it is wired.
  document.getElementById('siting-file').disabled = false;
  form().querySelector('button[type=submit]').disabled = false;
  renderSiting();
}
