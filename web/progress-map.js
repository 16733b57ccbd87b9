// The map coloured by the progress view: each parcel drawn by its project's stage or progress class on the as-of
// month, as GET /api/progress/map decided them (by project code, under the view's filters), in the colours and
// words of the layer catalogue's themes of the parcels layer. A parcel whose project is not in the answer is
// `unlisted`. 'band' puts the catalogue's own style back.

import { pick } from './i18n.js';
import { catalogue, setLayerTheme } from './mapview.js';
import { monthName } from './progress-view.js';
import { STRINGS } from './strings.js';
import { getJson, isAbort, showError, tracked } from './ui.js';

const LAYER = 'parcels';
const UNLISTED = 'unlisted';

const state = { controller: null, theme: 'band', query: null };

function themeOf(id) {
  return catalogue()?.layers.find((layer) => layer.id === LAYER)?.themes?.find((theme) => theme.id === id) ?? null;
}

// The catalogue's colour of a stage (the funnel's colours), grey where the catalogue has none.
export function stageColour(stage) {
  return themeOf('stage')?.classes.find((cls) => cls.value === stage)?.fill_color ?? '#9e9e9e';
}

// The legend's title in both languages: the theme's, with the month.
function title(theme, month) {
  const [zh, en] = STRINGS.themeTitle;
  const fill = (text, lang) => text.replace('{title}', theme.title[lang]).replace('{month}', monthName(month, lang));
  return { zh: fill(zh, 'zh'), en: fill(en, 'en') };
}

// Colour the parcels by `theme` ('band', 'stage' or 'progress') for the month and filters of `query`
// (URLSearchParams of /api/progress); asked again only when the theme or the query changed.
export async function setMapTheme(theme, query) {
  const text = query.toString();
  if (theme === state.theme && (theme === 'band' || text === state.query)) return;
  state.controller?.abort();
  state.theme = theme;
  state.query = text;
  const style = themeOf(theme);
  if (theme === 'band' || style === null) {
    setLayerTheme(LAYER, null);
    return;
  }
  const controller = new AbortController();
  state.controller = controller;
  try {
    const answer = await tracked(getJson(`/api/progress/map${text ? `?${text}` : ''}`, controller.signal));
    if (controller.signal.aborted) return;
    const projects = answer.projects;
    setLayerTheme(LAYER, {
      title: title(style, answer.as_of),
      style,
      props: (props) => {
        const pair = projects[props.project_code];
        return { ...props, stage: pair ? pair[0] : UNLISTED, progress: pair ? pair[1] : UNLISTED };
      },
    });
  } catch (err) {
    if (isAbort(err)) return;
    state.query = null; // asked again next time
    showError(err);
  }
}

export function themeLabel(id) {
  return pick(themeOf(id)?.title);
}
