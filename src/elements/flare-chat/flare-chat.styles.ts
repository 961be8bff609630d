import { css } from 'lit';

/** Layout of <flare-chat>; colours come from the shared tokens (theme.styles.ts). */
export default css`
  :host {
    --flare-own-bubble: var(--flare-accent);
    --flare-own-bubble-fg: var(--flare-accent-fg);
    --flare-other-bubble: var(--flare-surface);
    --flare-chat-height: 32rem;
    display: block;
    height: var(--flare-chat-height);
    container-type: inline-size;
  }

  .base {
    display: flex;
    flex-direction: column;
    height: 100%;
    background: var(--flare-bg);
    border: 1px solid var(--flare-border);
    border-radius: var(--flare-radius);
    overflow: hidden;
  }

  .header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--flare-gap);
    padding: 0.6rem 0.9rem;
    border-bottom: 1px solid var(--flare-border);
  }

  h2 {
    margin: 0;
    font-size: 1.05rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  h3 {
    margin: 0 0 0.4rem;
    font-size: 0.85rem;
    color: var(--flare-muted);
    font-weight: 600;
  }

  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.2rem;
    padding: 0.15rem 0.55rem;
    border: 1px solid var(--flare-border);
    border-radius: 999px;
    font-size: 0.8rem;
    white-space: nowrap;
    background: var(--flare-surface);
  }

  .dot {
    display: inline-block;
    width: 0.55rem;
    height: 0.55rem;
    margin-right: 0.3rem;
    border-radius: 50%;
    background: var(--flare-ok);
  }

  .badge[data-status='connecting'] .dot,
  .badge[data-status='reconnecting'] .dot {
    background: var(--flare-warn);
  }

  .badge[data-status='disconnected'] .dot,
  .badge[data-status='failed'] .dot,
  .badge[data-status='kicked'] .dot {
    background: var(--flare-error);
  }

  .banner {
    display: flex;
    align-items: center;
    gap: var(--flare-gap);
    justify-content: space-between;
    padding: 0.5rem 0.9rem;
    background: color-mix(in srgb, var(--flare-warn) 14%, var(--flare-bg));
    border-bottom: 1px solid var(--flare-border);
  }

  .banner[data-status='failed'],
  .banner[data-status='kicked'] {
    background: color-mix(in srgb, var(--flare-error) 12%, var(--flare-bg));
  }

  .body {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: 1fr;
  }

  @container (min-width: 40rem) {
    .body {
      grid-template-columns: 1fr 12rem;
    }
  }

  .main {
    position: relative;
    display: flex;
    flex-direction: column;
    min-height: 0;
    min-width: 0;
  }

  .scroller {
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    overflow-anchor: none;
    padding: 0.5rem 0.9rem;
    overscroll-behavior: contain;
  }

  .history-edge {
    margin: 0 0 0.5rem;
    text-align: center;
    font-size: 0.8rem;
    min-height: 1.2em;
  }

  .empty {
    margin: 1rem;
    text-align: center;
  }

  .vrow {
    display: flow-root;
    padding-top: 0.5rem;
  }

  .message {
    display: grid;
    justify-items: start;
    max-width: min(36rem, 85%);
  }

  .message.own {
    margin-left: auto;
    justify-items: end;
  }

  .message.grouped {
    margin-top: -0.3rem;
  }

  .author {
    font-size: 0.8rem;
    font-weight: 600;
    color: var(--flare-muted);
  }

  .bubble {
    padding: 0.4rem 0.7rem;
    border-radius: calc(var(--flare-radius) + 2px);
    background: var(--flare-other-bubble);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }

  .own .bubble {
    background: var(--flare-own-bubble);
    color: var(--flare-own-bubble-fg);
  }

  .bubble a {
    color: inherit;
    text-decoration: underline;
  }

  .meta.small {
    display: flex;
    gap: 0.4rem;
    align-items: center;
    font-size: 0.72rem;
    color: var(--flare-muted);
  }

  .delivery {
    display: inline-flex;
    gap: 0.3rem;
    align-items: center;
  }

  .delivery[data-state='acked'] {
    color: var(--flare-ok);
  }

  .delivery[data-state='failed'] {
    color: var(--flare-error);
    font-weight: 600;
  }

  .retry {
    padding: 0.05rem 0.5rem;
    font-size: 0.75rem;
  }

  .jump {
    position: absolute;
    right: 1rem;
    bottom: 5.2rem;
    border-radius: 999px;
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.18);
    background: var(--flare-bg);
  }

  .typing {
    min-height: 1.4em;
    padding: 0 0.9rem;
    font-size: 0.8rem;
    color: var(--flare-muted);
    font-style: italic;
  }

  .composer {
    display: flex;
    gap: 0.5rem;
    align-items: end;
    padding: 0.5rem 0.9rem 0.7rem;
    border-top: 1px solid var(--flare-border);
  }

  textarea {
    flex: 1;
    resize: none;
    min-height: 2.4rem;
    max-height: 9rem;
    field-sizing: content;
    padding: 0.45rem 0.6rem;
    background: var(--flare-surface);
    border: 1px solid var(--flare-border);
  }

  .presence {
    display: none;
    padding: 0.7rem 0.9rem;
    border-left: 1px solid var(--flare-border);
    overflow-y: auto;
    font-size: 0.88rem;
  }

  @container (min-width: 40rem) {
    .presence {
      display: block;
    }
  }

  .presence ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.3rem;
  }

  .presence li {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
`;
