// Printing what is on screen: a small dialog (title, PDF or PNG, A4 or A3, landscape or portrait), then
// POST /api/print with the map's view (bbox), base map, layers and filters. The server draws the same map in
// headless Chromium (print.html) with title, legend, scale bar, north arrow, the data's date and attributions.

import { getLang, t } from './i18n.js';
import { currentBasemap, map, mapFilters, visibleLayers } from './mapview.js';
import { requestBlob, saveBlob, showError, tracked } from './ui.js';

const dialog = () => document.getElementById('print-dialog');

function bbox() {
  const bounds = map.getBounds();
  return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => Number(v.toFixed(6)));
}

export function openPrint() {
  const form = dialog().querySelector('form');
  if (!form.elements.title.value) form.elements.title.value = t('title');
  dialog().showModal();
}

async function print(form) {
  const fields = form.elements;
  const format = fields.format.value;
  const body = {
    bbox: bbox(), basemap: currentBasemap(), layers: visibleLayers(), filters: mapFilters(), title: fields.title.value.trim() || t('title'),
    lang: getLang(), format, paper: { size: fields.paper.value, orientation: fields.orientation.value },
  };
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const blob = await tracked(requestBlob('/api/print', { json: body, accept: format === 'pdf' ? 'application/pdf' : 'image/png' }));
    saveBlob(blob, `${body.title}.${format}`);
    dialog().close();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

export function initPrint() {
  const form = dialog().querySelector('form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    print(form);
  });
  form.querySelector('[data-close]').addEventListener('click', () => dialog().close());
}
