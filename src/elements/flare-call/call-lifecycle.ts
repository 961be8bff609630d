/**
 * What <flare-call> keeps in step with the call it renders while wired to it: the page status
 * tracker (visibility, full screen), picture-in-picture events of its own videos, the in-call clock
 * that re-renders every second, and the element events `flare-call-incoming` and
 * `flare-call-status`. The element wires it to each CallController it renders and unwires it when
 * the controller changes or the element leaves the page.
 */
import type { CallController } from '../../sdk/call/call-controller.ts';
import type { CallTransition } from '../../sdk/call/call-state-manager.ts';
import { CallStatus } from '../../sdk/call/call-types.ts';
import { pageStatusOf, PageStatusTracker } from '../../sdk/call/page-status.ts';

/** The element side: where events go and what to do when a call ends. */
export interface CallLifecycleHost {
  renderRoot(): HTMLElement | DocumentFragment;
  dispatchEvent(event: Event): boolean;
  requestUpdate(): void;
  /** The call ended or failed (close panels, leave compact or picture-in-picture modes). */
  callEnded(): void;
}

const PIP_EVENTS = ['enterpictureinpicture', 'leavepictureinpicture'] as const;

export class CallLifecycle {
  readonly #host: CallLifecycleHost;
  #off: Array<() => void> = [];
  #inCallSince = 0;
  #clock: ReturnType<typeof setInterval> | null = null;

  constructor(host: CallLifecycleHost) {
    this.#host = host;
  }

  /** Whether it is wired to a call. */
  get wired(): boolean {
    return this.#off.length > 0;
  }

  /** Starts following `call` (no-op when already wired). */
  wire(call: CallController): void {
    if (this.wired) return;
    const host = this.#host;
    const tracker = new PageStatusTracker(call.state);
    // Picture-in-picture events are not composed: the document never sees those of our shadow videos.
    const pip = () => call.state.setPageStatus(pageStatusOf(document));
    for (const type of PIP_EVENTS) host.renderRoot().addEventListener(type, pip, true);
    this.#off.push(
      () => {
        for (const type of PIP_EVENTS) host.renderRoot().removeEventListener(type, pip, true);
      },
      tracker.attach(),
      call.state.onTransition((t) => this.#onTransition(t)),
      call.signalling.on('incoming', (c) =>
        host.dispatchEvent(new CustomEvent('flare-call-incoming', { detail: { peer: c.peerId, callId: c.callId, media: c.media }, bubbles: true, composed: true })),
      ),
    );
  }

  /** Stops following the call. */
  unwire(): void {
    for (const off of this.#off.splice(0)) off();
    this.#stopClock();
  }

  /** Time in the current call, `mm:ss` (`h:mm:ss` past an hour). */
  duration(): string {
    const s = Math.max(0, Math.floor((Date.now() - this.#inCallSince) / 1000));
    const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
  }

  #onTransition(t: CallTransition): void {
    if (t.to === CallStatus.InCall && (t.from === CallStatus.Calling || t.from === CallStatus.Ringing)) {
      this.#inCallSince = Date.now();
      this.#clock ??= setInterval(() => this.#host.requestUpdate(), 1000);
    }
    if (t.to === CallStatus.Ended || t.to === CallStatus.Failed) {
      this.#stopClock();
      this.#host.callEnded();
    }
    this.#host.dispatchEvent(new CustomEvent('flare-call-status', { detail: t, bubbles: true, composed: true }));
  }

  #stopClock(): void {
    if (this.#clock) clearInterval(this.#clock);
    this.#clock = null;
  }
}
