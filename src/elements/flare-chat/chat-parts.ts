/**
 * Smaller pieces of <flare-chat> as templates: the connection badge (status, protocol, RTT), the
 * reconnect banner, the typing line, the composer and the presence list. Pure rendering.
 */
import { html, nothing } from 'lit';
import type { ChatSource, PresenceMember } from './chat-source.ts';

type Translate = (key: string, params?: Record<string, string | number>) => string;

const BANNER_STATES = new Set(['reconnecting', 'disconnected', 'failed', 'kicked']);

/** Status dot, status, protocol and round trip; the full text is also its title. */
export function renderBadge(chat: ChatSource, t: Translate) {
  const status = chat.status.get();
  const protocol = chat.protocol.get();
  const rtt = chat.rttMs.get();
  const connected = status === 'connected';
  const parts = [t(`chat.status.${status}`), connected ? protocol : null, connected && rtt !== null ? t('chat.rtt', { rtt: Math.round(rtt) }) : null].filter(
    (p): p is string => !!p,
  );
  return html`<span part="badge" class="badge" data-status=${status} data-protocol=${protocol ?? ''} title=${`${t('chat.badge')}: ${parts.join(' · ')}`}>
    <span class="dot" aria-hidden="true"></span>${parts.map((p, i) => html`${i ? html`<span aria-hidden="true"> · </span>` : nothing}<span>${p}</span>`)}
  </span>`;
}

/** The banner while the connection is lost (an alert), with "reconnect now" when the source can. */
export function renderBanner(chat: ChatSource, t: Translate) {
  const status = chat.status.get();
  if (!BANNER_STATES.has(status)) return nothing;
  return html`<div part="banner" class="banner" role="alert" data-status=${status}>
    <span>${t(`chat.banner.${status}`)}</span>
    ${chat.reconnect && status !== 'reconnecting' ? html`<button part="button" @click=${() => chat.reconnect!()}>${t('chat.reconnectNow')}</button>` : nothing}
  </div>`;
}

/** "a is typing…", "a and b are typing…", "n people are typing…", or ''. */
export function typingText(users: readonly string[], t: Translate): string {
  if (users.length === 0) return '';
  if (users.length === 1) return t('chat.typing.one', { a: users[0]! });
  if (users.length === 2) return t('chat.typing.two', { a: users[0]!, b: users[1]! });
  return t('chat.typing.many', { count: users.length });
}

/** Users present (one entry per user however many devices), the local user first. */
export function renderPresence(members: readonly PresenceMember[], selfId: string, t: Translate) {
  const users = [...new Set(members.map((m) => m.userId))].sort((a, b) => (a === selfId ? -1 : b === selfId ? 1 : a.localeCompare(b)));
  return html`<div part="presence" class="presence" role="group" aria-labelledby="presence-title">
    <h3 id="presence-title">${t('chat.presence', { count: users.length })}</h3>
    ${users.length
      ? html`<ul>
          ${users.map((u) => html`<li data-user=${u}><span class="dot" aria-hidden="true"></span>${u}${u === selfId ? html` <span class="muted">(${t('chat.you')})</span>` : nothing}</li>`)}
        </ul>`
      : html`<p class="muted">${t('chat.presenceEmpty')}</p>`}
  </div>`;
}

/** What the composer calls back. */
export interface ComposerHandlers {
  keydown(e: KeyboardEvent): void;
  input(): void;
  submit(e: Event): void;
}

/** The form: a labelled textarea (`#input`) and the send button. */
export function renderComposer(maxLength: number, t: Translate, on: ComposerHandlers) {
  return html`<form part="composer" class="composer" @submit=${on.submit}>
    <label for="input" class="visually-hidden">${t('chat.composer')}</label>
    <textarea
      id="input"
      part="input"
      rows="1"
      maxlength=${maxLength}
      placeholder=${t('chat.placeholder')}
      enterkeyhint="send"
      @keydown=${on.keydown}
      @input=${on.input}
    ></textarea>
    <button part="button primary send" type="submit">${t('chat.send')}</button>
  </form>`;
}
