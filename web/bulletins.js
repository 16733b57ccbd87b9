// The bulletins tab (月度通报): make the month's 通报 (Word, PDF or Excel) from the figures as they are, issue it
// (the server stores the very file), list the issued ones, and, for a month issued before, show which figures have
// changed since (a late report, a correction). Every figure is the server's; the bulletin itself is in Chinese.
// Routes: GET /api/bulletins (make), POST /api/bulletins (issue), GET /api/bulletins/issued, GET /api/bulletins/{id}
// (the issued file), GET /api/bulletins/{id}/changes. Its strings live here, beside the tab, in both languages.

import { getLang } from './i18n.js';
import { escapeHtml } from './popup.js';
import { districts } from './session.js';
import { errorText, getJson, requestBlob, requestJson, saveBlob, tracked } from './ui.js';

const STRINGS = {
  intro: ['每月的重大项目推进情况通报：由平台根据当前数据生成，可下载编辑；签发后存档，日后下载的是同一份文件。',
    'The monthly bulletin on major projects, written from the current figures to download and edit; once issued it is archived, and downloads give that very file.'],
  month: ['月份', 'Month'],
  scope: ['范围', 'Scope'],
  city: ['全市', 'Whole city'],
  format: ['格式', 'Format'],
  docx: ['Word', 'Word'],
  pdf: ['PDF', 'PDF'],
  xlsx: ['Excel', 'Excel'],
  make: ['生成并下载', 'Make and download'],
  issue: ['签发存档', 'Issue and archive'],
  making: ['正在生成通报（汇总数字、绘制图表）…', 'Writing the bulletin (gathering figures, drawing charts)…'],
  issuing: ['正在生成并签发通报…', 'Writing and issuing the bulletin…'],
  made: ['已下载 {name}', 'Downloaded {name}'],
  issued: ['已签发 #{id}（{month}，{scope}，{format}）', 'Issued #{id} ({month}, {scope}, {format})'],
  listed: ['纳入 {year} 年度计划的项目 {count} 个', '{count} projects on the {year} list'],
  before: ['{month}（{scope}）的通报已于 {time} 签发（#{id}，{format}，数据版本 {version}）。', '{month} ({scope}) was issued on {time} (#{id}, {format}, data version {version}).'],
  changesTitle: ['此后有变化的数字（{count}）', 'Figures changed since ({count})'],
  noChanges: ['签发以来，通报中的数字均未变化。', 'No figure of the bulletin has changed since it was issued.'],
  colItem: ['项目', 'Figure'],
  colThen: ['签发时', 'Issued'],
  colNow: ['现在', 'Now'],
  archiveTitle: ['已签发的通报（{count}）', 'Issued bulletins ({count})'],
  archiveEmpty: ['尚未签发通报', 'No bulletin issued yet'],
  colMonth: ['月份', 'Month'],
  colScope: ['范围', 'Scope'],
  colIssued: ['签发时间', 'Issued'],
  colVersion: ['数据版本', 'Data version'],
  download: ['下载', 'Download'],
  compare: ['比较', 'Compare'],
  comparing: ['正在与当前数据比较…', 'Comparing with the current figures…'],
  notShown: ['（无）', '(none)'],
};

const FORMATS = ['docx', 'pdf', 'xlsx'];
const state = {
  loaded: false,
  listed: null, // /api/progress of the chosen month: the districts to choose from
  issued: [],
  compared: null, // {entry, changes} of the bulletin compared last
  busy: null, // the key of what is being made, while it is
  message: null,
};

