// The parcel popup: a two-column table of one parcel record, in officials' words and units.
// Every value shown was computed by the server; this file only formats it.

import { codeLabel, fieldLabel, stageLabel, t } from './i18n.js';

const NONE = '—';

export function escapeHtml(value) {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function isBlank(value) {
  return value === null || value === undefined || value === '';
}

// Thousands separators and a fixed number of decimals; null when there is no number to show.
export function formatNumber(value, digits = 2) {
  if (isBlank(value) || !Number.isFinite(Number(value))) return null;
  return new Intl.NumberFormat(t('numberLocale'), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Number(value));
}

function withUnit(value, unitKey) {
  const number = formatNumber(value);
  return number === null ? null : `${number} ${t(unitKey)}`;
}

function paren(main, details) {
  const shown = details.filter((d) => !isBlank(d));
  if (isBlank(main)) return shown.length ? shown.join(t('sep')) : null;
  return shown.length ? main + t('paren', { text: shown.join(t('sep')) }) : String(main);
}

function projectText(r) {
  return paren(r.project_name, [r.project_code]);
}

function zoneText(r) {
  return paren(r.zone_name, [codeLabel('zone_class', r.zone_class), r.jurisdiction]);
}

function areaText(r) {
  const geometry = formatNumber(r.area_m2);
  const recorded = formatNumber(r.recorded_area_m2);
  return paren(withUnit(r.area_mu, 'unitMu'), [
    geometry === null ? null : t('geometryArea', { value: geometry }),
    recorded === null ? null : t('recordedArea', { value: recorded }),
  ]);
}

function projectAreaText(r) {
  return paren(withUnit(r.project_area_mu, 'unitMu'), [t('parcelCount', { count: r.parcel_count })]);
}

function ratioText(ratio) {
  const percent = isBlank(ratio) ? null : formatNumber(Number(ratio) * 100, 1);
  return percent === null ? null : `${percent}%`;
}

function flagsText(flags) {
  if (!Array.isArray(flags) || flags.length === 0) return null;
  return flags.map((flag) => codeLabel('flags', flag)).join(t('listSep'));
}

// [field, text, extra HTML placed before the escaped text] for each row, in reading order.
function rows(record, swatchFor) {
  const r = record;
  const list = [
    ['parcel_code', r.parcel_code],
    ['project', projectText(r)],
    ['enterprise', r.enterprise],
    ['industry', r.industry],
    ['project_type', codeLabel('project_type', r.project_type)],
    ['stage', stageLabel(r.stage)],
    ['zone', zoneText(r)],
    ['area', areaText(r)],
  ];
  if (Number(r.parcel_count) > 1) list.push(['project_area', projectAreaText(r)]);
  list.push(
    ['total_investment', withUnit(r.total_investment_wan, 'unitWan')],
    ['intensity', withUnit(r.intensity_wan_per_mu, 'unitWanPerMu')],
    ['threshold', withUnit(r.threshold_wan_per_mu, 'unitWanPerMu')],
    ['ratio', ratioText(r.ratio)],
    ['status', codeLabel('status', r.status), swatchFor(r)],
  );
  if (Number(r.shortfall_wan) > 0) list.push(['shortfall', withUnit(r.shortfall_wan, 'unitWan')]);
  list.push(['flags', flagsText(r.flags)]);
  return list;
}

function recordTable(record, swatchFor) {
  const body = rows(record, swatchFor)
    .map(([field, text, extra]) => {
      const value = isBlank(text) ? NONE : escapeHtml(text);
      return `<tr><th scope="row">${escapeHtml(fieldLabel(field))}</th><td>${extra ?? ''}${value}</td></tr>`;
    })
    .join('');
  return `<table class="parcel-popup"><tbody>${body}</tbody></table>`;
}

// swatchFor(record) returns the HTML of a small colour sample for the record's band, or ''.
export function popupHtml(records, swatchFor) {
  if (records.length === 0) return `<p class="popup-empty">${escapeHtml(t('noParcel'))}</p>`;
  return records.map((record) => recordTable(record, swatchFor)).join('');
}
