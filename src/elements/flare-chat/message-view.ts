/**
 * One chat message as a template: author (skipped when the previous message is by the same person
 * within a few minutes), time, the untrusted text as text nodes with only http(s) links made clickable
 * (linkify.ts), and for own messages the delivery state with a retry button when it failed.
 */
import { html, nothing } from 'lit';
import type { ChatMessage, DeliveryState } from './chat-source.ts';
import { linkify } from './linkify.ts';

/** What a message row needs from the element. */
export interface MessageViewContext {
  selfId: string;
  locale: string;
  t(key: string, params?: Record<string, string | number>): string;
  /** Position in the whole conversation (for aria-posinset), 1-based, and the total when known (else -1). */
  position: number;
  setSize: number;
  retry(message: ChatMessage): void;
  /** A link was activated; return false to keep the browser from following it. */
  openLink(href: string, message: ChatMessage): boolean;
}

/** Messages closer than this by the same author form one group (author shown once). */
const GROUP_GAP_MS = 5 * 60_000;

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function formatTime(locale: string, at: number): string {
  let format = timeFormats.get(locale);
  if (!format) timeFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' })));
  return format.format(at);
}

/** Whether `message` continues the group of `previous`. */
export function continuesGroup(previous: ChatMessage | undefined, message: ChatMessage): boolean {
  return !!previous && previous.from === message.from && message.at - previous.at < GROUP_GAP_MS;
}

const DELIVERY_MARK: Record<DeliveryState, string> = { queued: '◷', sent: '✓', acked: '✓✓', failed: '!' };

function renderText(message: ChatMessage, ctx: MessageViewContext) {
  return linkify(message.text).map((segment) => {
    if (segment.kind === 'text') return segment.text;
    const host = new URL(segment.href).host;
    return html`<a
      part="link"
      href=${segment.href}
      target="_blank"
      rel="noopener noreferrer nofollow"
      title=${ctx.t('chat.linkTitle', { host })}
      @click=${(e: Event) => {
        if (!ctx.openLink(segment.href, message)) e.preventDefault();
      }}
      >${segment.text}</a
    >`;
  });
}

function renderDelivery(message: ChatMessage, ctx: MessageViewContext) {
  const state = message.delivery?.get();
  if (!state) return nothing;
  const label = ctx.t(`chat.delivery.${state}`);
  const error = state === 'failed' ? message.error?.get() : null;
  return html`<span part="delivery delivery-${state}" class="delivery" data-state=${state}>
    <span aria-hidden="true">${DELIVERY_MARK[state]}</span><span class=${state === 'failed' ? '' : 'visually-hidden'}>${label}</span>
    ${error ? html`<span class="muted">(${error})</span>` : nothing}
    ${state === 'failed' ? html`<button part="button retry" class="retry" @click=${() => ctx.retry(message)}>${ctx.t('chat.retry')}</button>` : nothing}
  </span>`;
}

/** The row of `message`; `previous` is the message before it, for grouping. */
export function renderMessage(message: ChatMessage, previous: ChatMessage | undefined, ctx: MessageViewContext) {
  const own = message.from === ctx.selfId;
  const grouped = continuesGroup(previous, message);
  const author = own ? ctx.t('chat.you') : message.from;
  const time = formatTime(ctx.locale, message.at);
  return html`<article
    part="message${own ? ' message-own' : ''}"
    class="message ${own ? 'own' : 'other'} ${grouped ? 'grouped' : ''}"
    aria-posinset=${ctx.position}
    aria-setsize=${ctx.setSize}
    aria-label=${`${author}, ${time}`}
    data-id=${message.id}
  >
    ${grouped ? nothing : html`<header class="meta"><span part="author" class="author">${author}</span></header>`}
    <div part="bubble" class="bubble"><span class="text">${renderText(message, ctx)}</span></div>
    <footer class="meta small"><time datetime=${new Date(message.at).toISOString()}>${time}</time>${own ? renderDelivery(message, ctx) : nothing}</footer>
  </article>`;
}
