/**
 * The built-in media engine: peer-to-peer WebRTC, one {@link PeerSession} per remote participant,
 * negotiated through a {@link CallSignaller} (the SDK carries it over the Flare connection). STUN and
 * TURN servers are configurable; without any, only host candidates are used (enough on one machine or
 * one LAN; add TURN for restrictive NATs). Signals that arrive before `join` are kept and replayed.
 */
import type { CallMediaSignal, CallSignaller, IncomingCallSignal } from './call-signals.ts';
import { Emitter } from './emitter.ts';
import { PeerSession } from './peer-session.ts';
import {
  captureLocalMedia,
  RtcEngineKind,
  type ParticipantStats,
  type RtcEngine,
  type RtcEngineEvents,
  type RtcJoinOptions,
} from './rtc-engine.ts';
import { realTimers, type Timers } from './timers.ts';
import { CallError } from './call-error.ts';

/** Options of {@link WebRtcEngine}. */
export interface WebRtcEngineOptions {
  /** Carries offers, answers, candidates and media state to the other participants. */
  signaller: CallSignaller;
  /** STUN / TURN servers, e.g. `[{ urls: 'stun:stun.example.org' }, { urls: 'turn:turn.example.org', username, credential }]`. */
  iceServers?: RTCIceServer[];
  /** `relay` forces TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Where local media comes from (a test seam; default `navigator.mediaDevices`). */
  mediaDevices?: Pick<MediaDevices, 'getUserMedia'>;
  /** How long one ICE restart may take before the attempt counts as failed (default 10 s). */
  restartTimeoutMs?: number;
  timers?: Timers;
}

const MEDIA_SIGNALS = new Set(['description', 'candidate', 'media-state']);
/** Signals kept for a call that has not been joined yet. */
const MAX_EARLY_SIGNALS = 500;

/** Peer-to-peer WebRTC engine. */
export class WebRtcEngine implements RtcEngine {
  readonly kind = RtcEngineKind.WebRtc;
  readonly #o: WebRtcEngineOptions;
  readonly #events = new Emitter<RtcEngineEvents>();
  readonly #sessions = new Map<string, PeerSession>();
  readonly #early: IncomingCallSignal[] = [];
  #join: RtcJoinOptions | null = null;
  #stream: MediaStream | null = null;
  #audioMuted = false;
  #unsubscribe: (() => void) | null;

  constructor(options: WebRtcEngineOptions) {
    this.#o = options;
    this.#unsubscribe = options.signaller.onSignal((event) => this.#onSignal(event));
  }

  get localStream(): MediaStream | null {
    return this.#stream;
  }

