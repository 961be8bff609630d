import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { property } from 'lit/decorators.js';
import { computed, signal, SignalWatcher, watch } from '@lit-labs/signals';
import type { DeviceHealthStatus } from '../../sdk/call/call-types.ts';
import type { MediaDevicesLike } from '../../sdk/call/rtc-engine.ts';
import { DeviceCheckSession, type DeviceCheckSessionOptions } from '../../sdk/device/device-check-session.ts';
import { DeviceHealth, type DeviceAccess } from '../../sdk/device/device-health.ts';
import type { NetworkProbe } from '../../sdk/device/network-test.ts';
import { createClientFromAttributes } from '../client-factory.ts';
import { LocalizeController, type Messages } from '../i18n.ts';
import themeStyles from '../theme.styles.ts';
import styles from './device-check.styles.ts';

/** What <device-check> needs from a Flare client (the SDK's FlareClient satisfies it). */
export interface DeviceCheckClient {
  /** A probe over the client's connection, or null while it is not connected. */
  networkProbe?(): NetworkProbe | null | Promise<NetworkProbe | null>;
  /** Ends the connection; called only on a client the element made from its attributes. */
  close?(): unknown;
}

/** Network test phases after which the connection is no longer needed. */
const NETWORK_DONE = new Set(['measured', 'failed', 'skipped']);

/**
 * @summary Pre-call check of camera, microphone, speakers and network, ending in a verdict.
 *
 * @event flare-device-check-complete - The person pressed Continue. `detail` is the DeviceHealthStatus
 *   (the seed's `{audio, video, network}` plus failures, measured network figures and chosen devices);
 *   the chosen devices are remembered for the call. Cancel it to keep the preview running.
 *
 * @slot intro - Replaces the introduction text shown before the check starts.
 *
 * @csspart base - The card around everything.
 * @csspart title - The heading.
 * @csspart preview - The camera preview box; `video` is the <video> inside it.
 * @csspart select - Each device <select>.
 * @csspart meter - The microphone level track; `meter-fill` is its bar.
 * @csspart guidance - What to do about a failed device.
 * @csspart network - The network section.
 * @csspart verdict - The verdict line.
 * @csspart button - Every button; `primary` marks Start and Continue.
 *
 * @cssproperty --flare-bg - Card background.
 * @cssproperty --flare-fg - Text colour.
 * @cssproperty --flare-muted - Secondary text.
 * @cssproperty --flare-border - Borders.
 * @cssproperty --flare-surface - Controls and insets.
 * @cssproperty --flare-accent - Primary buttons and focus ring.
 * @cssproperty --flare-ok - Good state and the level bar.
 * @cssproperty --flare-warn - Limited verdict.
 * @cssproperty --flare-error - Failures.
 * @cssproperty --flare-radius - Corner radius.
 * @cssproperty --flare-font - Font family.
 * @cssproperty --flare-meter-fill - The microphone level bar (default: --flare-ok).
 * @cssproperty --flare-preview-bg - Behind the camera preview (default: --flare-video-bg).
 */
export class DeviceCheck extends SignalWatcher(LitElement) {
  static override styles = [themeStyles, styles];

  /** Reference server URL, for script-tag use: a client is made from it when the SDK is loaded. */
  @property({ attribute: 'server-url' }) serverUrl = '';
  /** User id for the connection made from `server-url`. */
  @property() user = '';
  /** Auth token for the connection made from `server-url`. */
  @property() token = '';
  /** An existing client (npm use); takes precedence over `server-url`. */
  @property({ attribute: false }) client: DeviceCheckClient | null = null;
  /** `light`, `dark`, or absent to follow the system. */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined;
  /** Start the check as soon as the element is connected. */
  @property({ type: Boolean, attribute: 'auto-start' }) autoStart = false;
  /** Overrides of any message (see elements/i18n.ts for the keys). */
  @property({ attribute: false }) strings: Partial<Messages> = {};
  /** Where media comes from; replaces `navigator.mediaDevices` (a seam for embedding and tests). */
  @property({ attribute: false }) mediaDevices: MediaDevicesLike | null = null;
  /** Extra options of the underlying session (network test size, preferences, speaker test). */
  @property({ attribute: false }) sessionOptions: DeviceCheckSessionOptions = {};

  readonly #session = signal<DeviceCheckSession | null>(null);
  readonly #i18n = new LocalizeController(this);
  readonly #micPercent = computed(() => String(Math.round((this.#session.get()?.micLevel.get() ?? 0) * 100)));
  readonly #micWidth = computed(() => `width: ${this.#micPercent.get()}%`);
  #ownClient: DeviceCheckClient | null = null;

