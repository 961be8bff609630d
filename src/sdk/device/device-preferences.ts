/**
 * Remembers the devices chosen in a device check so that the call uses them (localStorage, one JSON
 * entry). A remembered device that is no longer present resolves to the default.
 */
import type { ChosenDevices } from '../call/call-types.ts';
import type { DeviceLists } from './device-health.ts';

/** Storage key. */
export const DEVICE_PREFERENCES_KEY = 'flare.devices';

const EMPTY: ChosenDevices = { audioInput: '', videoInput: '', audioOutput: '' };

/** Reads and writes the chosen devices. */
export class DevicePreferences {
  readonly #storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  readonly #key: string;

  constructor(options: { storage?: Pick<Storage, 'getItem' | 'setItem'> | null; key?: string } = {}) {
    this.#key = options.key ?? DEVICE_PREFERENCES_KEY;
    if (options.storage !== undefined) this.#storage = options.storage;
    else {
      try {
        this.#storage = globalThis.localStorage ?? null;
      } catch {
        // Storage can throw when cookies are blocked.
        this.#storage = null;
      }
    }
  }

  /** The remembered devices ('' for each kind not remembered). */
  load(): ChosenDevices {
    try {
      const raw = this.#storage?.getItem(this.#key);
      const parsed = raw ? (JSON.parse(raw) as Partial<ChosenDevices>) : {};
      return {
        audioInput: typeof parsed.audioInput === 'string' ? parsed.audioInput : '',
        videoInput: typeof parsed.videoInput === 'string' ? parsed.videoInput : '',
        audioOutput: typeof parsed.audioOutput === 'string' ? parsed.audioOutput : '',
      };
    } catch {
      return { ...EMPTY };
    }
  }

  save(devices: ChosenDevices): void {
    try {
      this.#storage?.setItem(this.#key, JSON.stringify(devices));
    } catch {
      // Quota or privacy mode: remembering is a convenience, not a requirement.
    }
  }

  /** `devices` with every id that is not in `lists` replaced by '' (the default device). */
  static reconcile(devices: ChosenDevices, lists: DeviceLists): ChosenDevices {
    const has = (list: MediaDeviceInfo[], id: string) => id === '' || list.some((d) => d.deviceId === id);
    return {
      audioInput: has(lists.audioInput, devices.audioInput) ? devices.audioInput : '',
      videoInput: has(lists.videoInput, devices.videoInput) ? devices.videoInput : '',
      audioOutput: has(lists.audioOutput, devices.audioOutput) ? devices.audioOutput : '',
    };
  }
}