  on<K extends keyof RtcEngineEvents>(type: K, listener: (event: RtcEngineEvents[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  async join(options: RtcJoinOptions): Promise<void> {
    if (this.#join) throw CallError.invalidState('already joined');
    this.#join = options;
    this.#audioMuted = false;
    const stream = await captureLocalMedia(this.#mediaDevices(), options.media, options.devices);
    if (this.#join !== options) {
      // left while capturing
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.#stream = stream;
    this.#emitLocalTracks();
    for (const peerId of options.peers) this.#session(peerId);
    // Replay what arrived early, in order, for this call only.
    const early = this.#early.splice(0);
    for (const event of early) this.#onSignal(event);
  }

  async leave(): Promise<void> {
    this.#join = null;
    this.#early.length = 0;
    for (const [peerId, session] of this.#sessions) {
      session.close();
      this.#events.emit('participant-left', { participantId: peerId, reason: 'leave' });
    }
    this.#sessions.clear();
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
  }

  /** Stops listening to the signaller; the engine cannot be used afterwards. */
  async dispose(): Promise<void> {
    await this.leave();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#events.clear();
  }

  async setMicrophoneMuted(muted: boolean): Promise<void> {
    this.#audioMuted = muted;
    for (const track of this.#stream?.getAudioTracks() ?? []) track.enabled = !muted;
    this.#broadcastMediaState();
  }

  async setCameraEnabled(enabled: boolean): Promise<void> {
    const stream = this.#requireStream();
    const current = stream.getVideoTracks()[0] ?? null;
    if (enabled === (current !== null)) return;
    if (!enabled) {
      // Stop capture so the camera light goes off; the sender keeps its slot (no renegotiation).
      stream.removeTrack(current!);
      current!.stop();
      await this.#setTrack('video', null);
    } else {
      const videoInput = this.#join?.devices?.videoInput;
      const capture = await captureLocalMedia(this.#mediaDevices(), { audio: false, video: true }, { videoInput });
      const track = capture.getVideoTracks()[0]!;
      stream.addTrack(track);
      await this.#setTrack('video', track);
    }
    this.#emitLocalTracks();
    this.#broadcastMediaState();
  }

  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const stream = this.#requireStream();
    const isAudio = kind === 'audioinput';
    const old = (isAudio ? stream.getAudioTracks() : stream.getVideoTracks())[0] ?? null;
    if (this.#join) this.#join = { ...this.#join, devices: { ...this.#join.devices, [isAudio ? 'audioInput' : 'videoInput']: deviceId } };
    // A camera that is off stays off; the new device is used when it is turned on.
    if (!isAudio && !old) return;
    const capture = await this.#mediaDevices().getUserMedia(isAudio ? { audio: { deviceId: { exact: deviceId } } } : { video: { deviceId: { exact: deviceId } } });
    const track = (isAudio ? capture.getAudioTracks() : capture.getVideoTracks())[0]!;
    if (isAudio) track.enabled = !this.#audioMuted;
    if (old) {
      stream.removeTrack(old);
      old.stop();
    }
    stream.addTrack(track);
    await this.#setTrack(isAudio ? 'audio' : 'video', track);
    this.#emitLocalTracks();
  }

  async getStats(): Promise<ParticipantStats[]> {
    return Promise.all([...this.#sessions.values()].map((session) => session.stats()));
  }

  async restart({ signal }: { retryCount: number; signal: AbortSignal }): Promise<void> {
    const timeoutMs = this.#o.restartTimeoutMs ?? 10_000;
    const sessions = [...this.#sessions.values()].filter((s) => s.pc.connectionState !== 'connected' || this.#sessions.size === 1);
    if (sessions.length === 0) throw CallError.mediaFailed('no peer connection to restart');
    await Promise.all(sessions.map((session) => session.restartIce({ signal, timeoutMs })));
  }

  /** The peer connection to `peerId` (for diagnostics and tests); undefined when there is none. */
  peerConnection(peerId: string): RTCPeerConnection | undefined {
    return this.#sessions.get(peerId)?.pc;
  }

  #onSignal(event: IncomingCallSignal): void {
    const { from, signal } = event;
    if (!MEDIA_SIGNALS.has(signal.type)) return;
    const join = this.#join;
    if (!join || !this.#stream) {
      if (this.#early.length < MAX_EARLY_SIGNALS) this.#early.push(event);
      return;
    }
    if (signal.callId !== join.callId || from === join.selfId) return;
    void this.#session(from).handle(signal as CallMediaSignal);
  }

  #session(peerId: string): PeerSession {
    let session = this.#sessions.get(peerId);
    if (session) return session;
    const join = this.#join!;
    session = new PeerSession({
      callId: join.callId,
      selfId: join.selfId,
      peerId,
      configuration: { iceServers: this.#o.iceServers ?? [], iceTransportPolicy: this.#o.iceTransportPolicy ?? 'all' },
      localStream: this.#stream!,
      send: (signal) => void this.#o.signaller.send(peerId, signal),
      events: this.#events,
      timers: this.#o.timers ?? realTimers,
    });
    this.#sessions.set(peerId, session);
    this.#events.emit('participant-joined', { participantId: peerId });
    void this.#o.signaller.send(peerId, this.#mediaState(join.callId));
    return session;
  }

  async #setTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const stream = this.#requireStream();
    await Promise.all([...this.#sessions.values()].map((session) => session.setTrack(kind, track, stream)));
  }

  #broadcastMediaState(): void {
    const join = this.#join;
    if (!join || !this.#stream) return;
    const signal = this.#mediaState(join.callId);
    for (const peerId of this.#sessions.keys()) void this.#o.signaller.send(peerId, signal);
  }

  #mediaState(callId: string): CallMediaSignal {
    const stream = this.#stream;
    return {
      type: 'media-state',
      callId,
      audio: !this.#audioMuted && (stream?.getAudioTracks().length ?? 0) > 0,
      video: (stream?.getVideoTracks().length ?? 0) > 0,
    };
  }

  #emitLocalTracks(): void {
    const stream = this.#stream;
    this.#events.emit('local-tracks', { audio: stream?.getAudioTracks()[0] ?? null, video: stream?.getVideoTracks()[0] ?? null });
  }

  #requireStream(): MediaStream {
    if (!this.#stream) throw CallError.invalidState('not joined');
    return this.#stream;
  }

  #mediaDevices(): Pick<MediaDevices, 'getUserMedia'> {
    return this.#o.mediaDevices ?? navigator.mediaDevices;
  }
}
