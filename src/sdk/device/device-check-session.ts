/**
 * One pre-call device check as signals: permission, device lists with hot-plug, preview stream, live
 * microphone level, speaker test, network test, and the verdict with the seed's DeviceHealthStatus.
 * The <device-check> element renders these signals; the SDK can run a check headless too.
 */
import { computed, signal } from '../signals.ts';
import { NetworkQualityLevel, NetworkQualityScore, SpeakerCheck, type ChosenDevices, type DeviceHealthStatus } from '../call/call-types.ts';
import type { ReadonlySignal } from '../call/call-state-manager.ts';
import { scoreOfLevel } from '../call/network-quality.ts';
import { DeviceFailure } from '../call/call-types.ts';
import { DeviceHealth, type AcquireResult, type CaptureKind, type DeviceAccess, type DeviceLists } from './device-health.ts';
import { DevicePreferences } from './device-preferences.ts';
import { MicLevelMeter } from './mic-level-meter.ts';
import { runNetworkTest, type NetworkProbe, type NetworkTestOptions, type NetworkTestResult } from './network-test.ts';
import { playTestTone, type SpeakerTestOptions, type SpeakerTestResult } from './speaker-test.ts';

/** Where the device part of the check is. */
export type CheckPhase = 'idle' | 'requesting' | 'ready' | 'stopped';

/** Overall verdict: `pending` until permission and network are done. */
export type CheckVerdict = 'pending' | 'ready' | 'limited' | 'blocked';

/** Speaker test progress. */
export type SpeakerState = 'untested' | 'playing' | 'played' | 'ok' | 'failed';

/** Network test progress. */
export interface NetworkState {
  phase: 'idle' | 'running' | 'measured' | 'skipped' | 'failed';
  done: number;
  total: number;
  result: NetworkTestResult | null;
}

/** Options of {@link DeviceCheckSession}. */
export interface DeviceCheckSessionOptions {
  health?: DeviceHealth;
  preferences?: DevicePreferences;
  /** Gives the probe for the network test; null or absent = no server, network skipped. */
  probe?: () => NetworkProbe | null | Promise<NetworkProbe | null>;
  networkTest?: Pick<NetworkTestOptions, 'samples' | 'intervalMs' | 'timeoutMs' | 'timers'>;
  /** Which devices to check (default both). */
  request?: { audio: boolean; video: boolean };
  /** Mic level refresh period (default 50 ms). */
  meterIntervalMs?: number;
  /** Speaker test implementation (default plays a tone). */
  playTone?: (options: SpeakerTestOptions) => Promise<SpeakerTestResult>;
}

const KIND_OF: Record<keyof ChosenDevices, CaptureKind | null> = { audioInput: 'audio', videoInput: 'video', audioOutput: null };

/** A device check. */
export class DeviceCheckSession {
  readonly #o: DeviceCheckSessionOptions;
  readonly #health: DeviceHealth;
  readonly #prefs: DevicePreferences;
  readonly #phase = signal<CheckPhase>('idle');
  readonly #access = signal<{ audio: DeviceAccess | null; video: DeviceAccess | null }>({ audio: null, video: null });
  readonly #devices = signal<DeviceLists>({ audioInput: [], videoInput: [], audioOutput: [] });
  readonly #selected: ReturnType<typeof signal<ChosenDevices>>;
  readonly #stream = signal<MediaStream | null>(null);
  readonly #micLevel = signal(0);
  readonly #speaker = signal<SpeakerState>('untested');
  readonly #network = signal<NetworkState>({ phase: 'idle', done: 0, total: 0, result: null });
  #meter: MicLevelMeter | null = null;
  #meterTimer: ReturnType<typeof setInterval> | null = null;
  #unwatch: (() => void) | null = null;
  #networkAbort: AbortController | null = null;