  /** The running check (its signals: access, devices, stream, micLevel, network, status, verdict), or null. */
  get session(): DeviceCheckSession | null {
    return this.#session.get();
  }

  /** Starts (or restarts) the check. */
  async start(): Promise<void> {
    this.session?.stop();
    const session = new DeviceCheckSession({
      health: this.mediaDevices ? new DeviceHealth({ mediaDevices: this.mediaDevices }) : undefined,
      probe: () => this.#client()?.networkProbe?.() ?? null,
      ...this.sessionOptions,
    });
    this.#session.set(session);
    await session.start();
  }

  /** Finishes the check: remembers the devices and fires `flare-device-check-complete`. */
  complete(): DeviceHealthStatus | null {
    const session = this.session;
    if (!session) return null;
    const status = session.complete();
    const event = new CustomEvent('flare-device-check-complete', { detail: status, bubbles: true, composed: true, cancelable: true });
    if (this.dispatchEvent(event)) session.stop();
    return status;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The client made from the attributes serves the network test only: it goes once the test is done
    // ("Test again" makes a new one). Effects end with the element's connection.
    this.updateEffect(() => {
      const phase = this.#session.get()?.network.get().phase;
      if (phase && NETWORK_DONE.has(phase)) queueMicrotask(() => this.#closeOwnClient());
    });
    if (this.autoStart && !this.session) void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.session?.stop();
    this.#session.set(null);
    this.#closeOwnClient();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('serverUrl') || changed.has('user') || changed.has('token')) this.#closeOwnClient();
  }

  #client(): DeviceCheckClient | null {
    if (this.client) return this.client;
    if (!this.serverUrl) return null;
    this.#ownClient ??= createClientFromAttributes({ serverUrl: this.serverUrl, user: this.user, token: this.token }) as DeviceCheckClient | null;
    return this.#ownClient;
  }

