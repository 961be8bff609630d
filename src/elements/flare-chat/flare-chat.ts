import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { SignalWatcher } from '@lit-labs/signals';
import type { FlareClient } from '../../sdk/client.ts';
import { LocalizeController, registerMessages, type Messages } from '../i18n.ts';
import { createClientFromAttributes } from '../client-factory.ts';
import themeStyles from '../theme.styles.ts';
import styles from './flare-chat.styles.ts';
import { chatMessages } from './chat-messages.ts';
import type { ChatMessage, ChatSource } from './chat-source.ts';
import { chatSourceFromClient } from './client-chat-source.ts';
import { renderMessage } from './message-view.ts';
import { renderBadge, renderBanner, renderComposer, renderPresence, typingText, type ComposerHandlers } from './chat-parts.ts';
import { TypingController } from './typing-controller.ts';
import { VirtualList } from './virtual-list.ts';

registerMessages('en', chatMessages.en);
registerMessages('zh-CN', chatMessages['zh-CN']);

/** `detail` of `flare-chat-send`. */
export interface ChatSendDetail {
  text: string;
}

/**
 * @summary A chat room: windowed message list, composer, delivery states, history, presence, typing,
 *   connection badge and reconnect banner.
 *
 * @event flare-chat-send - The user asked to send `detail.text`. Cancel it to send it some other way.
 * @event flare-chat-retry - The user asked to resend the failed message `detail.id`. Cancellable.
 * @event flare-chat-link-open - The user activated a link (`detail.href`, `detail.messageId`).
 *   Cancel it to keep the browser from opening the link.
 * @event flare-chat-message - A message from someone else arrived (`detail` is the ChatMessage).
 *
 * @slot header - Replaces the heading.
 * @slot empty - Shown while the room has no messages.
 *
 * @csspart base - The frame around everything.
 * @csspart header - Heading row; `title` is the heading, `badge` the connection badge.
 * @csspart banner - The reconnect banner.
 * @csspart messages - The scrolling message list (role=log).
 * @csspart message - Each message; `message-own` marks the user's own; `bubble`, `author`, `link`,
 *   `delivery` (and `delivery-queued|sent|acked|failed`) are inside it.
 * @csspart typing - The typing indicator.
 * @csspart composer - The form; `input` is the textarea, `send` the send button.
 * @csspart presence - The presence list.
 * @csspart button - Every button; `primary` marks Send, `retry` the retry buttons.
 *
 * @cssproperty --flare-bg - Background. (All tokens of <device-check> apply: --flare-fg, --flare-muted,
 *   --flare-border, --flare-surface, --flare-accent, --flare-accent-fg, --flare-ok, --flare-warn,
 *   --flare-error, --flare-radius, --flare-font.)
 * @cssproperty --flare-own-bubble - Background of own messages (default: accent).
 * @cssproperty --flare-other-bubble - Background of others' messages (default: surface).
 * @cssproperty --flare-chat-height - Height of the element (default 32rem).
 */
export class FlareChat extends SignalWatcher(LitElement) {
  static override styles = [themeStyles, styles];

  /** Reference server URL, for script-tag use (a client is made when the SDK is loaded). */
  @property({ attribute: 'server-url' }) serverUrl = '';
  /** Room name. */
  @property() room = '';
  /** User id for the connection made from `server-url`. */
  @property() user = '';
  /** Auth token for the connection made from `server-url`. */
  @property() token = '';
  /** Heading (default: the room name). */
  @property() label = '';
  /** An existing FlareClient (npm use); takes precedence over `server-url`. */
  @property({ attribute: false }) client: FlareClient | null = null;
  /** A ChatSource to render directly; takes precedence over `client`. */
  @property({ attribute: false }) source: ChatSource | null = null;
  /** `light`, `dark`, or absent to follow the system. */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined;
  /** Longest message the composer accepts. */
  @property({ type: Number, attribute: 'max-length' }) maxLength = 4000;
  /** Overrides of any message (keys in chat-messages.ts). */
  @property({ attribute: false }) strings: Partial<Messages> = {};

  @state() private loadingOlder = false;
  @state() private unseen = 0;
  /** The last message of someone else, for the screen-reader announcement. */
  @state() private announcement = '';
  @state() private atBottom = true;
  @state() private ownSource: ChatSource | null = null;

