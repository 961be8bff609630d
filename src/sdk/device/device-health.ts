/**
 * Camera and microphone access with failures a person can act on (the seed's DeviceHealthCheck,
 * without its placeholders): permission through getUserMedia, each failure classified as denied,
 * blocked by policy or by the system, in use, missing or insecure context, plus device lists with
 * hot-plug through `devicechange`. Browser objects are injected (`mediaDevices`, `permissions`,
 * `policy`), which is the seam tests use to play a denial without touching private state.
 */
import { DeviceFailure } from '../call/call-types.ts';
import type { MediaDevicesLike } from '../call/rtc-engine.ts';

/** Outcome of asking for one kind of device. */
export type DeviceAccess =
  | { ok: true; label: string; deviceId: string }
  | {
      ok: false;
      failure: DeviceFailure;
      /** The DOMException name (NotAllowedError, ...), or '' when there was none. */
      errorName: string;
      message: string;
      /** Message key of the guidance to show (see elements/i18n.ts), e.g. `guidance.denied`. */
      guidanceKey: string;
    };

/** What `acquire` returns: a stream with whatever could be obtained, and the outcome per kind. */
export interface AcquireResult {
  stream: MediaStream | null;
  /** null when this kind was not requested. */
  audio: DeviceAccess | null;
  video: DeviceAccess | null;
}

/** Devices by kind, as enumerateDevices reports them. */
export interface DeviceLists {
  audioInput: MediaDeviceInfo[];
  videoInput: MediaDeviceInfo[];
  audioOutput: MediaDeviceInfo[];
}

/** The page's Permissions-Policy view (`document.permissionsPolicy` / `document.featurePolicy`). */
export interface PolicyLike {
  allowsFeature(feature: string): boolean;
}

/** Options of {@link DeviceHealth}; every field defaults to the page's own object. */
export interface DeviceHealthOptions {
  /** null = the page has none (insecure context). */
  mediaDevices?: MediaDevicesLike | null;
  permissions?: Pick<Permissions, 'query'> | null;
  policy?: PolicyLike | null;
  /** Whether the page is a secure context. */
  secureContext?: boolean;
}

/** One kind of capture device. */
export type CaptureKind = 'audio' | 'video';

const POLICY_FEATURE: Record<CaptureKind, string> = { audio: 'microphone', video: 'camera' };

function pagePolicy(): PolicyLike | null {
  const doc = globalThis.document as (Document & { permissionsPolicy?: PolicyLike; featurePolicy?: PolicyLike }) | undefined;
  return doc?.permissionsPolicy ?? doc?.featurePolicy ?? null;
}

/** Camera and microphone access, classified. */
export class DeviceHealth {
  readonly #media: MediaDevicesLike | null;
  readonly #permissions: Pick<Permissions, 'query'> | null;
  readonly #policy: PolicyLike | null;
  readonly #secure: boolean;

  constructor(options: DeviceHealthOptions = {}) {
    this.#media = options.mediaDevices !== undefined ? options.mediaDevices : (globalThis.navigator?.mediaDevices ?? null);
    this.#permissions = options.permissions !== undefined ? options.permissions : (globalThis.navigator?.permissions ?? null);
    this.#policy = options.policy !== undefined ? options.policy : pagePolicy();
    this.#secure = options.secureContext ?? globalThis.isSecureContext ?? true;
  }

  /** Whether an audio output device can be chosen (`HTMLMediaElement.setSinkId`). */
  static get supportsOutputSelection(): boolean {
    return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  }

