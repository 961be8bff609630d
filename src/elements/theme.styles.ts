import { css } from 'lit';

/** The dark colours: one list for `theme="dark"` and for the system's dark preference. */
const dark = css`
  --flare-bg: #15181c;
  --flare-fg: #e8ebef;
  --flare-muted: #9aa4b0;
  --flare-border: #2f353d;
  --flare-surface: #1e2227;
  --flare-accent: #5b8def;
  --flare-accent-fg: #0b1220;
  --flare-ok: #4ade80;
  --flare-warn: #fbbf24;
  --flare-error: #f87171;
  --flare-danger: #ef4444;
  --flare-danger-fg: #0b0d10;
`;

/**
 * The design tokens shared by <device-check>, <flare-chat> and <flare-call>: every colour and size is a custom property on :host with a default, light and dark
 * (`theme="dark"`, or the system preference unless `theme="light"`), so a page themes the elements
 * without ::part; parts are there for structural changes.
 */
export default css`
  :host {
    --flare-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'PingFang SC', 'Microsoft YaHei', sans-serif;
    --flare-radius: 10px;
    --flare-gap: 0.75rem;
    --flare-bg: #ffffff;
    --flare-fg: #1b1f24;
    --flare-muted: #5b6470;
    --flare-border: #d5dae0;
    --flare-surface: #f4f6f8;
    --flare-accent: #2563eb;
    --flare-accent-fg: #ffffff;
    --flare-ok: #15803d;
    --flare-warn: #b45309;
    --flare-error: #b91c1c;
    --flare-danger: #c81e1e;
    --flare-danger-fg: #ffffff;
    --flare-focus: 0 0 0 3px color-mix(in srgb, var(--flare-accent) 45%, transparent);
    --flare-video-bg: #0b0d10;

    box-sizing: border-box;
    color: var(--flare-fg);
    font-family: var(--flare-font);
    font-size: 0.95rem;
    line-height: 1.45;
  }

  :host([hidden]) {
    display: none !important;
  }

  :host([theme='dark']) {
    ${dark}
  }

  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }

  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }

  button,
  select,
  textarea,
  input {
    font: inherit;
    color: inherit;
    border-radius: calc(var(--flare-radius) - 4px);
  }

  button {
    padding: 0.45rem 0.9rem;
    background: var(--flare-surface);
    border: 1px solid var(--flare-border);
    cursor: pointer;
  }

  button[part~='primary'] {
    background: var(--flare-accent);
    border-color: var(--flare-accent);
    color: var(--flare-accent-fg);
  }

  button[part~='danger'] {
    background: var(--flare-danger);
    border-color: var(--flare-danger);
    color: var(--flare-danger-fg);
  }

  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }

  :focus-visible {
    outline: none;
    box-shadow: var(--flare-focus);
  }

  .muted {
    color: var(--flare-muted);
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
