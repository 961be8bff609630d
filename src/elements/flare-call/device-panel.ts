/**
 * The state of <flare-call>'s device panel as a reactive controller: whether it is open, and the
 * camera and microphone lists while it is (followed through hot-plug, stopped when it closes or the
 * host disconnects).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DeviceHealth, type DeviceLists } from '../../sdk/device/device-health.ts';

export class DevicePanel implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #open = false;
  #cameras: MediaDeviceInfo[] = [];
  #microphones: MediaDeviceInfo[] = [];
  #unwatch: (() => void) | null = null;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  get open(): boolean {
    return this.#open;
  }
  get cameras(): MediaDeviceInfo[] {
    return this.#cameras;
  }
  get microphones(): MediaDeviceInfo[] {
    return this.#microphones;
  }

  /** Opens (listing the devices) or closes the panel. */
  async toggle(): Promise<void> {
    if (this.#open) return this.close();
    this.#open = true;
    this.#host.requestUpdate();
    const health = new DeviceHealth();
    const apply = (lists: DeviceLists) => {
      this.#cameras = lists.videoInput;
      this.#microphones = lists.audioInput;
      this.#host.requestUpdate();
    };
    apply(await health.listDevices());
    if (this.#open) this.#unwatch = health.watchDevices(apply);
  }

  close(): void {
    this.#unwatch?.();
    this.#unwatch = null;
    if (!this.#open) return;
    this.#open = false;
    this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    this.close();
  }
}
