// The report tab's HTML: summary tables and the lists of parcels, from the report JSON as sent
// (GET /api/reports/violations). Totals, averages and shortfalls are the server's; this only formats.

import { codeLabel, t } from './i18n.js';
import { escapeHtml, formatNumber } from './popup.js';

function num(value, digits = 2) {
  return escapeHtml(formatNumber(value, digits) ?? t('none'));
}

function int(value) {
  return num(value, 0);
}

// Sums of 万元 to the cent, as in the exports: an official checks the panel against the sheet.
function summaryRow(nameHtml, line, isTotal = false) {
  const cells = [
    `${int(line.projects)}<span class="vs"> / ${int(line.parcels)}</span>`, num(line.area_mu),
    num(line.total_investment_wan),
    `${num(line.intensity_wan_per_mu)}<span class="threshold">${num(line.threshold_wan_per_mu)}</span>`,
    num(line.shortfall_wan),
  ];
  const head = `<th scope="row">${nameHtml}</th>`;
  return `<tr${isTotal ? ' class="total"' : ''}>${head}${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
}

function summaryTable(captionKey, firstColumnKey, lines, nameOf, total) {
  const columns = [[firstColumnKey], ['colCounts', 'colCountsUnit'], ['colArea', 'unitMu'], ['colInvestment', 'unitWan'],
    ['colIntensity', 'unitWanPerMu'], ['colShortfall', 'unitWan']];
  const heads = columns.map(([key, unit]) => {
    const unitHtml = unit ? `<span class="unit">${escapeHtml(t(unit))}</span>` : '';
    return `<th scope="col">${escapeHtml(t(key))}${unitHtml}</th>`;
  }).join('');
  const body = lines.map((line) => summaryRow(nameOf(line), line)).join('');
  const foot = summaryRow(escapeHtml(t('totalRow')), total, true);
  return `<div class="table-scroll"><table class="summary-table">
    <caption>${escapeHtml(t(captionKey))}</caption>
    <thead><tr>${heads}</tr></thead><tbody>${body}</tbody><tfoot>${foot}</tfoot></table></div>`;
}

function jurisdictionName(line) {
  return escapeHtml(line.jurisdiction ?? t('noZone'));
}

function zoneName(line) {
  if (line.zone_code === null) return escapeHtml(t('noZone'));
  return `${escapeHtml(line.zone_name ?? line.zone_code)}<span class="code">${escapeHtml(line.zone_code)}</span>`;
}

export function summaryHtml(summary) {
  const policy = summary.policy ? `<p class="policy">${escapeHtml(t('policyLine', { name: summary.policy.name }))}</p>` : '';
  return `<section class="report-summary"><h2>${escapeHtml(t('summaryTitle'))}</h2>${policy}
    ${summaryTable('byJurisdiction', 'colJurisdiction', summary.by_jurisdiction, jurisdictionName, summary.total)}
    ${summaryTable('byZone', 'colZone', summary.by_zone, zoneName, summary.total)}</section>`;
}

// One clickable line of a parcel list: code, project, and a line of details; `swatch` is HTML.
export function recordItem(record, details, swatch = '') {
  return `<li><button type="button" class="record-item" data-parcel="${escapeHtml(record.parcel_code)}">
    <span class="record-head">${swatch}<strong>${escapeHtml(record.parcel_code)}</strong>
      <span class="record-name">${escapeHtml(record.project_name ?? record.enterprise ?? '')}</span></span>
    <span class="record-details">${details}</span></button></li>`;
}

export function listSection(titleHtml, itemsHtml, emptyKey, open = true) {
  const body = itemsHtml.length ? `<ul class="record-list">${itemsHtml.join('')}</ul>` : `<p class="empty">${escapeHtml(t(emptyKey))}</p>`;
  return `<details class="list-section"${open ? ' open' : ''}><summary>${titleHtml}</summary>${body}</details>`;
}

function violationDetails(record) {
  const figures = t('itemFigures', {
    intensity: formatNumber(record.intensity_wan_per_mu) ?? t('none'),
    threshold: formatNumber(record.threshold_wan_per_mu) ?? t('none'),
    shortfall: formatNumber(record.shortfall_wan) ?? t('none'),
  });
  return `${escapeHtml(record.zone_name ?? t('noZone'))}${escapeHtml(t('dot'))}${escapeHtml(figures)}`;
}

export function violationsHtml(violations, swatchFor) {
  const items = violations.map((record) => recordItem(record, violationDetails(record), swatchFor(record)));
  return listSection(escapeHtml(t('violationsTitle', { count: violations.length })), items, 'emptyReport');
}

export function qualityHtml(entries) {
  const items = entries.map((entry) => {
    const issues = entry.issues.map((issue) => `<span class="chip">${escapeHtml(codeLabel('issue', issue))}</span>`).join('');
    return recordItem(entry, `${issues}${escapeHtml(entry.zone_name ?? t('noZone'))}`);
  });
  return listSection(escapeHtml(t('dataQualityTitle', { count: entries.length })), items, 'emptyQuality', false);
}
