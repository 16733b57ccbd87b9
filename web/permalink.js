// The permalink: the query string holds the open tab, the report's filters and sort, the search, the
// map's view and the selected parcel, so that a copied address opens the same view for a colleague.
//   ?tab=report&jurisdiction=武进区&sort=ratio&dim=1&parcel=320412-2019-0007&map=31.71234,119.95678,15&basemap=local
// Filter names are the report API's own, so a link reads like the export it leads to. The progress view's
// part is read and written by progress-link.js.

import { readProgressLink, writeProgressLink } from './progress-link.js';

export const TABS = ['report', 'search', 'siting', 'progress', 'bulletins', 'load'];
export const FILTERS = ['jurisdiction', 'zone', 'zone_class', 'stage', 'industry', 'level', 'band'];
export const DEFAULT_SORT = '-shortfall_wan';

const VIEW_DIGITS = 5; // about 1 m: a view, not a survey point

function readView(text) {
  const parts = (text ?? '').split(',').map(Number);
  if (parts.length !== 3 || !parts.every(Number.isFinite)) return null;
  const [lat, lng, zoom] = parts;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || zoom < 0 || zoom > 22) return null;
  return { lat, lng, zoom: Math.round(zoom) };
}

// What the address asks for; anything missing or unreadable is left to the page's defaults.
export function readLink(search = window.location.search) {
  const params = new URLSearchParams(search);
  const filters = {};
  for (const name of FILTERS) filters[name] = params.get(name) ?? '';
  const tab = params.get('tab');
  return {
    tab: TABS.includes(tab) ? tab : 'report',
    open: params.get('panel') !== '0',
    filters,
    sort: params.get('sort') || DEFAULT_SORT,
    dim: params.get('dim') === '1',
    q: params.get('q') ?? '',
    parcel: params.get('parcel') || null,
    view: readView(params.get('map')),
    progress: readProgressLink(params),
    basemap: params.get('basemap') || null,
  };
}

// The address of a view: only what differs from the defaults, the language only if it was there.
export function linkFor(link, base = window.location.href) {
  const url = new URL(base);
  const lang = url.searchParams.get('lang');
  const params = new URLSearchParams();
  if (link.tab !== 'report') params.set('tab', link.tab);
  if (!link.open) params.set('panel', '0');
  for (const name of FILTERS) if (link.filters[name]) params.set(name, link.filters[name]);
  if (link.sort !== DEFAULT_SORT) params.set('sort', link.sort);
  if (link.dim) params.set('dim', '1');
  if (link.q) params.set('q', link.q);
  if (link.parcel) params.set('parcel', link.parcel);
  if (link.view) {
    const { lat, lng, zoom } = link.view;
    params.set('map', `${lat.toFixed(VIEW_DIGITS)},${lng.toFixed(VIEW_DIGITS)},${zoom}`);
  }
  writeProgressLink(link.progress, params);
  if (link.basemap) params.set('basemap', link.basemap);
  if (lang) params.set('lang', lang);
  url.search = params.toString().replace(/%2C/gi, ','); // commas are fine in a query, and easier to read
  url.hash = '';
  return url.toString();
}

export function writeLink(link) {
  const next = linkFor(link);
  if (next !== window.location.href) window.history.replaceState(null, '', next);
}

// The clipboard API needs a secure context (https or localhost); an intranet http address falls back
// to the older copy command on a hidden field.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const field = Object.assign(document.createElement('textarea'), { value: text, readOnly: true });
  field.className = 'visually-hidden';
  document.body.append(field);
  field.select();
  const copied = document.execCommand('copy');
  field.remove();
  if (!copied) throw new Error('copy refused');
}
