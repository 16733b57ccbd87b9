// The siting verdict table (class `siting-verdict`), for the side panel and the printable sheet alike:
// one row per figure of the POST /api/siting/review answer, in officials' words and units.
// The status, band and every number are the server's; this only formats them.

import { codeLabel, fieldLabel, pick, t } from './i18n.js';
import { escapeHtml, formatNumber } from './popup.js';

const CONSTRAINT_TYPES = ['permanent_farmland', 'ecological_redline'];

export const SHEET_KEY = 'mujun.sitingSheet'; // sessionStorage: the review the printable sheet shows
export const SITE_STYLE = { color: '#0b5cad', weight: 3, fillColor: '#3d8bfd', fillOpacity: 0.18, className: 'siting-site' };

function withUnit(value, unitKey) {
  const number = formatNumber(value);
  return number === null ? t('none') : `${number} ${t(unitKey)}`;
}

function percent(ratio) {
  const number = ratio === null || ratio === undefined ? null : formatNumber(Number(ratio) * 100, 1);
  return number === null ? t('none') : `${number}%`;
}

function overlapList(overlaps, codeOf) {
  if (overlaps.length === 0) return escapeHtml(t('noneListed'));
  const lines = overlaps.map((o) => `<li>${escapeHtml(t('overlapItem', { code: codeOf(o), area: formatNumber(o.area_m2) }))}</li>`);
  return `<ul class="overlaps">${lines.join('')}</ul>`;
}

function zoneHtml(review) {
  if (!review.zone_code) return escapeHtml(t('none'));
  const share = t('zoneShare', { value: percent(review.zone_share) });
  return `${escapeHtml(review.zone_name ?? review.zone_code)}<span class="sub"><span class="code">${escapeHtml(review.zone_code)}</span>`
    + `${escapeHtml(t('dot') + share)}</span>`;
}

// bandClass(band) gives the catalogue's style class (label and colours) of a band, or null.
function statusHtml(review, bandClass, swatchHtml) {
  const cls = review.band === 'none' ? null : bandClass(review.band);
  const label = cls ? pick(cls.label) : codeLabel('status', review.status);
  return `${swatchHtml(bandClass(review.band))}<strong>${escapeHtml(label)}</strong>`;
}

// [field, label, HTML] for each row, in reading order; the field names the row for tests and styles.
function rows(review, bandClass, swatchHtml) {
  const list = [
    ['area', t('vArea'), escapeHtml(`${withUnit(review.area_m2, 'unitM2')}${t('paren', { text: withUnit(review.area_mu, 'unitMu') })}`)],
    ['zone', t('vZone'), zoneHtml(review)],
    ['project_type', fieldLabel('project_type'), escapeHtml(codeLabel('project_type', review.project_type))],
    ['investment', t('vInvestment'), escapeHtml(withUnit(review.total_investment_wan, 'unitWan'))],
    ['threshold', fieldLabel('threshold'), escapeHtml(review.threshold_wan_per_mu === null ? t('noThreshold')
      : withUnit(review.threshold_wan_per_mu, 'unitWanPerMu'))],
    ['intensity', fieldLabel('intensity'), escapeHtml(withUnit(review.intensity_wan_per_mu, 'unitWanPerMu'))],
    ['ratio', fieldLabel('ratio'), escapeHtml(percent(review.ratio))],
    ['status', t('vStatus'), statusHtml(review, bandClass, swatchHtml)],
  ];
  if (Number(review.shortfall_wan) > 0) list.push(['shortfall', t('vShortfall'), escapeHtml(withUnit(review.shortfall_wan, 'unitWan'))]);
  list.push(
    ['min_investment', t('vMinInvestment'), escapeHtml(withUnit(review.min_investment_wan, 'unitWan'))],
    ['max_area', t('vMaxArea'), escapeHtml(withUnit(review.max_area_mu, 'unitMu'))],
    ['parcel_overlaps', t('vParcels'), overlapList(review.parcel_overlaps, (o) => o.parcel_code ?? t('vOtherDistrict'))],
  );
  for (const type of CONSTRAINT_TYPES) {
    const overlaps = review.constraint_overlaps.filter((o) => o.constraint_type === type);
    list.push([type, codeLabel('constraint_type', type), overlapList(overlaps, (o) => o.code)]);
  }
  list.push(['outside_boundary', t('vOutside'), escapeHtml(withUnit(review.outside_development_boundary_m2, 'unitM2'))]);
  if (review.flags.length) {
    list.push(['flags', fieldLabel('flags'), escapeHtml(review.flags.map((f) => codeLabel('flags', f)).join(t('listSep')))]);
  }
  list.push(
    ['plane', t('vPlane'), escapeHtml(`EPSG:${review.gauss_kruger_epsg}`)],
    ['policy', t('vPolicy'), escapeHtml(review.policy_code)],
  );
  return list;
}

// The rows that ask for attention (a shortfall, an overlap, land outside the boundary) are marked.
function isWarning(field, review) {
  if (field === 'status') return review.status === 'below';
  if (CONSTRAINT_TYPES.includes(field)) return review.constraint_overlaps.some((o) => o.constraint_type === field);
  if (field === 'parcel_overlaps') return review.parcel_overlaps.length > 0;
  if (field === 'outside_boundary') return Number(review.outside_development_boundary_m2) > 0;
  return false;
}

export function verdictHtml(review, bandClass, swatchHtml) {
  const body = rows(review, bandClass, swatchHtml).map(([field, label, html]) => {
    const cls = isWarning(field, review) ? ' class="warning"' : '';
    return `<tr data-field="${field}"${cls}><th scope="row">${escapeHtml(label)}</th><td>${html}</td></tr>`;
  }).join('');
  return `<table class="siting-verdict" data-status="${escapeHtml(review.status)}"><tbody>${body}</tbody></table>`;
}
