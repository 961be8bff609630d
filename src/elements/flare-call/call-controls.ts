/**
 * The in-call toolbar of <flare-call> as a template: microphone and camera toggles (aria-pressed),
 * the device panel (camera and microphone lists, switchable mid-call), full screen, picture in
 * picture, minimize and hang up. Pure rendering: the element passes state and handlers.
 */
import { html, nothing } from 'lit';
import { icons } from './icons.ts';

type Translate = (key: string, params?: Record<string, string | number>) => string;

/** State and handlers of the toolbar. */
export interface ControlsView {
  t: Translate;
  micMuted: boolean;
  cameraOff: boolean;
  /** The call carries video (a voice call has no camera button). */
  video: boolean;
  devicesOpen: boolean;
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  currentCamera: string;
  currentMicrophone: string;
  fullscreen: boolean;
  pip: boolean;
  pipSupported: boolean;
  minimized: boolean;
  toggleMic(): void;
  toggleCamera(): void;
  toggleDevices(): void;
  chooseDevice(kind: 'audioinput' | 'videoinput', deviceId: string): void;
  toggleFullscreen(): void;
  togglePip(): void;
  toggleMinimized(): void;
  hangup(): void;
}

function deviceSelect(id: string, label: string, list: MediaDeviceInfo[], current: string, choose: (id: string) => void) {
  return html`<label for=${id}>${label}</label>
    <select id=${id} part="select" ?disabled=${list.length === 0} @change=${(e: Event) => choose((e.target as HTMLSelectElement).value)}>
      ${list.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === current}>${d.label || `${label} ${i + 1}`}</option>`)}
    </select>`;
}

/** The toolbar (and the device panel under it when open). */
export function renderControls(v: ControlsView) {
  const { t } = v;
  const button = (name: string, label: string, icon: unknown, onClick: () => void, pressed?: boolean, extra = '') =>
    html`<button part="button control ${name}${extra}" class="control" data-control=${name} aria-label=${label} title=${label} aria-pressed=${pressed === undefined ? nothing : String(pressed)} @click=${onClick}>
      ${icon}
    </button>`;
  return html`<div part="controls" class="controls" role="toolbar" aria-label=${t('call.controls')}>
      ${button('mic', t('call.mute'), v.micMuted ? icons.micOff : icons.mic, v.toggleMic, v.micMuted)}
      ${v.video ? button('camera', t('call.cameraOff'), v.cameraOff ? icons.cameraOff : icons.camera, v.toggleCamera, v.cameraOff) : nothing}
      <button
        part="button control devices"
        class="control"
        data-control="devices"
        aria-label=${t('call.devices')}
        title=${t('call.devices')}
        aria-expanded=${String(v.devicesOpen)}
        aria-controls="device-panel"
        @click=${v.toggleDevices}
      >
        ${icons.devices}
      </button>
      ${v.minimized
        ? nothing
        : html`${button('fullscreen', v.fullscreen ? t('call.exitFullscreen') : t('call.fullscreen'), v.fullscreen ? icons.exitFullscreen : icons.fullscreen, v.toggleFullscreen)}
          ${v.pipSupported && v.video ? button('pip', v.pip ? t('call.exitPip') : t('call.pip'), icons.pip, v.togglePip, v.pip) : nothing}`}
      ${button('minimize', v.minimized ? t('call.restore') : t('call.minimize'), v.minimized ? icons.restore : icons.minimize, v.toggleMinimized)}
      ${button('hangup', t('call.hangup'), icons.hangup, v.hangup, undefined, ' danger')}
    </div>
    ${v.devicesOpen
      ? html`<div part="devices" id="device-panel" class="device-panel" role="group" aria-label=${t('call.devices')}>
          ${v.video ? deviceSelect('camera-select', t('call.camera'), v.cameras, v.currentCamera, (id) => v.chooseDevice('videoinput', id)) : nothing}
          ${deviceSelect('mic-select', t('call.microphone'), v.microphones, v.currentMicrophone, (id) => v.chooseDevice('audioinput', id))}
        </div>`
      : nothing}`;
}
