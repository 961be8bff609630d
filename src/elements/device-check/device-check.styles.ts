import { css } from 'lit';

/**
 * Styles of <device-check>. Every colour and size is a custom property on :host with a default, so a
 * page themes the element without ::part; parts are there for structural changes.
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
    --flare-focus: 0 0 0 3px color-mix(in srgb, var(--flare-accent) 45%, transparent);
    --flare-meter-fill: var(--flare-ok);
    --flare-preview-bg: #0b0d10;

    display: block;
    box-sizing: border-box;
    max-width: 36rem;
    color: var(--flare-fg);
    font-family: var(--flare-font);
    font-size: 0.95rem;
    line-height: 1.45;
  }

  :host([hidden]) {
    display: none;
  }

  :host([theme='dark']) {
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
  }

  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
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
    }
  }

  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }

  [part~='base'] {
    display: grid;
    gap: var(--flare-gap);
    padding: calc(var(--flare-gap) * 1.5);
    background: var(--flare-bg);
    border: 1px solid var(--flare-border);
    border-radius: var(--flare-radius);
  }

  h2 {
    margin: 0;
    font-size: 1.15rem;
  }

  p {
    margin: 0;
  }

  .muted {
    color: var(--flare-muted);
  }

  [part~='preview'] {
    position: relative;
    aspect-ratio: 16 / 9;
    background: var(--flare-preview-bg);
    border-radius: calc(var(--flare-radius) - 2px);
    overflow: hidden;
    display: grid;
    place-items: center;
    color: #c9d1d9;
  }

  video {
    width: 100%;
    height: 100%;
    object-fit: cover;
    transform: scaleX(-1); /* a mirror, as people expect to see themselves */
  }

  .row {
    display: grid;
    gap: 0.35rem;
  }

  label {
    font-weight: 600;
  }

  select,
  button {
    font: inherit;
    color: inherit;
    border-radius: calc(var(--flare-radius) - 4px);
  }

  select {
    width: 100%;
    padding: 0.45rem 0.5rem;
    background: var(--flare-surface);
    border: 1px solid var(--flare-border);
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

  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }

  select:focus-visible,
  button:focus-visible {
    outline: none;
    box-shadow: var(--flare-focus);
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }

  [part~='meter'] {
    height: 0.6rem;
    background: var(--flare-surface);
    border: 1px solid var(--flare-border);
    border-radius: 999px;
    overflow: hidden;
  }

  [part~='meter-fill'] {
    height: 100%;
    background: var(--flare-meter-fill);
    transition: width 60ms linear;
  }

  [part~='guidance'] {
    padding: 0.6rem 0.75rem;
    border-left: 4px solid var(--flare-error);
    background: color-mix(in srgb, var(--flare-error) 10%, var(--flare-bg));
    border-radius: 4px;
  }

  [part~='verdict'] {
    font-weight: 600;
    padding: 0.6rem 0.75rem;
    border-radius: 6px;
    background: var(--flare-surface);
  }

  [part~='verdict'][data-verdict='ready'] {
    color: var(--flare-ok);
  }

  [part~='verdict'][data-verdict='limited'] {
    color: var(--flare-warn);
  }

  [part~='verdict'][data-verdict='blocked'] {
    color: var(--flare-error);
  }

  progress {
    width: 100%;
  }

  @media (prefers-reduced-motion: reduce) {
    [part~='meter-fill'] {
      transition: none;
    }
  }
`;