  readonly phase: ReadonlySignal<CheckPhase> = computed(() => this.#phase.get());
  readonly access = computed(() => this.#access.get());
  readonly devices: ReadonlySignal<DeviceLists> = computed(() => this.#devices.get());
  readonly selected: ReadonlySignal<ChosenDevices>;
  /** Preview stream (camera and microphone as granted). */
  readonly stream: ReadonlySignal<MediaStream | null> = computed(() => this.#stream.get());
  /** Microphone display level 0..1, refreshed while the check runs. */
  readonly micLevel: ReadonlySignal<number> = computed(() => this.#micLevel.get());
  readonly speaker: ReadonlySignal<SpeakerState> = computed(() => this.#speaker.get());
  readonly network: ReadonlySignal<NetworkState> = computed(() => this.#network.get());
  /** The seed's DeviceHealthStatus, with details. */
  readonly status: ReadonlySignal<DeviceHealthStatus>;
  readonly verdict: ReadonlySignal<CheckVerdict>;

  constructor(options: DeviceCheckSessionOptions = {}) {
    this.#o = options;
    this.#health = options.health ?? new DeviceHealth();
    this.#prefs = options.preferences ?? new DevicePreferences();
    this.#selected = signal<ChosenDevices>(this.#prefs.load());
    this.selected = computed(() => this.#selected.get());
    this.status = computed(() => this.#computeStatus());
    this.verdict = computed(() => this.#computeVerdict());
  }

  /** Asks for permission, lists devices, starts the preview and meter, and runs the network test. */
  async start(): Promise<void> {
    this.#phase.set('requesting');
    const request = this.#o.request ?? { audio: true, video: true };
    const lists = await this.#health.listDevices();
    const selected = DevicePreferences.reconcile(this.#selected.get(), lists);
    this.#selected.set(selected);
    const result = await this.#health.acquire({
      audio: request.audio ? selected.audioInput || true : undefined,
      video: request.video ? selected.videoInput || true : undefined,
    });
    if (this.#phase.get() !== 'requesting') {
      for (const track of result.stream?.getTracks() ?? []) track.stop();
      return;
    }
    this.#adopt(result);
    // Labels appear only after a grant, so list again.
    this.#devices.set(await this.#health.listDevices());
    this.#unwatch ??= this.#health.watchDevices((next) => void this.#onDevicesChanged(next));
    this.#phase.set('ready');
    if (this.#network.get().phase === 'idle') void this.runNetworkTest();
  }

  /** Stops everything and starts again (after the user changed a browser or system setting). */
  async retry(): Promise<void> {
    this.#stopMedia();
    this.#access.set({ audio: null, video: null });
    await this.start();
  }

  /** Chooses a device; capture devices are reopened and the preview follows. */
  async select(kind: keyof ChosenDevices, deviceId: string): Promise<void> {
    this.#selected.set({ ...this.#selected.get(), [kind]: deviceId });
    const capture = KIND_OF[kind];
    if (!capture) return;
    await this.#reacquire(capture, deviceId);
  }

  /** Plays the test tone on the selected output. */
  async testSpeaker(): Promise<void> {
    this.#speaker.set('playing');
    try {
      await (this.#o.playTone ?? playTestTone)({ sinkId: this.#selected.get().audioOutput });
      this.#speaker.set('played');
    } catch {
      this.#speaker.set('failed');
    }
  }

  /** The person's answer to "did you hear the sound?". */
  confirmSpeaker(heard: boolean): void {
    this.#speaker.set(heard ? 'ok' : 'failed');
  }

  /** Runs (or re-runs) the network test; `skipped` without a probe. */
  async runNetworkTest(): Promise<void> {
    this.#networkAbort?.abort();
    const abort = (this.#networkAbort = new AbortController());
    const total = this.#o.networkTest?.samples ?? 20;
    this.#network.set({ phase: 'running', done: 0, total, result: null });
    try {
      const probe = (await this.#o.probe?.()) ?? null;
      const result = await runNetworkTest(probe, {
        ...this.#o.networkTest,
        signal: abort.signal,
        onSample: ({ index }) => this.#network.set({ ...this.#network.get(), done: index + 1 }),
      });
      if (abort.signal.aborted) return;
      this.#network.set({ phase: result.status, done: result.status === 'measured' ? total : 0, total, result });
    } catch {
      if (!abort.signal.aborted) this.#network.set({ phase: 'failed', done: 0, total, result: null });
    }
  }

  /** Remembers the chosen devices and returns the final status. */
  complete(): DeviceHealthStatus {
    this.#prefs.save(this.#selected.get());
    return this.status.get();
  }

  /** Stops capture, the meter, the device watcher and a running network test. */
  stop(): void {
    this.#stopMedia();
    this.#unwatch?.();
    this.#unwatch = null;
    this.#networkAbort?.abort();
    this.#phase.set('stopped');
  }

  #adopt(result: AcquireResult): void {
    this.#access.set({ audio: result.audio, video: result.video });
    this.#stream.set(result.stream);
    this.#startMeter();
  }

  async #reacquire(kind: CaptureKind, deviceId: string): Promise<void> {
    const result = await this.#health.acquire({ [kind]: deviceId || true });
    const current = this.#stream.get();
    const keep = current ? (kind === 'audio' ? current.getVideoTracks() : current.getAudioTracks()) : [];
    for (const track of current ? (kind === 'audio' ? current.getAudioTracks() : current.getVideoTracks()) : []) track.stop();
    const tracks = [...keep, ...(result.stream?.getTracks() ?? [])];
    this.#access.set({ ...this.#access.get(), [kind]: result[kind] });
    this.#stream.set(tracks.length ? new MediaStream(tracks) : null);
    this.#startMeter();
  }

  async #onDevicesChanged(lists: DeviceLists): Promise<void> {
    this.#devices.set(lists);
    const selected = this.#selected.get();
    const reconciled = DevicePreferences.reconcile(selected, lists);
    this.#selected.set(reconciled);
    const access = this.#access.get();
    for (const kind of ['audio', 'video'] as const) {
      const key = kind === 'audio' ? 'audioInput' : 'videoInput';
      const list = kind === 'audio' ? lists.audioInput : lists.videoInput;
      const unplugged = reconciled[key] !== selected[key];
      const arrived = access[kind] && !access[kind].ok && access[kind].failure === DeviceFailure.Missing && list.length > 0;
      if (this.#phase.get() === 'ready' && (unplugged || arrived)) await this.#reacquire(kind, reconciled[key]);
    }
  }

  #startMeter(): void {
    this.#meter?.stop();
    this.#meter = null;
    if (this.#meterTimer !== null) clearInterval(this.#meterTimer);
    this.#meterTimer = null;
    const track = this.#stream.get()?.getAudioTracks()[0];
    if (!track) {
      this.#micLevel.set(0);
      return;
    }
    const meter = (this.#meter = new MicLevelMeter(track));
    void meter.resume();
    this.#meterTimer = setInterval(() => this.#micLevel.set(meter.read().level), this.#o.meterIntervalMs ?? 50);
  }

  #stopMedia(): void {
    if (this.#meterTimer !== null) clearInterval(this.#meterTimer);
    this.#meterTimer = null;
    this.#meter?.stop();
    this.#meter = null;
    this.#micLevel.set(0);
    for (const track of this.#stream.get()?.getTracks() ?? []) track.stop();
    this.#stream.set(null);
  }

  #computeStatus(): DeviceHealthStatus {
    const access = this.#access.get();
    const network = this.#network.get();
    const measured = network.result?.status === 'measured' ? network.result.quality : null;
    const speaker = this.#speaker.get();
    return {
      audio: access.audio?.ok === true,
      video: access.video?.ok === true,
      network: measured ? scoreOfLevel(measured.level) : NetworkQualityScore.Skipped,
      audioFailure: access.audio && !access.audio.ok ? access.audio.failure : null,
      videoFailure: access.video && !access.video.ok ? access.video.failure : null,
      networkQuality: measured,
      speaker: speaker === 'ok' ? SpeakerCheck.Ok : speaker === 'failed' ? SpeakerCheck.Failed : SpeakerCheck.Untested,
      devices: this.#selected.get(),
    };
  }

  #computeVerdict(): CheckVerdict {
    const phase = this.#network.get().phase;
    if (this.#phase.get() !== 'ready' || phase === 'running' || phase === 'idle') return 'pending';
    const request = this.#o.request ?? { audio: true, video: true };
    const status = this.status.get();
    const audioOk = !request.audio || status.audio;
    const videoOk = !request.video || status.video;
    if ((request.audio || request.video) && !status.audio && !status.video) return 'blocked';
    const poorNetwork = (status.networkQuality?.level ?? 0) >= NetworkQualityLevel.Bad;
    if (!audioOk || !videoOk || poorNetwork || phase === 'failed' || status.speaker === SpeakerCheck.Failed) return 'limited';
    return 'ready';
  }
}
