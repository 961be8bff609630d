/**
 * The body of <flare-call> for each call status, as a template: the dial form with the outcome of
 * the last call (idle, ended, failed), the outgoing ring (calling), the incoming call with accept and
 * decline (ringing), and the video stage with local and remote tiles (in call, reconnecting).
 */
import { html, nothing } from 'lit';
import type { CallController } from '../../sdk/call/call-controller.ts';
import { CallStatus } from '../../sdk/call/call-types.ts';
import { icons } from './icons.ts';
import { renderTile } from './video-tile.ts';

type Translate = (key: string, params?: Record<string, string | number>) => string;

/** What the panel needs from the element. */
export interface CallPanelView {
  t: Translate;
  call: CallController;
  status: CallStatus;
  /** The other side of the current (or last) call. */
  peer: string;
  dialValue: string;
  audioOnly: boolean;
  onDialInput(value: string): void;
  start(): void;
  accept(): void;
  decline(): void;
  hangup(): void;
}

function renderDial(v: CallPanelView) {
  const { t } = v;
  const last = v.call.state.lastTransition.get();
  const ended = v.status === CallStatus.Ended || v.status === CallStatus.Failed;
  return html`${ended && last
      ? html`<p part="outcome" class="outcome" data-code=${last.code} data-status=${v.status}>${t(`call.end.${last.code}`, { peer: v.peer })}</p>`
      : nothing}
    <form
      part="dial"
      class="dial"
      @submit=${(e: Event) => {
        e.preventDefault();
        v.start();
      }}
    >
      <label for="peer">${t('call.peer')}</label>
      <div class="dial-row">
        <input
          id="peer"
          part="input"
          autocomplete="off"
          spellcheck="false"
          placeholder=${t('call.peerPlaceholder')}
          .value=${v.dialValue}
          @input=${(e: Event) => v.onDialInput((e.target as HTMLInputElement).value)}
        />
        <button part="button primary call" type="submit" ?disabled=${!v.dialValue.trim()}>
          ${icons.phone}<span>${ended && v.peer === v.dialValue.trim() ? t('call.callAgain') : v.audioOnly ? t('call.startAudio') : t('call.start')}</span>
        </button>
      </div>
    </form>`;
}

function renderCalling(v: CallPanelView) {
  const { t } = v;
  return html`<div part="ringing" class="ring outgoing">
    <div class="avatar big pulse" aria-hidden="true">${v.peer.charAt(0).toUpperCase()}</div>
    <p role="status">${t('call.calling', { peer: v.peer })}</p>
    <div class="actions">
      <button part="button danger cancel" @click=${v.hangup}>${icons.hangup}<span>${t('call.cancel')}</span></button>
    </div>
  </div>`;
}

function renderIncoming(v: CallPanelView) {
  const { t } = v;
  const video = v.call.signalling.current.get()?.media.video ?? true;
  return html`<div part="incoming" class="ring incoming" role="group" aria-labelledby="incoming-title" aria-describedby="incoming-kind">
    <div class="avatar big pulse" aria-hidden="true">${v.peer.charAt(0).toUpperCase()}</div>
    <p id="incoming-title" class="incoming-title" role="alert">${t('call.incoming', { peer: v.peer })}</p>
    <p id="incoming-kind" class="muted">${video ? t('call.incomingVideo') : t('call.incomingAudio')}</p>
    <div class="actions">
      <button part="button primary accept" class="accept" @click=${v.accept}>${icons.phone}<span>${t('call.accept')}</span></button>
      <button part="button danger decline" @click=${v.decline}>${icons.hangup}<span>${t('call.decline')}</span></button>
    </div>
  </div>`;
}

function renderStage(v: CallPanelView) {
  const { t, call } = v;
  const remoteStreams = call.remoteStreams.get();
  const participants = [...call.state.participants.get().values()];
  const local = call.state.localMedia.get();
  const reconnecting = v.status === CallStatus.Reconnecting;
  return html`<div part="stage" class="stage" data-count=${participants.length}>
    ${participants.map((p) =>
      renderTile(
        {
          id: p.id,
          label: p.id,
          stream: remoteStreams.get(p.id) ?? null,
          local: false,
          audioEnabled: p.audioEnabled,
          videoEnabled: p.videoEnabled,
          reconnecting: reconnecting || p.connection === 'reconnecting',
          quality: p.quality,
        },
        t,
      ),
    )}
    ${renderTile(
      {
        id: 'self',
        label: t('call.you'),
        stream: call.localStream.get(),
        local: true,
        audioEnabled: local.audioEnabled,
        videoEnabled: local.videoEnabled,
        reconnecting: false,
        quality: call.state.localQuality.get(),
        version: call.localTracksVersion.get(),
      },
      t,
    )}
  </div>`;
}

/** The panel for `v.status`. */
export function renderCallPanel(v: CallPanelView) {
  switch (v.status) {
    case CallStatus.Calling:
      return renderCalling(v);
    case CallStatus.Ringing:
      return renderIncoming(v);
    case CallStatus.InCall:
    case CallStatus.Reconnecting:
      return renderStage(v);
    default:
      return renderDial(v);
  }
}

/** The heading's status line: reconnecting (with the attempt), or the peer and the call's duration. */
export function callStatusText(t: Translate, status: CallStatus, peer: string, reconnectAttempts: number, duration: () => string): string {
  if (status === CallStatus.Reconnecting) return reconnectAttempts ? t('call.reconnectingAttempt', { attempt: reconnectAttempts }) : t('call.reconnecting');
  return status === CallStatus.InCall ? `${t('call.inCall', { peer })} · ${duration()}` : '';
}
