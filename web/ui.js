// Talking to the API and telling the official how it went: JSON requests whose failures carry the
// API's own {zh, en} message, the progress indicator (#loading) that every request goes through,
// and a toast for messages that go away by themselves. A request that changes something (POST, …)
// carries the session's CSRF token; an answer 401 (the session ended) calls the sign-in back.

import { pick, t } from './i18n.js';

const TOAST_MS = 5000;

// An error the page can explain: the API's own {zh, en} message, or one of ours by key.
export class ApiError extends Error {
  constructor(messages, fallbackKey, status = null, details = null) {
    super(messages?.en ?? fallbackKey);
    this.messages = messages;
    this.fallbackKey = fallbackKey;
    this.status = status;
    this.details = details; // the problems of a refused input, each with its {zh, en} message
  }
}

const SAFE = ['GET', 'HEAD', 'OPTIONS'];
let csrf = null; // the session's token, from the sign-in or GET /api/auth/me (asked for once, when first needed)
let onSignedOut = () => {};

export function setCsrfToken(token) {
  csrf = Promise.resolve(token ?? null);
}

// What to do when the server says the session has ended (401): the page shows its sign-in form.
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

function csrfToken() {
  if (csrf === null) {
    csrf = fetch('/api/auth/me', { headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : null))
      .then((who) => who?.csrf_token ?? null)
      .catch(() => null);
  }
  return csrf;
}

// The header a request that changes something carries (for an XMLHttpRequest, which does not go through send()).
export async function csrfHeaders() {
  const token = await csrfToken();
  return token ? { 'X-CSRF-Token': token } : {};
}

// GET by default; `json` is sent as a JSON body, `form` (FormData) as multipart.
async function send(url, { signal, method = 'GET', json, form, accept }) {
  const options = { method, signal, headers: { Accept: accept } };
  if (!SAFE.includes(method)) {
    const token = await csrfToken();
    if (token) options.headers['X-CSRF-Token'] = token;
  }
  if (json !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(json);
  } else if (form !== undefined) {
    options.body = form;
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(null, 'errorNetwork');
  }
  if (response.status === 401) onSignedOut();
  return response;
}

async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return new ApiError(body?.error?.message ?? null, 'errorServer', response.status, body?.error?.details ?? null);
}

export async function requestJson(url, { signal, method = 'GET', json, form } = {}) {
  const response = await send(url, { signal, method, json, form, accept: 'application/json' });
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    if (signal?.aborted) throw err;
    body = null;
  }
  if (!response.ok) throw new ApiError(body?.error?.message ?? null, 'errorServer', response.status, body?.error?.details ?? null);
  if (body === null) throw new ApiError(null, 'errorServer', response.status);
  return body;
}

// A request answered with no body (204): nothing, or the server's error.
export async function requestEmpty(url, { method = 'POST' } = {}) {
  const response = await send(url, { method, accept: 'application/json' });
  if (!response.ok) throw await failure(response);
}

// A file the server makes (a PDF): its bytes, or the server's error in the official's language.
export async function requestBlob(url, { method = 'POST', json, accept } = {}) {
  const response = await send(url, { method, json, accept });
  if (!response.ok) throw await failure(response);
  return response.blob();
}

export function saveBlob(blob, filename) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export function getJson(url, signal) {
  return requestJson(url, { signal });
}

export function errorText(err) {
  if (err instanceof ApiError) return err.messages ? pick(err.messages) : t(err.fallbackKey);
  return t('errorUnexpected');
}

export function isAbort(err) {
  return err?.name === 'AbortError';
}

// ---- progress ----------------------------------------------------------------------------------

let pending = 0;

function renderLoading() {
  const box = document.getElementById('loading');
  if (box) box.hidden = pending === 0;
}

// Every request of the page goes through here, so that #loading shows while any is running.
export async function tracked(promise) {
  pending += 1;
  renderLoading();
  try {
    return await promise;
  } finally {
    pending -= 1;
    renderLoading();
  }
}

// ---- toast -------------------------------------------------------------------------------------

let toastTimer = null;
let toastText = null; // () => the message in the current language, while the toast is shown

export function hideToast() {
  clearTimeout(toastTimer);
  toastText = null;
  document.getElementById('toast').hidden = true;
}

export function renderToast() {
  const box = document.getElementById('toast');
  box.textContent = toastText ? toastText() : '';
  box.hidden = toastText === null;
}

// A message that goes away by itself, unless the page cannot work without what failed.
export function toast(text, persistent = false) {
  clearTimeout(toastTimer);
  toastText = text;
  renderToast();
  if (!persistent) toastTimer = setTimeout(hideToast, TOAST_MS);
}

export function showError(err, persistent = false) {
  if (isAbort(err)) return;
  if (!(err instanceof ApiError)) console.error(err);
  toast(() => errorText(err), persistent);
}

// ---- small DOM helpers -------------------------------------------------------------------------

// A <select>'s options: [value, label] pairs, the first one usually ['', t('filterAll')]; with nothing
// chosen yet, the first is. A chosen value the data no longer offers is kept, so that a shared link
// never loses a filter.
export function fillSelect(select, choices, value = select.value) {
  const list = [...choices];
  const offered = list.some(([v]) => v === value);
  if (value !== '' && !offered) list.push([value, value]);
  select.replaceChildren(...list.map(([v, label]) => new Option(label, v)));
  select.value = offered || value !== '' ? value : (list[0]?.[0] ?? '');
}
