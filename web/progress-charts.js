// The progress tab's charts, drawn by Apache ECharts (npm `echarts`, served from /vendor/echarts and loaded the
// first time the tab shows): a rate by district with its targets, cumulative investment by month against the plan,
// and the projects by stage as a funnel. Values, ranks and targets are the server's (GET /api/progress); the funnel
// takes the stage colours of the layer catalogue's stage theme, so that it agrees with the map.

import { getLang, stageLabel, t } from './i18n.js';
import { formatNumber } from './popup.js';
import { monthName, percent, rateName, targetLevel } from './progress-view.js';
import { tracked } from './ui.js';

const LIBRARY = '/vendor/echarts/echarts.esm.min.js';
const FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", system-ui, sans-serif';
const BAR = '#2d5286';
const MISSED = '#c62828';
const MET = '#1b7a3a';
const PENDING = '#7a8691'; // a target on its way (its deadline still to come)
const LINES = { completed: '#2d5286', expected: '#e08a00', planned: '#7a8691' };

const state = { library: null, charts: new Map(), lang: null };

async function library() {
  if (!state.library) state.library = tracked(import(LIBRARY));
  return state.library;
}

// One chart per element, made again when the language changes (ECharts' own words follow its locale).
function chartFor(echarts, element) {
  if (state.lang !== getLang()) {
    for (const chart of state.charts.values()) chart.dispose();
    state.charts.clear();
    state.lang = getLang();
  }
  let chart = state.charts.get(element.id);
  if (!chart) {
    chart = echarts.init(element, null, { renderer: 'canvas', locale: getLang() === 'zh' ? 'ZH' : 'EN' });
    state.charts.set(element.id, chart);
  }
  return chart;
}

function base() {
  return { aria: { enabled: true }, textStyle: { fontFamily: FONT }, animation: false };
}

// Targets of a rate as lines across the bars: one line a value, its levels and deadlines in its label; drawn as the
// server judged them (missed, met, or on its way: dashed).
function targetLines(answer, rate) {
  const byValue = new Map();
  for (const target of answer.targets.filter((tg) => tg.rate === rate)) {
    const key = Number(target.target);
    const entry = byValue.get(key) ?? { value: key, labels: [], met: [] };
    entry.labels.push(t('chartTargetMark', { level: targetLevel(target), target: percent(target.target), by: target.by.slice(5) }));
    entry.met.push(target.met);
    byValue.set(key, entry);
  }
  return [...byValue.values()].map((entry) => {
    const colour = entry.met.includes(false) ? MISSED : entry.met.includes(true) ? MET : PENDING;
    const judged = entry.met.some((met) => met !== null);
    return {
      yAxis: entry.value * 100,
      lineStyle: { color: colour, type: judged ? 'solid' : 'dashed', width: 1.5 },
      label: { formatter: entry.labels.join(t('listSep')), position: 'insideEndTop', color: colour, fontSize: 11 },
    };
  });
}

// Districts in the order of the server's ranks on the rate, unranked (no value) last.
function districtsOption(answer, rate) {
  const rankOf = (line) => line.ranks[rate] ?? Number.POSITIVE_INFINITY;
  const lines = [...answer.by_jurisdiction].sort((a, b) => rankOf(a) - rankOf(b));
  const values = lines.map((line) => (line.rates[rate].rate === null ? null : Number(line.rates[rate].rate) * 100));
  const marks = targetLines(answer, rate);
  const top = Math.max(100, ...values.filter((v) => v !== null), ...marks.map((m) => m.yAxis));
  return {
    ...base(),
    title: { text: rateName(answer, rate), left: 0, top: 0, textStyle: { fontSize: 12, fontWeight: 600 } },
    grid: { left: 44, right: 12, top: 30, bottom: 64 },
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const line = lines[items[0].dataIndex];
        const rank = line.ranks[rate];
        return `${line.jurisdiction}<br>${percent(line.rates[rate].rate)}${t('dot')}${rank === null ? t('chartUnranked') : t('chartRank', { rank })}`;
      },
    },
    xAxis: {
      type: 'category', axisLabel: { interval: 0, rotate: 35, fontSize: 11 },
      data: lines.map((line) => (line.ranks[rate] === null ? line.jurisdiction : `${line.ranks[rate]}. ${line.jurisdiction}`)),
    },
    yAxis: { type: 'value', min: 0, max: Math.ceil(top / 10) * 10, axisLabel: { formatter: '{value}%', fontSize: 11 } },
    series: [{
      type: 'bar', data: values, itemStyle: { color: BAR }, barMaxWidth: 28,
      label: { show: true, position: 'top', fontSize: 10, formatter: (item) => (item.value === null ? '' : percent(item.value / 100)) },
      markLine: { symbol: 'none', silent: true, data: marks },
    }],
  };
}

