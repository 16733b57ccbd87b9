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

// `more`: { list, shown, total } when the list is a first page of a longer one (a button asks for the next).
export function listSection(titleHtml, itemsHtml, emptyKey, open = true, more = null) {
  const body = itemsHtml.length ? `<ul class="record-list">${itemsHtml.join('')}</ul>` : `<p class="empty">${escapeHtml(t(emptyKey))}</p>`;
  const button = more && more.shown < more.total
    ? `<button type="button" class="list-more" data-more="${escapeHtml(more.list)}">${escapeHtml(t('listMore', {
      shown: formatNumber(more.shown, 0), total: formatNumber(more.total, 0) }))}</button>`
    : '';
  return `<details class="list-section"${open ? ' open' : ''}><summary>${titleHtml}</summary>${body}${button}</details>`;
}

function violationDetails(record) {
  const figures = t('itemFigures', {
    intensity: formatNumber(record.intensity_wan_per_mu) ?? t('none'),
    threshold: formatNumber(record.threshold_wan_per_mu) ?? t('none'),
    shortfall: formatNumber(record.shortfall_wan) ?? t('none'),
  });
  return `${escapeHtml(record.zone_name ?? t('noZone'))}${escapeHtml(t('dot'))}${escapeHtml(figures)}`;
}

// `total`: how many the report selects (the summary's count); the list may hold only the first of them.
export function violationsHtml(violations, total, swatchFor) {
  const items = violations.map((record) => recordItem(record, violationDetails(record), swatchFor(record)));
  const title = escapeHtml(t('violationsTitle', { count: formatNumber(total, 0) }));
  return listSection(title, items, 'emptyReport', true, { list: 'violations', shown: violations.length, total });
}

export function qualityHtml(entries, total) {
  const items = entries.map((entry) => {
    const issues = entry.issues.map((issue) => `<span class="chip">${escapeHtml(codeLabel('issue', issue))}</span>`).join('');
    return recordItem(entry, `${issues}${escapeHtml(entry.zone_name ?? t('noZone'))}`);
  });
  const title = escapeHtml(t('dataQualityTitle', { count: formatNumber(total, 0) }));
  return listSection(title, items, 'emptyQuality', false, { list: 'data_quality', shown: entries.length, total });
}