  /** Closes the client made from the attributes, if any (a `client` property is never closed here). */
  #closeOwnClient(): void {
    const own = this.#ownClient;
    this.#ownClient = null;
    if (!own?.close) return;
    try {
      void Promise.resolve(own.close()).catch(() => {});
    } catch {
      // closing is best effort
    }
  }

  protected override render() {
    const t = this.#i18n.t.bind(this.#i18n);
    const session = this.session;
    const phase = session?.phase.get() ?? 'idle';
    return html`<section part="base" role="region" aria-labelledby="title" lang=${this.#i18n.locale}>
      <h2 id="title" part="title">${t('deviceCheck.title')}</h2>
      ${phase === 'idle' || phase === 'stopped' || !session
        ? html`<slot name="intro"><p class="muted">${t('deviceCheck.intro')}</p></slot>
            <div class="actions"><button part="button primary" @click=${() => this.start()}>${t('deviceCheck.start')}</button></div>`
        : phase === 'requesting'
          ? html`<p role="status">${t('deviceCheck.requesting')}</p>`
          : this.#renderChecks(session)}
    </section>`;
  }

  #renderChecks(session: DeviceCheckSession) {
    const t = this.#i18n.t.bind(this.#i18n);
    const access = session.access.get();
    const stream = session.stream.get();
    const selected = session.selected.get();
    const devices = session.devices.get();
    const videoTrack = stream?.getVideoTracks()[0];
    const audioTrack = stream?.getAudioTracks()[0];
    const verdict = session.verdict.get();
    return html`
      ${this.#renderGuidance('video', access.video)} ${this.#renderGuidance('audio', access.audio)}
      <div part="preview">
        ${videoTrack
          ? html`<video part="video" .srcObject=${live(stream)} muted playsinline autoplay aria-label=${t('deviceCheck.preview')}></video>`
          : html`<span>${t('deviceCheck.noPreview')}</span>`}
      </div>
      ${this.#renderSelect('camera', t('deviceCheck.camera'), devices.videoInput, selected.videoInput || (videoTrack?.getSettings().deviceId ?? ''), (id) => session.select('videoInput', id))}
      ${this.#renderSelect('microphone', t('deviceCheck.microphone'), devices.audioInput, selected.audioInput || (audioTrack?.getSettings().deviceId ?? ''), (id) => session.select('audioInput', id))}
      <div class="row">
        <div part="meter" role="meter" aria-label=${t('deviceCheck.micLevel')} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${watch(this.#micPercent)}>
          <div part="meter-fill" style=${watch(this.#micWidth)}></div>
        </div>
        <span class="muted">${t('deviceCheck.micHint')}</span>
      </div>
      ${this.#renderSpeaker(session)} ${this.#renderNetwork(session)}
      <p part="verdict" role="status" data-verdict=${verdict}>${t(`deviceCheck.verdict.${verdict}`)}</p>
      <div class="actions">
        ${verdict === 'blocked' || verdict === 'limited' ? html`<button part="button" @click=${() => session.retry()}>${t('deviceCheck.retry')}</button>` : nothing}
        <button part="button primary" ?disabled=${verdict === 'pending'} @click=${() => this.complete()}>${t('deviceCheck.continue')}</button>
      </div>
    `;
  }

  #renderGuidance(kind: 'audio' | 'video', access: DeviceAccess | null) {
    if (!access || access.ok) return nothing;
    const t = this.#i18n.t.bind(this.#i18n);
    return html`<div part="guidance" role="alert">${t(access.guidanceKey, { device: t(`device.${kind}`), error: access.errorName || access.message })}</div>`;
  }

  #renderSelect(id: string, label: string, list: MediaDeviceInfo[], current: string, choose: (id: string) => unknown) {
    return html`<div class="row">
      <label for=${id}>${label}</label>
      <select id=${id} part="select" ?disabled=${list.length === 0} @change=${(e: Event) => choose((e.target as HTMLSelectElement).value)}>
        ${list.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === current}>${d.label || `${label} ${i + 1}`}</option>`)}
      </select>
    </div>`;
  }

  #renderSpeaker(session: DeviceCheckSession) {
    const t = this.#i18n.t.bind(this.#i18n);
    const state = session.speaker.get();
    const outputs = session.devices.get().audioOutput;
    return html`<div class="row">
      ${DeviceHealth.supportsOutputSelection && outputs.length
        ? this.#renderSelect('speaker', t('deviceCheck.speaker'), outputs, session.selected.get().audioOutput || 'default', (id) => session.select('audioOutput', id))
        : html`<span class="muted">${t('deviceCheck.speakerDefaultOnly')}</span>`}
      <div class="actions">
        <button part="button" ?disabled=${state === 'playing'} @click=${() => session.testSpeaker()}>
          ${state === 'playing' ? t('deviceCheck.speakerPlaying') : t('deviceCheck.speakerTest')}
        </button>
        ${state === 'played'
          ? html`<span id="speaker-q">${t('deviceCheck.speakerQuestion')}</span>
              <button part="button" aria-describedby="speaker-q" @click=${() => session.confirmSpeaker(true)}>${t('deviceCheck.yes')}</button>
              <button part="button" aria-describedby="speaker-q" @click=${() => session.confirmSpeaker(false)}>${t('deviceCheck.no')}</button>`
          : state === 'ok'
            ? html`<span>${t('deviceCheck.speakerOk')}</span>`
            : state === 'failed'
              ? html`<span>${t('deviceCheck.speakerFailed')}</span>`
              : nothing}
      </div>
    </div>`;
  }

  #renderNetwork(session: DeviceCheckSession) {
    const t = this.#i18n.t.bind(this.#i18n);
    const network = session.network.get();
    const result = network.result;
    let body;
    if (network.phase === 'running' || network.phase === 'idle') {
      const text = t('deviceCheck.networkRunning', { done: network.done, total: network.total });
      body = html`<progress max=${network.total || 1} .value=${network.done} aria-label=${text}></progress><span>${text}</span>`;
    } else if (network.phase === 'skipped') {
      body = html`<span>${t('deviceCheck.networkSkipped')}</span>`;
    } else if (network.phase === 'failed' || result?.status !== 'measured') {
      body = html`<span>${t('deviceCheck.networkFailed')}</span>`;
    } else {
      const q = result.quality;
      const fmt = (v: number | null) => (v === null ? '–' : String(Math.round(v)));
      body = html`<span><strong>${t(`deviceCheck.level.${q.level}`)}</strong> ·
        ${t('deviceCheck.networkResult', { rtt: fmt(q.rttMs), jitter: fmt(q.jitterMs), loss: (q.packetLoss * 100).toFixed(1) })}</span>`;
    }
    const canRerun = network.phase === 'measured' || network.phase === 'failed';
    return html`<div part="network" class="row" role="group" aria-labelledby="network-title">
      <span id="network-title"><strong>${t('deviceCheck.network')}</strong></span>
      <div role="status">${body}</div>
      ${canRerun ? html`<div class="actions"><button part="button" @click=${() => session.runNetworkTest()}>${t('deviceCheck.networkRerun')}</button></div>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'device-check': DeviceCheck;
  }
  interface GlobalEventHandlersEventMap {
    'flare-device-check-complete': CustomEvent<DeviceHealthStatus>;
  }
}
