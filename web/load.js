// The load tab (数据载入), for editors: files chosen, uploaded with a progress bar and checked by the server
// (POST /api/loads/check: the same checks as `mujun check`, nothing written), the check report shown, and only
// then the load (POST /api/loads/{upload}: one transaction, all or nothing). The server decides everything shown.

import { pick, t } from './i18n.js';
import { redrawData } from './mapview.js';
import { escapeHtml, formatNumber } from './popup.js';
import { ApiError, csrfHeaders, errorText, requestJson, tracked } from './ui.js';

const KINDS = ['zones', 'parcels', 'projects', 'constraints', 'monthly', 'batches', 'evaluation'];
const KIND_KEYS = { zones: 'loadZones', parcels: 'loadParcels', projects: 'loadProjects', constraints: 'loadConstraints',
  monthly: 'loadMonthly', batches: 'loadBatches', evaluation: 'loadEvaluation' };
const SHOWN = 50; // problems listed per kind of problem here; the server counts them all

const state = {
  phase: 'idle', // idle | uploading | checking | checked | loading | loaded | failed
  sent: 0,
  total: 0,
  report: null, // the check report
  result: null, // the load's answer
  error: null, // an ApiError (its problems, if any, in `details`)
};

const form = () => document.getElementById('load-form');

// Upload with XMLHttpRequest: fetch() cannot tell how much of a 4 GB file has gone.
function upload(body) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/loads/check');
    xhr.setRequestHeader('Accept', 'application/json');
    csrfHeaders().then((headers) => {
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => {
        state.sent = event.loaded;
        state.total = event.total;
        renderLoad();
      };
      xhr.upload.onload = () => {
        state.phase = 'checking';
        renderLoad();
      };
      xhr.onload = () => {
        let answer = null;
        try {
          answer = JSON.parse(xhr.responseText);
        } catch {
          answer = null;
        }
        if (xhr.status === 200 && answer) resolve(answer);
        else reject(new ApiError(answer?.error?.message ?? null, 'errorServer', xhr.status, answer?.error?.details));
      };
      xhr.onerror = () => reject(new ApiError(null, 'errorNetwork'));
      xhr.send(body);
    });
  });
}

async function check(event) {
  event.preventDefault();
  const body = new FormData();
  for (const kind of KINDS) {
    const file = form().elements[kind].files[0];
    if (file) body.append(kind, file, file.name);
  }
  Object.assign(state, { phase: 'uploading', sent: 0, total: 0, report: null, result: null, error: null });
  renderLoad();
  try {
    state.report = await tracked(upload(body));
    state.phase = 'checked';
  } catch (err) {
    state.error = err;
    state.phase = 'failed';
  }
  renderLoad();
}

async function runLoad() {
  state.phase = 'loading';
  renderLoad();
  try {
    state.result = await tracked(requestJson(`/api/loads/${encodeURIComponent(state.report.upload)}`, { method: 'POST', json: {} }));
    state.phase = 'loaded';
    form().reset();
    redrawData(); // the map shows the new data: its tiles carry the data version the load moved on
  } catch (err) {
    state.error = err;
    state.phase = 'failed';
  }
  renderLoad();
}

function problemsHtml(titleKey, problems, count) {
  if (!count) return '';
  const items = problems.slice(0, SHOWN).map((p) => `<li>${escapeHtml(pick(p.message))}</li>`).join('');
  const more = count > SHOWN ? `<p class="hint">${escapeHtml(t('loadMore', { count: formatNumber(count - SHOWN, 0) }))}</p>` : '';
  return `<h2>${escapeHtml(t(titleKey, { count: formatNumber(count, 0) }))}</h2><ul class="load-problems">${items}</ul>${more}`;
}

function filesHtml(files) {
  const rows = files.map((f) => `<tr><td>${escapeHtml(t(KIND_KEYS[f.kind]))}</td><td class="code">${escapeHtml(f.file)}</td>`
    + `<td class="num">${formatNumber(f.features, 0)}</td><td class="num">${formatNumber(f.errors, 0)}</td>`
    + `<td class="num">${formatNumber(f.warnings, 0)}</td></tr>`).join('');
  const head = ['loadKind', 'loadFile', 'loadFeatures', 'loadErrors', 'loadWarnings'].map((k) => `<th>${escapeHtml(t(k))}</th>`).join('');
  return `<div class="table-scroll"><table class="load-table"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function countsHtml(counts) {
  const rows = Object.entries(counts).filter(([kind]) => KINDS.includes(kind)).map(([kind, c]) => `<tr><td>${escapeHtml(t(KIND_KEYS[kind]))}</td>`
    + ['read', 'inserted', 'updated', 'unchanged'].map((k) => `<td class="num">${formatNumber(c[k] ?? 0, 0)}</td>`).join('') + '</tr>').join('');
  const head = ['loadKind', 'loadRead', 'loadInserted', 'loadUpdated', 'loadUnchanged'].map((k) => `<th>${escapeHtml(t(k))}</th>`).join('');
  return `<div class="table-scroll"><table class="load-table"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function progressText() {
  if (state.phase === 'uploading') {
    const mb = (bytes) => formatNumber(bytes / 1048576, 1);
    return t('loadUploading', { sent: mb(state.sent), total: mb(state.total) });
  }
  return t({ checking: 'loadChecking', loading: 'loadLoading' }[state.phase]);
}

export function renderLoad() {
  const pane = document.getElementById('pane-load');
  if (!pane) return;
  const busy = ['uploading', 'checking', 'loading'].includes(state.phase);
  const progress = document.getElementById('load-progress');
  progress.hidden = !busy;
  if (busy) {
    const bar = progress.querySelector('progress');
    if (state.phase === 'uploading' && state.total > 0) bar.value = Math.round((100 * state.sent) / state.total);
    else bar.removeAttribute('value'); // indeterminate while the server checks or loads
    progress.querySelector('span').textContent = progressText();
  }
  form().querySelector('button[type=submit]').disabled = busy;
  const report = state.report;
  const canLoad = state.phase === 'checked' && report?.ok;
  const run = document.getElementById('load-run');
  run.hidden = !canLoad;
  let html = '';
  if (report && state.phase !== 'loaded') {
    html += `<p class="load-verdict ${report.ok ? 'ok' : 'refused'}">${escapeHtml(t(report.ok ? 'loadCanLoad' : 'loadCannotLoad'))}</p>`;
    html += filesHtml(report.files);
    html += problemsHtml('loadErrorList', report.errors, report.error_count);
    html += problemsHtml('loadWarningList', report.warnings, report.warning_count);
    if (report.inferences.length) {
      html += `<h2>${escapeHtml(t('loadInferences'))}</h2><ul class="load-inferences">${report.inferences.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    }
  }
  if (state.phase === 'loaded') {
    html += `<p class="load-verdict ok">${escapeHtml(t('loadDone', { id: state.result.load_id }))}</p>${countsHtml(state.result.counts)}`;
    html += problemsHtml('loadWarningList', state.result.warnings, state.result.warning_count);
  }
  if (state.phase === 'failed' && state.error) {
    html += `<p class="load-verdict refused">${escapeHtml(errorText(state.error))}</p>`;
    const details = state.error.details ?? [];
    html += problemsHtml('loadErrorList', details.filter((d) => d.message), details.filter((d) => d.message).length);
  }
  document.getElementById('load-report').innerHTML = html;
}

export function initLoad() {
  form().addEventListener('submit', check);
  document.getElementById('load-run').addEventListener('click', runLoad);
  renderLoad();
}
