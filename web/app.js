// Mujun map page: the map (mapview.js) and a side panel with its tabs: the violation report (report.js),
// search (search.js), siting review (siting.js), the progress of major projects (progress.js), the monthly
// bulletins (bulletins.js) and loads (load.js). The address holds what is shown (permalink.js). Every rule (band,
// status, intensity, rate, stage) is decided by the server. Nothing is asked of the API before someone is signed
// in (session.js); the tabs are those the account may use.

import { initBulletins, renderBulletins } from './bulletins.js';
import { getLang, initialLang, setLang, t } from './i18n.js';
import { initialBasemap } from './basemaps.js';
import { currentBasemap, map, renderControls, renderNotice, renderPopup, selectedParcel, setMapFilters, showRecord, startMap } from './mapview.js';
import { initTools, isMeasuring, renderTools } from './maptools.js';
import { copyText, linkFor, readLink, TABS, writeLink } from './permalink.js';
import { initProgress, progressLink, progressShown, renderProgress } from './progress.js';
import { initPrint, openPrint } from './print.js';
import { initReport, renderReport, reportLink } from './report.js';
import { initSearch, renderSearch, runSearch, searchFromHeader, searchQuery, showContext } from './search.js';
import { initLand } from './land.js';
import { initLoad, renderLoad } from './load.js';
import { may, renderAccount, signedIn } from './session.js';
import { initSiting, isDrawing, renderSiting } from './siting.js';
import { getJson, renderToast, showError, toast, tracked } from './ui.js';

const NARROW = window.matchMedia('(max-width: 720px)'); // where the panel covers the map
const link = readLink();
const panel = { tab: link.tab, open: link.open };
let defaultBasemap = null; // the base map the page opens with unless a link names another
let tabs = TABS; // those the account may use: the report and the bulletins need the `report` action, loads `load`
let restored = false; // the address is rewritten only once what it asked for is back on screen

function currentLink() {
  const centre = map.getCenter();
  return {
    tab: panel.tab,
    open: panel.open,
    ...reportLink(),
    q: searchQuery(),
    parcel: selectedParcel(),
    view: { lat: centre.lat, lng: centre.lng, zoom: map.getZoom() },
    progress: progressLink() ?? link.progress,
    basemap: currentBasemap() === defaultBasemap ? null : currentBasemap(),
  };
}

function updateLink() {
  if (restored) writeLink(currentLink());
}

// ---- the panel ---------------------------------------------------------------------------------

function showTab(tab) {
  panel.tab = tab;
  for (const button of document.querySelectorAll('[role="tab"]')) {
    const selected = button.dataset.tab === tab;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    document.getElementById(button.getAttribute('aria-controls')).hidden = !selected;
  }
  if (tab === 'search') showContext(selectedParcel());
  document.querySelector('.map-area').dataset.tab = tab; // the progress tab's panel is wider
  progressShown(panel.open && tab === 'progress');
  updateLink();
}

function renderToggle() {
  const toggle = document.getElementById('panel-toggle');
  toggle.setAttribute('aria-expanded', String(panel.open));
  toggle.title = t(panel.open ? 'panelHide' : 'panelShow');
  toggle.setAttribute('aria-label', toggle.title);
}

function setPanelOpen(open) {
  panel.open = open;
  document.querySelector('.map-area').classList.toggle('panel-open', open);
  document.getElementById('panel-body').hidden = !open;
  progressShown(open && panel.tab === 'progress');
  renderToggle();
  updateLink();
}

function openTab(tab) {
  if (!panel.open) setPanelOpen(true);
  showTab(tab);
}

// Arrow keys move between the tabs, as in any tab list.
function onTabKey(event) {
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (!step) return;
  const next = tabs[(tabs.indexOf(panel.tab) + step + tabs.length) % tabs.length];
  showTab(next);
  document.getElementById(`tab-${next}`).focus();
}

// ---- selection, language -----------------------------------------------------------------------

