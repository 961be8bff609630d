/**
 * One user's calls, end to end: call signalling over Flare, a media engine per call, the state
 * manager's signals, the connect timeout, reconnection (ICE restart / rejoin) and per-participant
 * quality from the engine's real statistics. This is what <flare-call> renders; the SDK builds one
 * from its FlareClient (a CallSignaller over the connection) and hands it to the element.
 */
import { computed, signal } from '../signals.ts';
import type { CallMedia, CallSignaller } from './call-signals.ts';
import { CallStatus, type ChosenDevices } from './call-types.ts';
import { FailCode, ReconnectCode } from './call-codes.ts';
import { CallSignalling, type CurrentCall } from './call-signalling.ts';
import { CallStateManager, type ReadonlySignal } from './call-state-manager.ts';
import { CallTimeoutManager, TimeoutKind } from './call-timeout-manager.ts';
import { ReconnectionManager, type ReconnectPolicy } from './reconnection-manager.ts';
import type { RtcEngine, RtcEngineEvents } from './rtc-engine.ts';
import { realTimers, type Timers } from './timers.ts';
import { WebRtcEngine } from './webrtc-engine.ts';
import { DevicePreferences } from '../device/device-preferences.ts';

/** Options of {@link CallController}. */
export interface CallControllerOptions {
  /** The local user's id. */
  selfId: string;
  /** Carries call signals over the Flare connection. */
  signaller: CallSignaller;
  /** Makes the media engine of a call (by `call.engine`); default: the built-in WebRTC engine. */
  createEngine?: (call: CurrentCall) => RtcEngine;
  /** Devices to capture from (default: the ones remembered by the last device check, else the browser's defaults). */
  devices?: () => Partial<ChosenDevices>;
  /** STUN/TURN for the default WebRTC engine. */
  iceServers?: RTCIceServer[];
  timers?: Timers;
  /** Timeout durations (no-answer 30 s, ringing 30 s, connect 20 s by default). */
  timeouts?: Partial<Record<TimeoutKind, number>>;
  reconnectPolicy?: ReconnectPolicy;
  /** How often participant statistics are read (default 2000 ms). */
  statsIntervalMs?: number;
}

/** Calls of one user. */
export class CallController {
  readonly state: CallStateManager;
  readonly signalling: CallSignalling;
  readonly #o: CallControllerOptions;
  readonly #timers: Timers;
  readonly #timeouts: CallTimeoutManager;
  readonly #reconnection: ReconnectionManager;
  readonly #localStream = signal<MediaStream | null>(null);
  readonly #localVersion = signal(0);
  readonly #remoteStreams = signal<ReadonlyMap<string, MediaStream>>(new Map());
  readonly #cleanup: Array<() => void> = [];
  #engine: RtcEngine | null = null;
  #engineOff: Array<() => void> = [];
  #statsTimer: unknown = null;

