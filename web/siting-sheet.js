// The printable siting review sheet (A4): the review the map page stored in sessionStorage, a map of the
// site among the zones and parcels around it (styles from the layer catalogue), and the verdict table.
// It prints only when asked (the button), so that the official can check it first.

import { basemapLayer } from './basemaps.js';
import { initialLang, pick, setLang, t } from './i18n.js';
import { escapeHtml } from './popup.js';
import { SHEET_KEY, SITE_STYLE, verdictHtml } from './siting-verdict.js';
import { classFor, pathStyle, swatchHtml } from './symbols.js';
import { getJson, requestBlob, saveBlob, showError, tracked } from './ui.js';

const AROUND = 0.6; // the map shows the site and this share of its size again on every side
const FEATURE_LIMIT = 2000;

function readSheet() {
  try {
    return JSON.parse(window.sessionStorage.getItem(SHEET_KEY) ?? 'null');
  } catch {
    return null; // a damaged entry is as good as none
  }
}

function applyTexts() {
  document.documentElement.lang = t('htmlLang');
  document.title = t('sheetTitle');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}

function metaHtml(sheet) {
  const date = new Date(sheet.reviewed_at).toLocaleString(t('numberLocale'), { dateStyle: 'long', timeStyle: 'short' });
  const source = sheet.file ? sheet.file.name + t('paren', { text: sheet.file.read_as }) : t('sheetDrawn');
  return [t('sheetDate', { date }), t('sheetSource', { source })].map(escapeHtml).join(escapeHtml(t('dot')));
}

function bandClassFrom(catalogue) {
  const bandLayer = catalogue?.layers.find((layer) => layer.style.property === 'band');
  return (band) => (bandLayer ? classFor(bandLayer.style, { band }) : null);
}

function legendHtml(catalogue) {
  const site = swatchHtml({ color: SITE_STYLE.color, fill_color: SITE_STYLE.fillColor, fill_opacity: SITE_STYLE.fillOpacity, weight: 2 });
  const items = [`<li>${site}${escapeHtml(t('sheetSite'))}</li>`];
  for (const layer of catalogue?.layers ?? []) {
    for (const cls of layer.style.classes) items.push(`<li>${swatchHtml(cls)}${escapeHtml(pick(cls.label))}</li>`);
  }
  return items.join('');
}

// Zones under the parcels, the site on top: the same order and styles as the map page.
async function drawSurroundings(map, catalogue, bounds) {
  const around = bounds.pad(AROUND);
  const bbox = [around.getWest(), around.getSouth(), around.getEast(), around.getNorth()].map((v) => v.toFixed(6)).join(',');
  const layers = [...catalogue.layers].sort((a, b) => a.min_zoom - b.min_zoom);
  const collections = await Promise.all(layers.map((layer) => {
    const url = new URL(layer.features_url, window.location.href);
    url.searchParams.set('bbox', bbox);
    url.searchParams.set('limit', String(FEATURE_LIMIT));
    return tracked(getJson(url.pathname + url.search));
  }));
  layers.forEach((layer, index) => {
    map.createPane(`sheet-${layer.id}`).style.zIndex = String(410 + index);
    L.geoJSON(collections[index], { pane: `sheet-${layer.id}`, interactive: false,
      style: (feature) => pathStyle(layer, feature.properties) }).addTo(map);
  });
}

async function start() {
  const sheet = readSheet();
  setLang(sheet?.lang ?? initialLang());
  applyTexts();
  if (!sheet?.review || !sheet.geometry) {
    document.getElementById('sheet-missing').hidden = false;
    return;
  }
  document.getElementById('sheet').hidden = false;
  document.getElementById('sheet-meta').innerHTML = metaHtml(sheet);
  const map = L.map('sheet-map', { zoomControl: false, attributionControl: true, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  L.control.scale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(map);
  map.createPane('sheet-site').style.zIndex = '450';
  const site = L.geoJSON(sheet.geometry, { pane: 'sheet-site', interactive: false, style: () => SITE_STYLE }).addTo(map);
  map.fitBounds(site.getBounds().pad(0.25), { maxZoom: 18 });
  let catalogue = null;
  try {
    // Under the site, the offline base map when one is configured (a remote one may be out of reach when printed).
    const basemaps = await tracked(getJson('/api/basemaps'));
    const offline = basemaps.find((b) => b.offline && b.format !== 'pbf');
    if (offline) basemapLayer(offline).addTo(map);
    catalogue = await tracked(getJson('/api/layers'));
    await drawSurroundings(map, catalogue, site.getBounds());
  } catch (err) {
    showError(err);
  }
  document.getElementById('sheet-legend').innerHTML = legendHtml(catalogue);
  document.getElementById('sheet-verdict').innerHTML = verdictHtml(sheet.review, bandClassFrom(catalogue), swatchHtml);
  const print = document.getElementById('sheet-print');
  print.disabled = false;
  print.addEventListener('click', () => window.print());
  const pdf = document.getElementById('sheet-pdf');
  pdf.disabled = false;
  pdf.addEventListener('click', () => downloadPdf(sheet, pdf));
}

// The server reviews the site again and prints the same sheet with Chromium: a PDF with its own figures.
async function downloadPdf(sheet, button) {
  const { review } = sheet;
  const body = {
    geometry: sheet.geometry, total_investment_wan: review.total_investment_wan, project_type: review.project_type,
    lang: sheet.lang ?? 'zh', file: sheet.file ? { name: sheet.file.name, read_as: sheet.file.read_as } : null,
  };
  button.disabled = true;
  try {
    const blob = await tracked(requestBlob('/api/siting/sheet.pdf', { json: body, accept: 'application/pdf' }));
    saveBlob(blob, `${t('sheetTitle')}.pdf`);
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

start();
