// Map symbols taken from the layer catalogue (GET /api/layers): the style of a feature, the legend,
// and the colour samples beside a status. Nothing about colours or bands is decided here.

import { escapeHtml } from './popup.js';
import { pick, t } from './i18n.js';

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

// CSS classes on each drawn SVG path, so that a browser test can count parcels by band.
const PATH_CLASS = {
  zones: () => 'zone',
  parcels: (props) => `parcel parcel-${props.band ?? 'none'}`,
};

function isFallback(cls) {
  return cls.value === null || cls.value === 'none';
}

// The style class whose value matches the feature's property; the null/"none" class otherwise.
export function classFor(style, props) {
  const value = props?.[style.property];
  const exact = value === null || value === undefined
    ? undefined
    : style.classes.find((cls) => !isFallback(cls) && cls.value === String(value));
  return exact ?? style.classes.find(isFallback) ?? null;
}

export function pathStyle(layer, props) {
  const className = (PATH_CLASS[layer.id] ?? (() => `layer-${layer.id}`))(props ?? {});
  const cls = classFor(layer.style, props);
  if (cls === null) return { className };
  return {
    className,
    color: cls.color,
    fillColor: cls.fill_color,
    fillOpacity: cls.fill_opacity,
    opacity: 1,
    weight: cls.weight,
    dashArray: cls.dash_array ?? null,
  };
}

function rgba(hex, alpha) {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function swatchHtml(cls) {
  if (cls === null) return '';
  const fill = HEX_COLOUR.test(cls.fill_color ?? '') ? rgba(cls.fill_color, Number(cls.fill_opacity) || 0) : 'transparent';
  const stroke = HEX_COLOUR.test(cls.color ?? '') ? cls.color : 'transparent';
  const border = cls.dash_array ? 'dashed' : 'solid';
  const width = Math.min(Math.max(Number(cls.weight) || 1, 1), 3);
  return `<span class="swatch" aria-hidden="true" style="background:${fill};border:${width}px ${border} ${stroke}"></span>`;
}

export function legendHtml(layers) {
  const sections = layers.map((layer) => {
    const items = layer.style.classes
      .map((cls) => `<li>${swatchHtml(cls)}<span>${escapeHtml(pick(cls.label))}</span></li>`)
      .join('');
    return `<section><h3>${escapeHtml(pick(layer.title))}</h3><ul>${items}</ul></section>`;
  });
  return `<h2>${escapeHtml(t('legend'))}</h2>${sections.join('')}`;
}

// A zone's summary point (below the parcels' tile zoom): sized by its parcels, coloured as its zone class.
export function summaryStyle(zones, props) {
  const cls = zones ? classFor(zones.style, props) : null;
  return {
    radius: Math.min(6 + Math.sqrt(props.parcels ?? 0), 22),
    fill: true,
    fillColor: cls?.color ?? '#555555',
    fillOpacity: 0.55,
    color: '#ffffff',
    weight: 1.5,
  };
}
