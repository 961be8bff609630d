/**
 * Keeps the call's page status (the seed's VideoChatPageStatus) in step with the page: picture in
 * picture (video element PiP), fullscreen (Fullscreen API), minimized (the document is hidden) or
 * normal, and offers the requests that change it. Browsers require a user gesture for fullscreen and
 * picture in picture, so the requests belong in click handlers.
 */
import { PageStatus } from './call-types.ts';
import type { CallStateManager } from './call-state-manager.ts';

/** The parts of `Document` the tracker reads (a seam: tests can pass a document whose visibility they control). */
export type PageDocument = Pick<Document, 'addEventListener' | 'removeEventListener' | 'hidden' | 'fullscreenElement' | 'pictureInPictureElement'> & {
  exitFullscreen?: () => Promise<void>;
  exitPictureInPicture?: () => Promise<void>;
};

/** Where the page is, from the document's own state; picture in picture wins over the rest. */
export function pageStatusOf(doc: PageDocument): PageStatus {
  if (doc.pictureInPictureElement) return PageStatus.PictureInPicture;
  if (doc.fullscreenElement) return PageStatus.Fullscreen;
  if (doc.hidden) return PageStatus.Minimized;
  return PageStatus.Normal;
}

const EVENTS = ['fullscreenchange', 'visibilitychange', 'enterpictureinpicture', 'leavepictureinpicture'] as const;

/** Mirrors the page into `state.pageStatus` while attached. */
export class PageStatusTracker {
  readonly #state: CallStateManager;
  readonly #doc: PageDocument;
  #detach: (() => void) | null = null;

  constructor(state: CallStateManager, options: { document?: PageDocument } = {}) {
    this.#state = state;
    this.#doc = options.document ?? document;
  }

  /** Starts following the page (idempotent); returns the detach function. */
  attach(): () => void {
    if (this.#detach) return this.#detach;
    const update = () => this.#state.setPageStatus(pageStatusOf(this.#doc));
    // PiP events fire at the video element; listening in the capture phase catches them anywhere.
    for (const type of EVENTS) this.#doc.addEventListener(type, update, true);
    update();
    this.#detach = () => {
      for (const type of EVENTS) this.#doc.removeEventListener(type, update, true);
      this.#detach = null;
    };
    return this.#detach;
  }

  detach(): void {
    this.#detach?.();
  }

  /** Shows `element` fullscreen (needs a user gesture). */
  async enterFullscreen(element: Element): Promise<void> {
    await element.requestFullscreen();
  }

  /** Shows `video` in a picture-in-picture window (needs a user gesture). */
  async enterPictureInPicture(video: HTMLVideoElement): Promise<void> {
    await video.requestPictureInPicture();
  }

  /** Back to the normal view from fullscreen or picture in picture. */
  async exit(): Promise<void> {
    if (this.#doc.pictureInPictureElement) await this.#doc.exitPictureInPicture?.();
    if (this.#doc.fullscreenElement) await this.#doc.exitFullscreen?.();
  }
}
