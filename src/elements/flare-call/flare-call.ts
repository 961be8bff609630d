import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { SignalWatcher } from '@lit-labs/signals';
import type { CallController } from '../../sdk/call/call-controller.ts';
import type { FlareClient } from '../../sdk/client.ts';
import type { CallTransition } from '../../sdk/call/call-state-manager.ts';
import { CallStatus, PageStatus } from '../../sdk/call/call-types.ts';
import type { CallMedia } from '../../sdk/call/call-signals.ts';
import { createClientFromAttributes } from '../client-factory.ts';
import { LocalizeController, registerMessages, type Messages } from '../i18n.ts';
import themeStyles from '../theme.styles.ts';
import styles from './flare-call.styles.ts';
import stageStyles from './stage.styles.ts';
import { callMessages } from './call-messages.ts';
import { callControllerFromClient } from './client-call-controller.ts';
import { CallLifecycle } from './call-lifecycle.ts';
import { renderControls } from './call-controls.ts';
import { callStatusText, renderCallPanel } from './call-panel.ts';
import { DevicePanel } from './device-panel.ts';

registerMessages('en', callMessages.en);
registerMessages('zh-CN', callMessages['zh-CN']);

/** `detail` of the user-intent events (`flare-call-start`, `-accept`, `-decline`, `-hangup`). */
export interface CallIntentDetail {
  peer: string;
  callId: string | null;
  media?: CallMedia;
}

/**
 * @summary A one-to-one call: dial, ring, incoming call with accept and decline, local and remote
 *   video, mute, camera, device switching, network quality per participant, reconnecting, and the
 *   page states (minimized, full screen, picture in picture).
 *
 * @event flare-call-start - The user asked to call `detail.peer`. Cancellable.
 * @event flare-call-accept - The user accepted the incoming call. Cancellable.
 * @event flare-call-decline - The user declined the incoming call. Cancellable.
 * @event flare-call-hangup - The user hung up (or cancelled a ringing call). Cancellable.
 * @event flare-call-incoming - A call is ringing here (`detail.peer`, `detail.callId`, `detail.media`).
 * @event flare-call-status - The call status changed; `detail` is the transition (from, to, code, reason).
 *
 * @csspart base - The frame; `header`, `title` and `status` are its heading row.
 * @csspart dial - The form to start a call; `input` is the user id field, `call` its button.
 * @csspart outcome - How the last call ended.
 * @csspart incoming - The incoming-call panel; `accept` and `decline` are its buttons.
 * @csspart stage - The video area; `tile`, `tile-local`, `tile-remote`, `video`, `quality`, `reconnecting` are inside.
 * @csspart controls - The toolbar; `control` marks each button, `mic`, `camera`, `devices`, `fullscreen`,
 *   `pip`, `minimize`, `hangup` name them; `devices` is also the device panel, `select` its lists.
 * @csspart button - Every button; `primary` and `danger` mark the main ones.
 *
 * @cssproperty --flare-video-bg - Background behind videos.
 * @cssproperty --flare-danger - Hang-up and decline buttons (`--flare-danger-fg` their text).
 * @cssproperty --flare-call-height - Height of the stage (default 26rem).
 *   (All tokens of <device-check> apply: --flare-bg, --flare-fg, --flare-accent, …)
 */
export class FlareCall extends SignalWatcher(LitElement) {
  static override styles = [themeStyles, styles, stageStyles];

  /** Reference server URL, for script-tag use (a client is made when the SDK is loaded). */
  @property({ attribute: 'server-url' }) serverUrl = '';
  /** The local user id. */
  @property() user = '';
  /** Auth token for the connection made from `server-url`. */
  @property() token = '';
  /** The user to call (prefills the dial field). */
  @property() peer = '';
  /** Calls started here carry audio only. */
  @property({ type: Boolean, attribute: 'audio-only' }) audioOnly = false;
  /** Media engine for calls started here (`webrtc` built in, `agora` when configured). */
  @property() engine = 'webrtc';
  /** An existing FlareClient (npm use); takes precedence over `server-url`. */
  @property({ attribute: false }) client: FlareClient | null = null;
  /** A CallController to render directly; takes precedence over `client`. */
  @property({ attribute: false }) controller: CallController | null = null;
  /** `light`, `dark`, or absent to follow the system. */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined;
  /** Shows the call as a compact bar. */
  @property({ type: Boolean, reflect: true }) minimized = false;
  /** Overrides of any message (keys in call-messages.ts). */
  @property({ attribute: false }) strings: Partial<Messages> = {};