  /** Local capture for the self-view; `localTracksVersion` changes when its tracks change. */
  readonly localStream: ReadonlySignal<MediaStream | null> = computed(() => this.#localStream.get());
  readonly localTracksVersion: ReadonlySignal<number> = computed(() => this.#localVersion.get());
  /** Remote media by participant id. */
  readonly remoteStreams: ReadonlySignal<ReadonlyMap<string, MediaStream>> = computed(() => this.#remoteStreams.get());

  constructor(options: CallControllerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    this.state = new CallStateManager({ timers: this.#timers });
    this.#timeouts = new CallTimeoutManager({ timers: this.#timers, durations: options.timeouts });
    this.#reconnection = new ReconnectionManager(this.state, { timers: this.#timers, policy: options.reconnectPolicy });
    this.signalling = new CallSignalling({ selfId: options.selfId, signaller: options.signaller, state: this.state, timeouts: this.#timeouts });
    this.#cleanup.push(
      this.signalling.on('accepted', (call) => void this.#startMedia(call)),
      this.state.onTransition((t) => {
        if (t.to === CallStatus.Ended || t.to === CallStatus.Failed) void this.#stopMedia();
      }),
    );
  }

  /** The current call's media engine, or null. */
  get engine(): RtcEngine | null {
    return this.#engine;
  }

  /** Rings `to`; returns the call id. */
  call(to: string, options: { media?: CallMedia; engine?: string } = {}): string {
    return this.signalling.call(to, options);
  }

  accept(): void {
    this.signalling.accept();
  }

  decline(): void {
    this.signalling.decline();
  }

  /** Ends the call in whatever phase it is. */
  hangup(): void {
    this.signalling.hangup();
  }

  async setMicrophoneMuted(muted: boolean): Promise<void> {
    await this.#engine?.setMicrophoneMuted(muted);
    this.state.updateLocalMedia({ audioEnabled: !muted });
  }

  async setCameraEnabled(enabled: boolean): Promise<void> {
    await this.#engine?.setCameraEnabled(enabled);
    this.state.updateLocalMedia({ videoEnabled: enabled });
  }

  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    await this.#engine?.switchDevice(kind, deviceId);
  }

  /** Hangs up and stops listening. */
  async dispose(): Promise<void> {
    this.signalling.dispose();
    for (const off of this.#cleanup.splice(0)) off();
    await this.#stopMedia();
  }

  async #startMedia(call: CurrentCall): Promise<void> {
    // The engine must exist before this handler returns: the peer's first media signals can arrive
    // in the same batch as its accept, and the engine keeps signals that come before join.
    void this.#stopMedia();
    const engine = this.#o.createEngine?.(call) ?? new WebRtcEngine({ signaller: this.#o.signaller, iceServers: this.#o.iceServers, timers: this.#timers });
    this.#engine = engine;
    this.state.updateLocalMedia({ audioEnabled: call.media.audio, videoEnabled: call.media.video });
    this.#engineOff = this.#wire(engine, call);
    this.#timeouts.start(TimeoutKind.Connect, () => {
      this.state.setState(CallStatus.Failed, { code: FailCode.MEDIA_FAILED, reason: `media with ${call.peerId} did not connect` });
    });
    try {
      await engine.join({ callId: call.callId, selfId: this.#o.selfId, peers: [call.peerId], media: call.media, devices: (this.#o.devices ?? (() => new DevicePreferences().load()))() });
    } catch (error) {
      if (this.#engine === engine) this.state.setState(CallStatus.Failed, { code: FailCode.MEDIA_FAILED, reason: `could not start media: ${String(error)}` });
      return;
    }
    if (this.#engine !== engine) return;
    this.#localStream.set(engine.localStream);
    this.#pollStats(engine);
  }

  #wire(engine: RtcEngine, call: CurrentCall): Array<() => void> {
    const on = <K extends keyof RtcEngineEvents>(type: K, listener: (event: RtcEngineEvents[K]) => void) => engine.on(type, listener);
    const restart = (code: typeof ReconnectCode[keyof typeof ReconnectCode]) =>
      void this.#reconnection.start((ctx) => engine.restart(ctx), { code, reason: `media connection to ${call.peerId} lost` });
    return [
      on('local-tracks', () => {
        this.#localStream.set(engine.localStream);
        this.#localVersion.set(this.#localVersion.get() + 1);
      }),
      on('remote-track', ({ participantId, stream }) => {
        const map = new Map(this.#remoteStreams.get());
        map.set(participantId, stream);
        this.#remoteStreams.set(map);
      }),
      on('participant-joined', ({ participantId }) => this.state.updateParticipant(participantId, {})),
      on('participant-left', ({ participantId }) => {
        this.state.removeParticipant(participantId);
        const map = new Map(this.#remoteStreams.get());
        if (map.delete(participantId)) this.#remoteStreams.set(map);
      }),
      on('participant-connection', ({ participantId, connection }) => {
        this.state.updateParticipant(participantId, { connection });
        if (connection === 'connected') this.#timeouts.clear(TimeoutKind.Connect);
        // One-to-one: the peer's path is the call's path, so start restoring it at once.
        if (connection === 'reconnecting' && this.state.status.get() === CallStatus.InCall) restart(ReconnectCode.CONNECTION_LOST);
      }),
      on('remote-media-state', ({ participantId, audioEnabled, videoEnabled }) => this.state.updateParticipant(participantId, { audioEnabled, videoEnabled })),
      on('connection-failed', () => restart(ReconnectCode.ICE_FAILED)),
    ];
  }

  #pollStats(engine: RtcEngine): void {
    const tick = async () => {
      if (this.#engine !== engine) return;
      try {
        for (const stats of await engine.getStats()) {
          if (this.#engine !== engine) return;
          const { participantId, rttMs, jitterMs, packetLoss, level } = stats;
          this.state.updateParticipant(participantId, { quality: { rttMs, jitterMs, packetLoss, level } });
        }
      } catch {
        // Statistics are best effort; the next tick tries again.
      }
      if (this.#engine === engine) this.#statsTimer = this.#timers.setTimeout(() => void tick(), this.#o.statsIntervalMs ?? 2000);
    };
    this.#statsTimer = this.#timers.setTimeout(() => void tick(), this.#o.statsIntervalMs ?? 2000);
  }

  async #stopMedia(): Promise<void> {
    const engine = this.#engine;
    this.#engine = null;
    if (this.#statsTimer !== null) this.#timers.clearTimeout(this.#statsTimer);
    this.#statsTimer = null;
    this.#timeouts.clear(TimeoutKind.Connect);
    this.#reconnection.cancel();
    for (const off of this.#engineOff.splice(0)) off();
    this.#remoteStreams.set(new Map());
    this.#localStream.set(null);
    if (!engine) return;
    await engine.leave();
    if (engine instanceof WebRtcEngine && !this.#o.createEngine) await engine.dispose();
  }
}