  @query('#input') private input!: HTMLTextAreaElement;
  @query('.scroller') private scroller!: HTMLElement;

  readonly #i18n = new LocalizeController(this);
  readonly #list = new VirtualList<ChatMessage>(this, {
    key: (m) => m.id,
    estimate: 58,
    onNearTop: () => void this.loadOlder(),
    onBottomChange: (atBottom) => {
      this.atBottom = atBottom;
      if (atBottom) this.unseen = 0;
    },
  });
  /** Id of the last message seen (null: the room was empty; undefined: nothing rendered yet). */
  #seenLast: string | null | undefined = undefined;
  readonly #typing = new TypingController(this, () => this.chat);
  readonly #composerHandlers: ComposerHandlers = {
    keydown: (e) => this.#onKeyDown(e),
    input: () => this.#typing.input(this.input.value),
    submit: (e) => this.#submit(e),
  };
  #needsSetup = true;
  /** The client made from the attributes (closed with the element). */
  #ownClient: unknown = null;

  /** The source being rendered (the `source` property, or one made from `client` / `server-url`). */
  get chat(): ChatSource | null {
    return this.source ?? this.ownSource;
  }

  /** The message list's controller (which rows are in the DOM, whether the view follows the bottom). */
  get list(): VirtualList<ChatMessage> {
    return this.#list;
  }

  /** Sends `text` as if typed (fires the cancellable `flare-chat-send`); returns the message id or null. */
  send(text: string): string | null {
    const chat = this.chat;
    const trimmed = text.trim();
    if (!chat || !trimmed) return null;
    const event = new CustomEvent<ChatSendDetail>('flare-chat-send', { detail: { text: trimmed }, bubbles: true, composed: true, cancelable: true });
    if (!this.dispatchEvent(event)) return null;
    const { id } = chat.send(trimmed);
    this.#typing.stop();
    this.#list.scrollToBottom();
    return id;
  }

  /** Loads older messages when there are some and no load is running. */
  async loadOlder(): Promise<void> {
    const chat = this.chat;
    if (!chat || this.loadingOlder || !chat.hasMore.get()) return;
    this.loadingOlder = true;
    try {
      await chat.loadOlder();
    } finally {
      this.loadingOlder = false;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#needsSetup = true;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#dropOwnSource();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const inputs = ['serverUrl', 'room', 'user', 'token', 'client', 'source'] as const;
    if (this.isConnected && (this.#needsSetup || inputs.some((k) => changed.has(k)))) {
      this.#needsSetup = false;
      this.#dropOwnSource();
      this.#makeOwnSource();
      this.#seenLast = undefined;
    }
    const messages = this.chat?.messages.get() ?? [];
    this.#announceIncoming(messages);
    this.#list.setItems(messages);
  }

  protected override updated(): void {
    // The scroller exists only while there is a chat; it may come later than the first render.
    if (this.scroller) this.#list.attach(this.scroller);
  }

  #makeOwnSource(): void {
    if (this.source || !this.room) return;
    let client: unknown = this.client;
    if (!client && this.serverUrl) client = this.#ownClient = createClientFromAttributes({ serverUrl: this.serverUrl, user: this.user, token: this.token });
    if (client) this.ownSource = chatSourceFromClient(client, { room: this.room, user: this.user });
  }

  #dropOwnSource(): void {
    this.ownSource?.dispose?.();
    this.ownSource = null;
    // A client made from the attributes goes with the element (closing it leaves the room).
    void (this.#ownClient as { close?: () => Promise<void> } | null)?.close?.().catch(() => {});
    this.#ownClient = null;
  }

  /** Fires `flare-chat-message` for new messages of others at the end, and counts them while scrolled up. */
  #announceIncoming(messages: readonly ChatMessage[]): void {
    const last = messages.at(-1)?.id ?? null;
    if (last === this.#seenLast) return;
    const seen = this.#seenLast;
    this.#seenLast = last;
    if (seen === undefined) return; // the first render: history, not news
    const from = seen === null ? 0 : messages.findLastIndex((m) => m.id === seen) + 1;
    if (seen !== null && from === 0) return; // the previous last message is gone: nothing is known to be new
    const self = this.chat?.selfId;
    for (const message of messages.slice(from)) {
      if (message.from === self || message.history) continue;
      if (!this.atBottom) this.unseen += 1;
      this.announcement = `${message.from}: ${message.text}`;
      this.dispatchEvent(new CustomEvent('flare-chat-message', { detail: message, bubbles: true, composed: true }));
    }
  }

  #onKeyDown(e: KeyboardEvent): void {
    // Enter while an input method is composing (Chinese, Japanese…) confirms the composition.
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    this.#submit();
  }

  #submit(e?: Event): void {
    e?.preventDefault();
    const input = this.input;
    if (this.send(input.value) !== null) input.value = '';
  }

  #retry(message: ChatMessage): void {
    const event = new CustomEvent('flare-chat-retry', { detail: { id: message.id }, bubbles: true, composed: true, cancelable: true });
    if (this.dispatchEvent(event)) this.chat?.retry(message.id);
  }

  #openLink(href: string, message: ChatMessage): boolean {
    const event = new CustomEvent('flare-chat-link-open', { detail: { href, messageId: message.id }, bubbles: true, composed: true, cancelable: true });
    return this.dispatchEvent(event);
  }

  protected override render() {
    const t = this.#i18n.t.bind(this.#i18n);
    const chat = this.chat;
    return html`<section part="base" class="base" aria-labelledby="title" lang=${this.#i18n.locale}>
      <header part="header" class="header">
        <slot name="header"><h2 id="title" part="title">${this.label || this.room || t('chat.title')}</h2></slot>
        ${chat ? renderBadge(chat, t) : nothing}
      </header>
      ${chat ? renderBanner(chat, t) : nothing}
      ${chat ? this.#renderBody(chat) : html`<p class="muted empty">${t('chat.noRoom')}</p>`}
    </section>`;
  }

  #renderBody(chat: ChatSource) {
    const t = this.#i18n.t.bind(this.#i18n);
    const messages = chat.messages.get();
    const hasMore = chat.hasMore.get();
    const ctx = {
      selfId: chat.selfId,
      locale: this.#i18n.locale,
      t,
      position: 0,
      setSize: hasMore ? -1 : messages.length,
      retry: (m: ChatMessage) => this.#retry(m),
      openLink: (href: string, m: ChatMessage) => this.#openLink(href, m),
    };
    return html`<div class="body">
      <div class="main">
        <!-- Windowing adds and removes rows while the reader scrolls: the log itself stays quiet and new
             messages are announced through the status line below instead. -->
        <div part="messages" class="scroller" role="log" aria-live="off" aria-label=${t('chat.messages')} tabindex="0" aria-busy=${this.loadingOlder ? 'true' : 'false'}>
          <p class="history-edge muted">${this.loadingOlder ? t('chat.loadingOlder') : hasMore ? '' : messages.length ? t('chat.historyStart') : nothing}</p>
          ${messages.length === 0 ? html`<slot name="empty"><p class="muted empty">${t('chat.empty')}</p></slot>` : nothing}
          ${this.#list.render((m, i) => renderMessage(m, messages[i - 1], { ...ctx, position: i + 1 }))}
        </div>
        ${this.atBottom
          ? nothing
          : html`<button part="button jump" class="jump" @click=${() => this.#list.scrollToBottom()}>
              ${this.unseen ? t('chat.newMessages', { count: this.unseen }) : t('chat.jumpLatest')} ↓
            </button>`}
        <div part="typing" class="typing" aria-live="polite">${typingText(chat.typing.get(), t)}</div>
        <div class="visually-hidden" role="status">${this.announcement}</div>
        ${renderComposer(this.maxLength, t, this.#composerHandlers)}
      </div>
      ${renderPresence(chat.presence.get(), chat.selfId, t)}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'flare-chat': FlareChat;
  }
  interface GlobalEventHandlersEventMap {
    'flare-chat-send': CustomEvent<ChatSendDetail>;
    'flare-chat-retry': CustomEvent<{ id: string }>;
    'flare-chat-link-open': CustomEvent<{ href: string; messageId: string }>;
    'flare-chat-message': CustomEvent<ChatMessage>;
  }
}