function onSelect() {
  if (panel.tab === 'search') showContext(selectedParcel());
  updateLink();
}

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
  renderToggle();
  renderAccount();
  renderControls();
  renderNotice();
  renderToast();
  renderPopup();
  renderReport();
  renderSearch();
  renderSiting();
  renderProgress();
  renderTools();
  renderBulletins();
  renderLoad();
}

async function copyLink() {
  try {
    await copyText(linkFor(currentLink()));
    toast(() => t('linkCopied'));
  } catch {
    toast(() => t('linkCopyFailed'));
  }
}

// ---- start -------------------------------------------------------------------------------------

function wirePage() {
  document.getElementById('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = document.getElementById('search-input').value.trim();
    if (q !== '') openTab('search');
    searchFromHeader(q);
  });
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => applyLanguage(button.dataset.lang));
  }
  for (const button of document.querySelectorAll('[role="tab"]')) {
    button.addEventListener('click', () => showTab(button.dataset.tab));
    button.addEventListener('keydown', onTabKey);
  }
  document.getElementById('panel-toggle').addEventListener('click', () => setPanelOpen(!panel.open));
  document.getElementById('copy-link').addEventListener('click', copyLink);
}

// The parcel a link names: its popup at the link's own view, or zoomed to when the link has none.
async function restoreParcel(code) {
  try {
    const record = await tracked(getJson(`/api/parcels/${encodeURIComponent(code)}`));
    showRecord(record, { fit: link.view === null });
  } catch (err) {
    showError(err);
  }
}

// Only the tabs the account may use are offered (a viewer has no report and no bulletins).
function offerTabs() {
  const needs = { report: 'report', bulletins: 'report', load: 'load' };
  tabs = TABS.filter((tab) => !needs[tab] || may(needs[tab]));
  for (const tab of TABS) {
    document.getElementById(`tab-${tab}`).hidden = !tabs.includes(tab);
  }
  if (!tabs.includes(link.tab)) link.tab = tabs[0];
}

async function start() {
  wirePage();
  applyLanguage(initialLang());
  try {
    await signedIn();
  } catch (err) {
    showError(err, true);
    return;
  }
  offerTabs();
  showTab(link.tab);
  setPanelOpen(link.open);
  // The report's filters are the map's too: the parcel tiles are asked for with them.
  const onReportChange = () => {
    setMapFilters(reportLink().filters);
    updateLink();
  };
  setMapFilters(link.filters);
  const report = may('report') ? initReport(link, { onPick: showRecord, onChange: onReportChange }) : Promise.resolve();
  let catalogue;
  let basemaps;
  try {
    [catalogue, basemaps] = await tracked(Promise.all([getJson('/api/layers'), getJson('/api/basemaps')]));
  } catch (err) {
    showError(err, true);
    return;
  }
  // The map does not wait for the report: its tiles are small and quick, a whole city's report is not.
  const covered = panel.open && !NARROW.matches ? document.getElementById('panel').offsetWidth : 0;
  defaultBasemap = initialBasemap(basemaps, null);
  startMap(catalogue, { view: link.view, onSelect, onChange: updateLink, clickGuard: () => isDrawing() || isMeasuring(), covered,
    basemaps, basemap: link.basemap });
  // Printing is an export: analysts and up.
  initLand(catalogue);
  initTools({ onPrint: may('report') ? openPrint : null });
  if (may('report')) initPrint();
  // Siting and search need only the map: they work while a city's report is still on its way.
  initSiting({
    onDrawing: (active) => {
      if (NARROW.matches) setPanelOpen(!active);
    },
  });
  initSearch({ onPick: showRecord, onChange: updateLink });
  initProgress(link.progress, { onPick: showRecord, onChange: updateLink });
  if (may('report')) initBulletins();
  if (may('load')) initLoad();
  await report;
  renderReport(); // the bands' names come with the catalogue
  if (link.q) runSearch(link.q, { move: false });
  if (link.parcel) await restoreParcel(link.parcel);
  restored = true;
  updateLink();
  map.on('moveend', updateLink);
}

start();