  /**
   * Asks for the requested devices in one prompt; when that fails, asks for each kind on its own so
   * that a camera in use does not cost the microphone, and classifies each failure.
   */
  async acquire(request: { audio?: boolean | string; video?: boolean | string }): Promise<AcquireResult> {
    const kinds = (['audio', 'video'] as const).filter((k) => request[k] !== undefined && request[k] !== false);
    const result: AcquireResult = { stream: null, audio: null, video: null };
    if (kinds.length === 0) return result;
    const constraint = (kind: CaptureKind): MediaTrackConstraints | true => {
      const id = request[kind];
      return typeof id === 'string' && id !== '' ? { deviceId: { exact: id } } : true;
    };
    try {
      const stream = await this.#getUserMedia(Object.fromEntries(kinds.map((k) => [k, constraint(k)])));
      result.stream = stream;
      for (const kind of kinds) result[kind] = this.#granted(stream, kind);
      return result;
    } catch (error) {
      if (kinds.length === 1) {
        result[kinds[0]!] = await this.#failed(error, kinds[0]!);
        return result;
      }
    }
    const tracks: MediaStreamTrack[] = [];
    for (const kind of kinds) {
      try {
        const stream = await this.#getUserMedia({ [kind]: constraint(kind) });
        tracks.push(...stream.getTracks());
        result[kind] = this.#granted(stream, kind);
      } catch (error) {
        result[kind] = await this.#failed(error, kind);
      }
    }
    result.stream = tracks.length ? new MediaStream(tracks) : null;
    return result;
  }

  /** Classifies a getUserMedia failure for `kind`. */
  async classify(error: unknown, kind: CaptureKind): Promise<DeviceFailure> {
    if (!this.#media) return this.#secure ? DeviceFailure.Unknown : DeviceFailure.InsecureContext;
    const name = (error as { name?: string })?.name ?? '';
    const message = String((error as { message?: string })?.message ?? '');
    switch (name) {
      case 'NotAllowedError':
      case 'PermissionDeniedError':
        if (this.#policy && !this.#policy.allowsFeature(POLICY_FEATURE[kind])) return DeviceFailure.BlockedByPolicy;
        if (/system/i.test(message)) return DeviceFailure.BlockedBySystem;
        return DeviceFailure.Denied;
      case 'SecurityError':
        return DeviceFailure.BlockedByPolicy;
      case 'NotReadableError':
      case 'TrackStartError':
      case 'AbortError':
        return DeviceFailure.InUse;
      case 'NotFoundError':
      case 'DevicesNotFoundError':
      case 'OverconstrainedError':
        return DeviceFailure.Missing;
      default:
        return DeviceFailure.Unknown;
    }
  }

  /** The Permissions API state for `kind`, or `unsupported` where the browser cannot tell. */
  async permissionState(kind: CaptureKind): Promise<PermissionState | 'unsupported'> {
    if (!this.#permissions) return 'unsupported';
    try {
      return (await this.#permissions.query({ name: POLICY_FEATURE[kind] as PermissionName })).state;
    } catch {
      return 'unsupported';
    }
  }

  /** Devices by kind. Labels are empty until a permission has been granted. */
  async listDevices(): Promise<DeviceLists> {
    const lists: DeviceLists = { audioInput: [], videoInput: [], audioOutput: [] };
    if (!this.#media) return lists;
    for (const device of await this.#media.enumerateDevices()) {
      if (device.kind === 'audioinput') lists.audioInput.push(device);
      else if (device.kind === 'videoinput') lists.videoInput.push(device);
      else if (device.kind === 'audiooutput') lists.audioOutput.push(device);
    }
    return lists;
  }

  /** Calls `listener` with fresh lists whenever a device is plugged in or out; returns the unsubscribe. */
  watchDevices(listener: (lists: DeviceLists) => void): () => void {
    const media = this.#media;
    if (!media) return () => {};
    const onChange = () => void this.listDevices().then(listener);
    media.addEventListener('devicechange', onChange);
    return () => media.removeEventListener('devicechange', onChange);
  }

  #getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    if (!this.#media) return Promise.reject(new DOMException('navigator.mediaDevices is not available', 'NotSupportedError'));
    return this.#media.getUserMedia(constraints);
  }

  #granted(stream: MediaStream, kind: CaptureKind): DeviceAccess {
    const track = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0];
    if (!track) {
      return { ok: false, failure: DeviceFailure.Missing, errorName: '', message: `no ${kind} track`, guidanceKey: 'guidance.missing' };
    }
    return { ok: true, label: track.label, deviceId: track.getSettings().deviceId ?? '' };
  }

  async #failed(error: unknown, kind: CaptureKind): Promise<DeviceAccess> {
    const failure = await this.classify(error, kind);
    return {
      ok: false,
      failure,
      errorName: (error as { name?: string })?.name ?? '',
      message: String((error as { message?: string })?.message ?? error),
      guidanceKey: `guidance.${failure}`,
    };
  }
}