function seriesOption(answer) {
  const wan = (value) => `${formatNumber(value, 2)} ${t('unitWan')}`;
  const line = (key, field, extra = {}) => ({
    name: t(key), type: 'line', data: answer.series.map((entry) => entry[field]), color: LINES[field.replace('_wan', '')],
    symbolSize: 5, ...extra,
  });
  return {
    ...base(),
    grid: { left: 72, right: 12, top: 28, bottom: 52 },
    legend: { bottom: 0, textStyle: { fontSize: 11 }, itemWidth: 16 },
    tooltip: { trigger: 'axis', valueFormatter: wan },
    xAxis: {
      type: 'category', data: answer.series.map((entry) => monthName(entry.month, getLang(), true)),
      axisLabel: { fontSize: 11, interval: 0 },
    },
    yAxis: {
      type: 'value', name: t('unitWan'), nameTextStyle: { fontSize: 11, align: 'right' },
      axisLabel: { fontSize: 11, formatter: (value) => formatNumber(value, 0) },
    },
    series: [
      line('seriesCompleted', 'completed_wan', { areaStyle: { opacity: 0.12 } }),
      line('seriesExpected', 'expected_wan', { lineStyle: { type: 'dashed' } }),
      line('seriesPlanned', 'planned_wan', { lineStyle: { type: 'dotted' }, symbol: 'none' }),
    ],
  };
}

// The funnel: how many projects have reached each stage by D (at it or further on, as the rates count "signed,
// filed, started, completed by D"), the server's counts of projects at each stage added from the last stage back.
function funnelOption(answer, stageColour) {
  const stages = Object.entries(answer.stages);
  const reached = stages.map((_, i) => stages.slice(i).reduce((sum, [, count]) => sum + count, 0));
  const data = stages.map(([stage, count], i) => ({
    name: stageLabel(stage), value: reached[i], at: count, itemStyle: { color: stageColour(stage) },
  }));
  const text = (item) => t('funnelItem', { stage: item.name, count: formatNumber(item.value, 0), at: formatNumber(item.data.at, 0) });
  return {
    ...base(),
    tooltip: { trigger: 'item', formatter: text },
    series: [{
      type: 'funnel', sort: 'none', left: '4%', width: '58%', top: 8, bottom: 8, min: 0, max: Math.max(1, reached[0]),
      minSize: '2%', gap: 2, data, label: { position: 'right', fontSize: 11, formatter: text }, labelLine: { length: 10 },
      itemStyle: { borderColor: '#fff', borderWidth: 1 },
    }],
  };
}

// Draw the three charts into #chart-districts, #chart-series and #chart-funnel (which must be visible).
export async function renderCharts(answer, rate, stageColour) {
  const echarts = await library();
  const draw = (id, option) => chartFor(echarts, document.getElementById(id)).setOption(option, { notMerge: true });
  draw('chart-districts', districtsOption(answer, rate));
  draw('chart-series', seriesOption(answer));
  draw('chart-funnel', funnelOption(answer, stageColour));
}

export function resizeCharts() {
  for (const chart of state.charts.values()) chart.resize();
}
