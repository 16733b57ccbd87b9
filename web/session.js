// Who is signed in: GET /api/auth/me on the way in; without a session (401) the sign-in form, POST
// /api/auth/login, and the page goes on as that account. The header shows the account and a sign-out.
// The page offers only what the account may do (`may`); the server refuses the rest anyway.

import { pick, t } from './i18n.js';
import { ApiError, requestEmpty, requestJson, setCsrfToken, whenSignedOut } from './ui.js';

let who = null; // the answer of /api/auth/me: user, role, jurisdictions, may, csrf_token
let signInError = null; // the server's {zh, en} message of the last failed sign-in
let signedInNow = null; // resolves the sign-in form's promise

const ROLE_KEYS = { viewer: 'roleViewer', analyst: 'roleAnalyst', editor: 'roleEditor', admin: 'roleAdmin' };

export function may(action) {
  return Boolean(who?.may?.[action]);
}

// The account's districts, or null when it sees every district.
export function districts() {
  return who?.jurisdictions ?? null;
}

export function renderAccount() {
  const box = document.getElementById('account');
  box.hidden = who === null;
  if (who !== null) {
    const role = who.role ? t(ROLE_KEYS[who.role]) : '';
    const districts = who.jurisdictions === null ? t('allDistricts') : who.jurisdictions.join(t('listSep'));
    document.getElementById('account-name').textContent = who.user
      ? t('signedInAs', { user: who.user, role, districts }) : `${t('guest')}（${role}）`;
    document.getElementById('sign-out').hidden = !who.user;
    document.getElementById('sign-in').hidden = Boolean(who.user);
  }
  const error = document.getElementById('signin-error');
  error.hidden = signInError === null;
  error.textContent = signInError ? pick(signInError) : '';
}

async function askWho() {
  try {
    return await requestJson('/api/auth/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

function showForm(shown) {
  document.getElementById('signin').hidden = !shown;
  document.getElementById('panel').hidden = shown;
  document.getElementById('search-form').hidden = shown;
  if (shown) document.querySelector('#signin-form [name=username]').focus();
}

// The form, until someone signs in: resolves with the account.
function signInForm() {
  showForm(true);
  return new Promise((resolve) => {
    signedInNow = resolve;
  });
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const body = { username: form.elements.username.value.trim(), password: form.elements.password.value };
  form.elements.password.value = '';
  try {
    who = await requestJson('/api/auth/login', { method: 'POST', json: body });
    signInError = null;
  } catch (err) {
    signInError = err instanceof ApiError && err.messages ? err.messages : { zh: t('errorNetwork'), en: t('errorNetwork') };
    renderAccount();
    return;
  }
  setCsrfToken(who.csrf_token);
  showForm(false);
  renderAccount();
  signedInNow?.(who);
}

async function signOut() {
  try {
    await requestEmpty('/api/auth/logout');
  } finally {
    window.location.reload();
  }
}

// Resolves with the account the page works for: the session's, the anonymous role's, or whoever signs in.
export async function signedIn() {
  document.getElementById('signin-form').addEventListener('submit', submit);
  document.getElementById('sign-out').addEventListener('click', signOut);
  // Signing in from a page open to anonymous requests, or again once a session has ended: start afresh as that account.
  const again = () => signInForm().then(() => window.location.reload());
  document.getElementById('sign-in').addEventListener('click', again);
  who = await askWho();
  if (who === null) {
    setCsrfToken(null); // no session: the sign-in needs none, and asking for one would only be refused again
    who = await signInForm();
  } else {
    setCsrfToken(who.csrf_token);
  }
  renderAccount();
  whenSignedOut(() => {
    if (document.getElementById('signin').hidden) again();
  });
  return who;
}
