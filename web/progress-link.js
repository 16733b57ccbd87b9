// The progress view's part of the permalink: the as-of month, the view's filters, the rate charted by district,
// the map's colouring and the open project card.
//   ?tab=progress&as_of=2024-03&p.jurisdiction=武进区&p.category=新建&rate=new_start&theme=progress&project=CZXM-2022-0027
// The filters are the API's own names behind `p.`, since the report's filters of the same names mean other things
// (the report's 项目级别 is the project's, the view's is that of the year's list).

export const PROGRESS_FILTERS = ['jurisdiction', 'zone', 'industry', 'level', 'category'];
export const THEMES = ['band', 'stage', 'progress']; // band: the catalogue's own style of the parcels
export const DEFAULT_RATE = 'investment_plan_completion';
const PREFIX = 'p.';
const MONTH = /^\d{4}-\d{2}$/;

export function readProgressLink(params) {
  const filters = {};
  for (const name of PROGRESS_FILTERS) filters[name] = params.get(PREFIX + name) ?? '';
  const asOf = params.get('as_of') ?? '';
  const theme = params.get('theme');
  return {
    as_of: MONTH.test(asOf) ? asOf : '', // '': the latest month with reports
    filters,
    rate: params.get('rate') || DEFAULT_RATE,
    theme: THEMES.includes(theme) ? theme : 'band',
    project: params.get('project') || null,
  };
}

// Only what differs from the defaults.
export function writeProgressLink(link, params) {
  if (!link) return;
  if (link.as_of) params.set('as_of', link.as_of);
  for (const name of PROGRESS_FILTERS) if (link.filters[name]) params.set(PREFIX + name, link.filters[name]);
  if (link.rate !== DEFAULT_RATE) params.set('rate', link.rate);
  if (link.theme !== 'band') params.set('theme', link.theme);
  if (link.project) params.set('project', link.project);
}
