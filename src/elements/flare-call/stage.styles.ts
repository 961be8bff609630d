import { css } from 'lit';

/**
 * The video stage of <flare-call> (video-tile.ts): remote and local tiles, captions, the network
 * quality bars and the reconnecting overlay. Colours come from the shared tokens (theme.styles.ts).
 */
export default css`
  .stage {
    position: relative;
    display: grid;
    height: var(--flare-call-height);
    background: var(--flare-video-bg);
    border-radius: calc(var(--flare-radius) - 2px);
    overflow: hidden;
  }

  :host(:fullscreen) .stage {
    flex: 1;
    height: auto;
  }

  .tile {
    position: relative;
    margin: 0;
    display: grid;
    place-items: center;
    min-height: 0;
    overflow: hidden;
    background: var(--flare-video-bg);
  }

  .tile video {
    width: 100%;
    height: 100%;
    object-fit: cover;
  }

  .tile video.hidden {
    display: none;
  }

  .tile.local {
    position: absolute;
    right: 0.75rem;
    bottom: 0.75rem;
    width: clamp(7rem, 26%, 14rem);
    aspect-ratio: 4 / 3;
    border: 2px solid rgb(255 255 255 / 0.7);
    border-radius: 8px;
    z-index: 1;
  }

  .stage[data-count='0'] .tile.local {
    position: relative;
    inset: auto;
    width: 100%;
    aspect-ratio: auto;
    border: 0;
  }

  .tile.local video {
    transform: scaleX(-1);
  }

  .caption {
    position: absolute;
    left: 0.5rem;
    bottom: 0.5rem;
    display: flex;
    align-items: center;
    gap: 0.4rem;
    padding: 0.15rem 0.5rem;
    border-radius: 6px;
    background: rgb(0 0 0 / 0.6);
    color: #fff;
    font-size: 0.8rem;
  }

  .quality {
    display: inline-flex;
    align-items: flex-end;
    gap: 2px;
    height: 0.9rem;
  }

  .bar {
    width: 3px;
    background: rgb(255 255 255 / 0.35);
    border-radius: 1px;
  }

  .bar.b1 { height: 20%; }
  .bar.b2 { height: 40%; }
  .bar.b3 { height: 60%; }
  .bar.b4 { height: 80%; }
  .bar.b5 { height: 100%; }

  .bar.on {
    background: var(--flare-call-ok);
  }

  .quality[data-level='3'] .bar.on,
  .quality[data-level='4'] .bar.on {
    background: #facc15;
  }

  .quality[data-level='5'] .bar.on {
    background: #f87171;
  }

  .overlay {
    position: absolute;
    inset: 0;
    display: grid;
    place-content: center;
    justify-items: center;
    gap: 0.6rem;
    background: rgb(0 0 0 / 0.55);
    color: #fff;
    font-weight: 600;
  }

  .spinner {
    width: 1.8rem;
    height: 1.8rem;
    border: 3px solid rgb(255 255 255 / 0.3);
    border-top-color: #fff;
    border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }

  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
`;