  @state() private ownController: CallController | null = null;
  @state() private dialValue = '';

  readonly #i18n = new LocalizeController(this);
  #needsSetup = true;
  #lastPeer = '';
  readonly #devices = new DevicePanel(this);
  readonly #lifecycle = new CallLifecycle({
    // A getter: the shadow root does not exist yet while fields are initialised.
    renderRoot: () => this.renderRoot,
    dispatchEvent: (e) => this.dispatchEvent(e),
    requestUpdate: () => this.requestUpdate(),
    callEnded: () => this.#callEnded(),
  });
  /** The client made from the attributes (closed with the element). */
  #ownClient: unknown = null;

  /** The controller being rendered (the property, or one made from `client` / `server-url`). */
  get call(): CallController | null {
    return this.controller ?? this.ownController;
  }

  /** The page state: picture in picture, full screen, minimized (by the button or a hidden page), or normal. */
  get pageStatus(): PageStatus {
    const tracked = this.call?.state.pageStatus.get() ?? PageStatus.Normal;
    if (tracked === PageStatus.PictureInPicture || tracked === PageStatus.Fullscreen) return tracked;
    return this.minimized ? PageStatus.Minimized : tracked;
  }

  /** Calls `peer` (default: the dial field). Fires the cancellable `flare-call-start`. Returns the call id or null. */
  start(peer = this.dialValue || this.peer): string | null {
    const call = this.call;
    const to = peer.trim();
    if (!call || !to || call.state.isActive.get()) return null;
    const media: CallMedia = { audio: true, video: !this.audioOnly };
    if (!this.#intent('flare-call-start', { peer: to, callId: null, media })) return null;
    return call.call(to, { media, engine: this.engine });
  }

  accept(): void {
    const current = this.call?.signalling.current.get();
    if (current && this.#intent('flare-call-accept', { peer: current.peerId, callId: current.callId })) this.call!.accept();
  }

  decline(): void {
    const current = this.call?.signalling.current.get();
    if (current && this.#intent('flare-call-decline', { peer: current.peerId, callId: current.callId })) this.call!.decline();
  }

  hangup(): void {
    const current = this.call?.signalling.current.get();
    if (current && this.#intent('flare-call-hangup', { peer: current.peerId, callId: current.callId })) this.call!.hangup();
  }

  async toggleMicrophone(): Promise<void> {
    const call = this.call;
    if (call) await call.setMicrophoneMuted(call.state.localMedia.get().audioEnabled);
  }

  async toggleCamera(): Promise<void> {
    const call = this.call;
    if (call) await call.setCameraEnabled(!call.state.localMedia.get().videoEnabled);
  }

  async toggleFullscreen(): Promise<void> {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await this.requestFullscreen();
  }

  async togglePictureInPicture(): Promise<void> {
    if (document.pictureInPictureElement) return void (await document.exitPictureInPicture());
    const video = this.renderRoot.querySelector<HTMLVideoElement>('.tile.remote video');
    if (video) await video.requestPictureInPicture();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#needsSetup = true;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unwire();
    this.#dropOwn();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('peer') && !this.dialValue) this.dialValue = this.peer;
    const inputs = ['serverUrl', 'user', 'token', 'client', 'controller'] as const;
    if (this.isConnected && (this.#needsSetup || inputs.some((k) => changed.has(k)))) {
      this.#needsSetup = false;
      this.#unwire();
      this.#dropOwn();
      this.#makeOwnController();
      this.#wire();
    }
    const current = this.call?.signalling.current.get();
    if (current) this.#lastPeer = current.peerId;
    this.toggleAttribute('data-active', !!this.call?.state.isActive.get());
    this.setAttribute('page-status', this.pageStatus);
  }

  #makeOwnController(): void {
    if (this.controller) return;
    let client: unknown = this.client;
    if (!client && this.serverUrl && this.user) client = this.#ownClient = createClientFromAttributes({ serverUrl: this.serverUrl, user: this.user, token: this.token });
    if (client) this.ownController = callControllerFromClient(client, { user: this.user });
  }

  #dropOwn(): void {
    const controller = this.ownController;
    const client = this.#ownClient as { close?: () => Promise<void> } | null;
    this.ownController = null;
    this.#ownClient = null;
    void (async () => {
      await controller?.dispose();
      await client?.close?.();
    })().catch(() => {});
  }

  #wire(): void {
    const call = this.call;
    if (call) this.#lifecycle.wire(call);
  }

  #unwire(): void {
    this.#lifecycle.unwire();
  }

  #callEnded(): void {
    this.#devices.close();
    if (this.minimized) this.minimized = false;
    if (document.pictureInPictureElement && this.renderRoot.contains(document.pictureInPictureElement)) void document.exitPictureInPicture().catch(() => {});
  }

  #intent(type: string, detail: CallIntentDetail): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: true }));
  }

  protected override render() {
    const t = this.#i18n.t.bind(this.#i18n);
    const call = this.call;
    const status = call?.state.status.get() ?? CallStatus.Idle;
    const peer = call?.signalling.current.get()?.peerId ?? this.#lastPeer;
    const inCall = status === CallStatus.InCall || status === CallStatus.Reconnecting;
    const statusText = callStatusText(t, status, peer, call?.state.reconnection.get()?.attempts ?? 0, () => this.#lifecycle.duration());
    return html`<section part="base" class="base" data-status=${status} aria-labelledby="title" lang=${this.#i18n.locale}>
      <header part="header" class="header">
        <h2 id="title" part="title">${t('call.title')}</h2>
        <span part="status" class="status" role="status">${statusText}</span>
      </header>
      ${call
        ? renderCallPanel({
            t,
            call,
            status,
            peer,
            dialValue: this.dialValue,
            audioOnly: this.audioOnly,
            onDialInput: (value) => (this.dialValue = value),
            start: () => this.start(),
            accept: () => this.accept(),
            decline: () => this.decline(),
            hangup: () => this.hangup(),
          })
        : html`<p class="muted">${t('call.noController')}</p>`}
      ${call && inCall ? this.#renderControls(call) : nothing}
    </section>`;
  }

  #renderControls(call: CallController) {
    const local = call.state.localMedia.get();
    call.localTracksVersion.get();
    const stream = call.localStream.get();
    const pageStatus = this.pageStatus;
    return renderControls({
      t: this.#i18n.t.bind(this.#i18n),
      micMuted: !local.audioEnabled,
      cameraOff: !local.videoEnabled,
      video: call.signalling.current.get()?.media.video ?? true,
      devicesOpen: this.#devices.open,
      cameras: this.#devices.cameras,
      microphones: this.#devices.microphones,
      currentCamera: stream?.getVideoTracks()[0]?.getSettings().deviceId ?? '',
      currentMicrophone: stream?.getAudioTracks()[0]?.getSettings().deviceId ?? '',
      fullscreen: pageStatus === PageStatus.Fullscreen,
      pip: pageStatus === PageStatus.PictureInPicture,
      pipSupported: document.pictureInPictureEnabled === true,
      minimized: this.minimized,
      toggleMic: () => void this.toggleMicrophone(),
      toggleCamera: () => void this.toggleCamera(),
      toggleDevices: () => void this.#devices.toggle(),
      chooseDevice: (kind, id) => void call.switchDevice(kind, id),
      toggleFullscreen: () => void this.toggleFullscreen().catch(() => {}),
      togglePip: () => void this.togglePictureInPicture().catch(() => {}),
      toggleMinimized: () => (this.minimized = !this.minimized),
      hangup: () => this.hangup(),
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'flare-call': FlareCall;
  }
  interface GlobalEventHandlersEventMap {
    'flare-call-start': CustomEvent<CallIntentDetail>;
    'flare-call-accept': CustomEvent<CallIntentDetail>;
    'flare-call-decline': CustomEvent<CallIntentDetail>;
    'flare-call-hangup': CustomEvent<CallIntentDetail>;
    'flare-call-incoming': CustomEvent<{ peer: string; callId: string; media: CallMedia }>;
    'flare-call-status': CustomEvent<CallTransition>;
  }
}
