/**
 * Templates of one video tile (local or remote participant) and of the network quality indicator
 * (the seed's levels 1-6 as five bars, with the measured figures in its accessible name).
 */
import { html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { live } from 'lit/directives/live.js';
import type { NetworkQuality } from '../../sdk/call/call-types.ts';

type Translate = (key: string, params?: Record<string, string | number>) => string;

/** What a tile shows. */
export interface TileView {
  /** Participant id (`self` for the local tile). */
  id: string;
  label: string;
  stream: MediaStream | null;
  local: boolean;
  audioEnabled: boolean;
  videoEnabled: boolean;
  /** Shown over the tile when the participant's media is being restored. */
  reconnecting: boolean;
  quality: NetworkQuality | null;
  /** Changes when the stream's tracks are replaced (device switch): the video element is made anew. */
  version?: number;
}

/** Bars lit for each level: 1 (excellent) lights all five, 6 (down) none. */
const BARS_LIT: Record<number, number> = { 1: 5, 2: 4, 3: 3, 4: 2, 5: 1, 6: 0 };

/** The quality indicator; `quality` null means not measured yet. */
export function renderQuality(quality: NetworkQuality | null, t: Translate) {
  const level = quality?.level ?? 0;
  const fmt = (v: number | null) => (v === null ? '–' : String(Math.round(v)));
  const name = quality
    ? t('call.qualityDetail', { level: t(`call.level.${level}`), rtt: fmt(quality.rttMs), loss: (quality.packetLoss * 100).toFixed(1), jitter: fmt(quality.jitterMs) })
    : t('call.qualityUnknown');
  const lit = BARS_LIT[level] ?? 0;
  return html`<span part="quality" class="quality" role="img" aria-label=${name} title=${name} data-level=${level}>
    ${[1, 2, 3, 4, 5].map((i) => html`<span class="bar b${i} ${i <= lit ? 'on' : ''}"></span>`)}
  </span>`;
}

/**
 * One tile. The stream is bound with `live()`: Lit re-sets object-valued properties on every render,
 * and assigning `srcObject` (even the same stream) restarts the video's load, a visible flicker on
 * every statistics tick.
 */
export function renderTile(view: TileView, t: Translate) {
  const showVideo = !!view.stream && view.videoEnabled && (view.local ? view.stream.getVideoTracks().length > 0 : true);
  const initial = view.label.trim().charAt(0).toUpperCase() || '?';
  return html`<figure
    part="tile ${view.local ? 'tile-local' : 'tile-remote'}"
    class="tile ${view.local ? 'local' : 'remote'}"
    data-participant=${view.id}
    data-connection=${view.reconnecting ? 'reconnecting' : 'ok'}
  >
    ${view.stream
      ? keyed(
          view.version ?? 0,
          html`<video
            part="video"
            class=${showVideo ? '' : 'hidden'}
            .srcObject=${live(view.stream)}
            .muted=${view.local}
            autoplay
            playsinline
            aria-label=${view.label}
          ></video>`,
        )
      : nothing}
    ${showVideo ? nothing : html`<div class="avatar" aria-hidden="true">${initial}</div>`}
    <figcaption class="caption">
      <span class="name">${view.label}</span>
      ${view.audioEnabled ? nothing : html`<span class="badge" title=${t('call.micOff')}><span aria-hidden="true">🔇</span><span class="visually-hidden">${t('call.micOff')}</span></span>`}
      ${view.videoEnabled ? nothing : html`<span class="badge" title=${t('call.videoOff')}><span aria-hidden="true">📷̸</span><span class="visually-hidden">${t('call.videoOff')}</span></span>`}
      ${view.local ? nothing : renderQuality(view.quality, t)}
    </figcaption>
    ${view.reconnecting
      ? html`<div part="reconnecting" class="overlay" role="status"><span class="spinner" aria-hidden="true"></span>${t('call.remoteReconnecting', { peer: view.label })}</div>`
      : nothing}
  </figure>`;
}