function tb(key, vars = {}) {
  const text = STRINGS[key][getLang() === 'en' ? 1 : 0];
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

const pane = () => document.getElementById('pane-bulletins');
const form = () => document.getElementById('bulletin-form');

function chosen() {
  const elements = form().elements;
  return { month: elements.month.value, jurisdiction: elements.jurisdiction.value, format: elements.format.value };
}

function scopeText(jurisdiction) {
  return jurisdiction || tb('city');
}

function when(iso) {
  const at = new Date(iso);
  return at.toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

// ---- what is shown ------------------------------------------------------------------------------

function formHtml() {
  const options = FORMATS.map((f) => `<option value="${f}">${escapeHtml(tb(f))}</option>`).join('');
  return `<p class="hint" data-b="intro"></p>
    <form id="bulletin-form" class="bulletin-form">
      <label><span data-b="month"></span><input name="month" type="month" required></label>
      <label><span data-b="scope"></span><select name="jurisdiction"></select></label>
      <label><span data-b="format"></span><select name="format">${options}</select></label>
      <div class="button-row">
        <button type="submit" class="button primary" name="make" data-b="make"></button>
        <button type="button" class="button" name="issue" data-b="issue"></button>
      </div>
    </form>
    <p id="bulletin-status" class="bulletin-status" role="status" aria-live="polite"></p>
    <div id="bulletin-before" aria-live="polite"></div>
    <div id="bulletin-archive"></div>`;
}

function renderStatus() {
  const box = document.getElementById('bulletin-status');
  if (state.busy) {
    box.innerHTML = `<span class="spinner" aria-hidden="true"></span><span>${escapeHtml(tb(state.busy))}</span>`;
  } else {
    box.textContent = state.message ? state.message() : '';
  }
  for (const name of ['make', 'issue']) form().elements[name].disabled = state.busy !== null;
}

function renderChoices() {
  const select = form().elements.jurisdiction;
  const value = select.value;
  const listed = (state.listed?.by_jurisdiction ?? []).map((line) => line.jurisdiction);
  // An account of some districts has their bulletins only, never the city's (the server holds it to that).
  const city = districts() === null ? [new Option(tb('city'), '')] : [];
  select.replaceChildren(...city, ...listed.map((d) => new Option(d, d)));
  select.value = listed.includes(value) ? value : (city.length ? '' : listed[0] ?? '');
}

function changesHtml(changes) {
  if (changes.length === 0) return `<p class="empty">${escapeHtml(tb('noChanges'))}</p>`;
  const rows = changes.map((c) => `<tr><th scope="row">${escapeHtml(c.section)}<span class="code">${escapeHtml(c.item)}</span></th>
    <td>${escapeHtml(c.issued || tb('notShown'))}</td><td>${escapeHtml(c.now || tb('notShown'))}</td></tr>`).join('');
  return `<div class="table-scroll"><table class="summary-table bulletin-changes">
    <caption>${escapeHtml(tb('changesTitle', { count: changes.length }))}</caption>
    <thead><tr><th scope="col">${escapeHtml(tb('colItem'))}</th><th scope="col">${escapeHtml(tb('colThen'))}</th>
    <th scope="col">${escapeHtml(tb('colNow'))}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderBefore() {
  const box = document.getElementById('bulletin-before');
  const compared = state.compared;
  if (!compared) {
    box.replaceChildren();
    return;
  }
  const { entry } = compared;
  const head = tb('before', { month: entry.month, scope: scopeText(entry.jurisdiction), time: when(entry.issued_at), id: entry.id,
    format: tb(entry.format), version: entry.data_version });
  box.innerHTML = `<div class="bulletin-before"><p>${escapeHtml(head)}</p>${compared.changes ? changesHtml(compared.changes) : ''}</div>`;
}

function renderArchive() {
  const box = document.getElementById('bulletin-archive');
  const title = `<h2>${escapeHtml(tb('archiveTitle', { count: state.issued.length }))}</h2>`;
  if (state.issued.length === 0) {
    box.innerHTML = `${title}<p class="empty">${escapeHtml(tb('archiveEmpty'))}</p>`;
    return;
  }
  const heads = ['colMonth', 'colScope', 'format', 'colIssued', 'colVersion', null].map(
    (key) => `<th scope="col">${key ? escapeHtml(tb(key)) : ''}</th>`).join('');
  const rows = state.issued.map((e) => `<tr><th scope="row">${escapeHtml(e.month)}<span class="code">#${e.id}</span></th>
    <td>${escapeHtml(scopeText(e.jurisdiction))}</td><td>${escapeHtml(tb(e.format))}</td><td>${escapeHtml(when(e.issued_at))}</td>
    <td>${e.data_version}</td><td class="actions"><a class="link-button" href="${escapeHtml(e.url)}" download>${escapeHtml(tb('download'))}</a>
    <button type="button" class="link-button" data-compare="${e.id}">${escapeHtml(tb('compare'))}</button></td></tr>`).join('');
  box.innerHTML = `${title}<div class="table-scroll"><table class="summary-table bulletin-archive">
    <thead><tr>${heads}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function renderBulletins() {
  if (!pane().firstElementChild) return;
  for (const el of pane().querySelectorAll('[data-b]')) el.textContent = tb(el.dataset.b);
  for (const option of form().elements.format.options) option.textContent = tb(option.value);
  renderChoices();
  renderStatus();
  renderBefore();
  renderArchive();
}

// ---- talking to the server ----------------------------------------------------------------------

// While `work` runs, the tab says what it is doing (beside the page's own indicator) and its buttons wait.
async function busy(key, work) {
  state.busy = key;
  renderStatus();
  try {
    await tracked(work());
  } catch (err) {
    state.message = () => errorText(err);
  } finally {
    state.busy = null;
    renderStatus();
  }
}

async function loadMonth() {
  const { month } = chosen();
  const query = month ? `?as_of=${encodeURIComponent(month)}` : '';
  try {
    state.listed = await tracked(getJson(`/api/progress${query}`));
    if (!month) form().elements.month.value = state.listed.as_of;
    const count = state.listed.by_jurisdiction.reduce((sum, line) => sum + line.projects, 0);
    state.message = () => tb('listed', { year: state.listed.year, count });
  } catch (err) {
    state.listed = null;
    state.message = () => errorText(err);
  }
  renderChoices();
  renderStatus();
  await compareLatest();
}

async function loadArchive() {
  state.issued = (await tracked(getJson('/api/bulletins/issued'))).bulletins;
  renderArchive();
}

async function compare(entry) {
  state.compared = { entry, changes: null };
  renderBefore();
  await busy('comparing', async () => {
    const answer = await getJson(`${entry.url}/changes`);
    state.compared = { entry, changes: answer.changes };
    renderBefore();
  });
}

// For a month (and scope) issued before: what has changed since its latest issue.
async function compareLatest() {
  const { month, jurisdiction } = chosen();
  const latest = state.issued.find((e) => e.month === month && (e.jurisdiction ?? '') === jurisdiction);
  state.compared = null;
  renderBefore();
  if (latest) await compare(latest);
}

function makeUrl() {
  const { month, jurisdiction, format } = chosen();
  const params = new URLSearchParams({ month, format });
  if (jurisdiction) params.set('jurisdiction', jurisdiction);
  return `/api/bulletins?${params}`;
}

async function make(event) {
  event.preventDefault();
  const { month, format } = chosen();
  await busy('making', async () => {
    const blob = await requestBlob(makeUrl(), { method: 'GET' });
    const name = `mujun-bulletin-${month}.${format}`;
    saveBlob(blob, name);
    state.message = () => tb('made', { name });
  });
}

async function issue() {
  if (!form().reportValidity()) return;
  const { month, jurisdiction, format } = chosen();
  await busy('issuing', async () => {
    const entry = await requestJson('/api/bulletins', { method: 'POST', json: { month, format, jurisdiction: jurisdiction || null } });
    state.message = () => tb('issued', { id: entry.id, month: entry.month, scope: scopeText(entry.jurisdiction), format: tb(entry.format) });
    await loadArchive();
    state.compared = { entry, changes: [] };
    renderBefore();
  });
}

async function open() {
  if (state.loaded) return;
  state.loaded = true;
  pane().innerHTML = formHtml();
  renderBulletins();
  form().addEventListener('submit', make);
  form().elements.issue.addEventListener('click', issue);
  form().elements.month.addEventListener('change', loadMonth);
  form().elements.jurisdiction.addEventListener('change', compareLatest);
  document.getElementById('bulletin-archive').addEventListener('click', (event) => {
    const id = event.target.closest('[data-compare]')?.dataset.compare;
    const entry = state.issued.find((e) => String(e.id) === id);
    if (entry) compare(entry);
  });
  try {
    await loadArchive();
  } catch (err) {
    state.message = () => errorText(err);
    renderStatus();
  }
  await loadMonth();
}

// The tab is built the first time it is shown (by a click, the keyboard or a link), so the map's first view pays nothing.
export function initBulletins() {
  const watch = () => {
    if (!pane().hidden) open();
  };
  new MutationObserver(watch).observe(pane(), { attributes: true, attributeFilter: ['hidden'] });
  watch();
}
