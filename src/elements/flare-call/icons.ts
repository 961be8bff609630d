/** Line icons of <flare-call> (24x24, stroked with currentColor; decorative: the buttons carry the names). */
import { svg, html, type SVGTemplateResult } from 'lit';

const icon = (body: SVGTemplateResult) =>
  html`<svg class="icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

const slash = svg`<path d="M4 4l16 16" />`;
const micBody = svg`<rect x="9" y="3" width="6" height="11" rx="3" /><path d="M5 11a7 7 0 0 0 14 0M12 18v3M8 21h8" />`;
const cameraBody = svg`<rect x="3" y="7" width="12" height="10" rx="2" /><path d="M15 11l6-3v8l-6-3z" />`;

export const icons = {
  mic: icon(micBody),
  micOff: icon(svg`${micBody}${slash}`),
  camera: icon(cameraBody),
  cameraOff: icon(svg`${cameraBody}${slash}`),
  devices: icon(svg`<path d="M4 6h9M19 6h1M4 12h3M13 12h7M4 18h11M21 18h-1" /><circle cx="16" cy="6" r="2.5" /><circle cx="10" cy="12" r="2.5" /><circle cx="18" cy="18" r="2.5" />`),
  fullscreen: icon(svg`<path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />`),
  exitFullscreen: icon(svg`<path d="M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5" />`),
  pip: icon(svg`<rect x="3" y="5" width="18" height="14" rx="2" /><rect x="12" y="11" width="6" height="5" rx="1" fill="currentColor" />`),
  minimize: icon(svg`<path d="M5 18h14" />`),
  restore: icon(svg`<rect x="5" y="5" width="14" height="14" rx="2" />`),
  phone: icon(svg`<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z" />`),
  hangup: icon(svg`<path d="M3 15.5c5-5.3 13-5.3 18 0l-2.6 2.3-3.4-1.6v-2.7a11 11 0 0 0-6 0v2.7l-3.4 1.6z" />`),
};
