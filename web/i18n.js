// The page's language: the strings of strings.js, and the codes sent by the API (project type, stage,
// status, flags, zone class, search match, constraint type) in Chinese (the default) and English.
// The words for style classes and layer titles come from the layer catalogue instead.

import { STRINGS } from './strings.js';

const STORAGE_KEY = 'mujun.lang';
const LANGS = ['zh', 'en'];

const FIELDS = {
  parcel_code: { zh: '宗地编号', en: 'Parcel code' },
  project: { zh: '项目', en: 'Project' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  industry: { zh: '行业', en: 'Industry' },
  project_type: { zh: '项目类型', en: 'Project type' },
  stage: { zh: '项目阶段', en: 'Stage' },
  zone: { zh: '园区', en: 'Zone' },
  area: { zh: '宗地面积', en: 'Parcel area' },
  project_area: { zh: '项目用地', en: 'Project land' },
  total_investment: { zh: '总投资', en: 'Total investment' },
  intensity: { zh: '亩均投资强度', en: 'Investment per mu' },
  threshold: { zh: '门槛', en: 'Threshold' },
  ratio: { zh: '达标率', en: 'Ratio to threshold' },
  status: { zh: '状态', en: 'Status' },
  shortfall: { zh: '差额', en: 'Shortfall' },
  flags: { zh: '标记', en: 'Flags' },
};

const CODES = {
  project_type: {
    industrial: { zh: '工业', en: 'industrial' },
    service: { zh: '服务业', en: 'service' },
    infrastructure: { zh: '基础设施', en: 'infrastructure' },
  },
  status: {
    meets: { zh: '达标', en: 'meets' },
    below: { zh: '未达标', en: 'below' },
    not_assessed: { zh: '不考核', en: 'not assessed' },
    outside_zone: { zh: '园区外', en: 'outside zone' },
  },
  flags: {
    area_mismatch: { zh: '面积不符', en: 'area mismatch' },
    straddles_zones: { zh: '跨园区', en: 'straddles zones' },
    geometry_repaired: { zh: '几何已修复', en: 'geometry repaired' },
    spans_zones: { zh: '项目跨园区', en: 'project spans zones' },
    unknown_project: { zh: '项目未登记', en: 'unknown project' },
    missing_investment: { zh: '缺投资额', en: 'missing investment' },
  },
  zone_class: {
    development_zone: { zh: '开发区', en: 'development zone' },
    industrial_cluster: { zh: '工业集中区', en: 'industrial cluster' },
  },
  issue: {
    outside_zone: { zh: '园区外', en: 'outside every zone' },
    straddles_zones: { zh: '跨园区', en: 'straddles zones' },
    area_mismatch: { zh: '面积不符', en: 'area mismatch' },
  },
  match: {
    parcel_code: { zh: '宗地编号', en: 'parcel code' },
    parcel_code_prefix: { zh: '编号开头', en: 'code prefix' },
    project_code: { zh: '项目编号', en: 'project code' },
    project_name: { zh: '项目名称', en: 'project name' },
    enterprise: { zh: '企业名称', en: 'enterprise' },
    pinyin_initials: { zh: '拼音首字母', en: 'pinyin initials' },
    point: { zh: '坐标', en: 'coordinates' },
  },
  constraint_type: {
    permanent_farmland: { zh: '永久基本农田', en: 'permanent farmland' },
    ecological_redline: { zh: '生态保护红线', en: 'ecological red line' },
  },
};

// The six stages of a project: the API sends the Chinese name; the English code is accepted too.
const STAGES = [
  { zh: '意向', en: 'intention' },
  { zh: '签约', en: 'signed' },
  { zh: '预备', en: 'preparation' },
  { zh: '开工', en: 'construction' },
  { zh: '竣工', en: 'completed' },
  { zh: '评估', en: 'evaluated' },
];

let current = 'zh';

export function getLang() {
  return current;
}

// ?lang= in the URL wins over the remembered choice; Chinese otherwise.
export function initialLang() {
  const fromUrl = new URLSearchParams(window.location.search).get('lang');
  if (LANGS.includes(fromUrl)) return fromUrl;
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(stored)) return stored;
  } catch {
    // Storage can be switched off by the browser; the default language then applies.
  }
  return 'zh';
}

export function setLang(lang) {
  current = LANGS.includes(lang) ? lang : 'zh';
  try {
    window.localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // Storage can be switched off by the browser; the choice then lasts for this page only.
  }
}

export function t(key, vars = {}) {
  const text = STRINGS[key]?.[LANGS.indexOf(current)] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

export function fieldLabel(field) {
  return FIELDS[field][current];
}

// The codes a table knows, in its order: the choices of a filter.
export function codesOf(table) {
  return Object.keys(CODES[table]);
}

export function stageCodes() {
  return STAGES.map((stage) => stage.zh);
}

// A code from the API in the current language; an unknown code is shown as sent.
export function codeLabel(table, code) {
  if (code === null || code === undefined) return null;
  return CODES[table][code]?.[current] ?? String(code);
}

export function stageLabel(stage) {
  if (stage === null || stage === undefined) return null;
  const known = STAGES.find((s) => s.zh === stage || s.en === stage);
  return known ? known[current] : String(stage);
}

// A {zh, en} object from the API (layer titles, class labels, error messages) in the current language.
export function pick(texts) {
  if (texts === null || texts === undefined) return '';
  if (typeof texts === 'string') return texts;
  return texts[current] ?? texts.zh ?? '';
}
