import { css } from 'lit';

/**
 * Layout of <flare-call>: the frame, dial form, ringing panels, controls, device panel and the
 * minimized bar (the video stage is in stage.styles.ts). Colours come from the shared tokens (theme.styles.ts).
 */
export default css`
  :host {
    --flare-call-height: 26rem;
    --flare-call-ok: #22c55e;
    display: block;
    container-type: inline-size;
  }

  .base {
    display: flex;
    flex-direction: column;
    gap: var(--flare-gap);
    padding: var(--flare-gap);
    background: var(--flare-bg);
    border: 1px solid var(--flare-border);
    border-radius: var(--flare-radius);
  }

  :host(:fullscreen) .base {
    height: 100%;
    border-radius: 0;
  }

  .header {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: var(--flare-gap);
  }

  h2 {
    margin: 0;
    font-size: 1.05rem;
  }

  .status {
    color: var(--flare-muted);
    font-variant-numeric: tabular-nums;
  }

  p {
    margin: 0;
  }

  button {
    display: inline-flex;
    align-items: center;
    gap: 0.4rem;
  }

  .dial {
    display: grid;
    gap: 0.35rem;
  }

  label {
    font-weight: 600;
  }

  .dial-row {
    display: flex;
    gap: 0.5rem;
  }

  input,
  select {
    padding: 0.45rem 0.6rem;
    background: var(--flare-surface);
    border: 1px solid var(--flare-border);
  }

  input {
    flex: 1;
    min-width: 0;
  }

  .outcome {
    padding: 0.5rem 0.75rem;
    border-radius: 6px;
    background: var(--flare-surface);
  }

  .outcome[data-status='failed'] {
    color: var(--flare-error);
  }

  .ring {
    display: grid;
    justify-items: center;
    gap: 0.6rem;
    padding: 1.5rem 1rem;
    text-align: center;
  }

  .incoming-title {
    font-size: 1.1rem;
    font-weight: 600;
  }

  .actions {
    display: flex;
    gap: 0.75rem;
    flex-wrap: wrap;
    justify-content: center;
  }

  .avatar {
    display: grid;
    place-items: center;
    width: 4rem;
    height: 4rem;
    border-radius: 50%;
    background: color-mix(in srgb, var(--flare-accent) 25%, var(--flare-video-bg));
    color: #fff;
    font-size: 1.6rem;
    font-weight: 600;
  }

  .avatar.big {
    width: 5rem;
    height: 5rem;
    font-size: 2rem;
  }

  .pulse {
    animation: pulse 1.4s ease-in-out infinite;
  }

  @keyframes pulse {
    50% {
      box-shadow: 0 0 0 0.8rem color-mix(in srgb, var(--flare-accent) 20%, transparent);
    }
  }

  .controls {
    display: flex;
    justify-content: center;
    flex-wrap: wrap;
    gap: 0.5rem;
  }

  .control {
    padding: 0.55rem;
    border-radius: 50%;
  }

  .control[aria-pressed='true'] {
    background: var(--flare-fg);
    color: var(--flare-bg);
  }

  .control[data-control='hangup'] {
    padding-inline: 1rem;
    border-radius: 999px;
  }

  .device-panel {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.4rem 0.75rem;
    align-items: center;
    padding: 0.6rem;
    border: 1px solid var(--flare-border);
    border-radius: 8px;
    background: var(--flare-surface);
  }

  .icon {
    flex: none;
  }

  /* Minimized: a compact bar with the remote picture as a thumbnail. */
  :host([minimized]) .stage {
    height: 6rem;
  }

  :host([minimized]) .tile.local,
  :host([minimized]) .device-panel,
  :host([minimized]) .caption .name {
    display: none;
  }

  :host([minimized]) .base {
    display: grid;
    grid-template-columns: 8rem 1fr;
    align-items: center;
  }

  :host([minimized]) .header {
    grid-column: 1 / -1;
  }

  @media (prefers-reduced-motion: reduce) {
    .pulse,
    .spinner {
      animation: none;
    }
  }
`;
