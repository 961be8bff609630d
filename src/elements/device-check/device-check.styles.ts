import { css } from 'lit';

/**
 * Styles of <device-check> itself; the design tokens (light and dark), buttons, focus ring and helper
 * classes come from ../theme.styles.ts, shared with <flare-chat> and <flare-call>.
 */
export default css`
  :host {
    --flare-meter-fill: var(--flare-ok);
    --flare-preview-bg: var(--flare-video-bg);

    display: block;
    max-width: 36rem;
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

  select {
    width: 100%;
    padding: 0.45rem 0.5rem;
    background: var(--flare-surface);
    border: 1px solid var(--flare-border);
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
