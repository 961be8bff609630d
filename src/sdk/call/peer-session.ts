/**
 * One RTCPeerConnection to one remote participant, negotiated with the "perfect negotiation" pattern
 * (W3C WebRTC spec, section 10.7 / MDN): the impolite side makes the first offer, after that both
 * sides may offer at any time; on a collision the polite side rolls back and the impolite side
 * ignores the other's offer. Politeness is decided by comparing
 * user ids, so the two sides always disagree. Signals are applied strictly in arrival order.
 */
import type { CallMediaSignal } from './call-signals.ts';
import type { ParticipantConnection } from './call-state-manager.ts';
import type { Emitter } from './emitter.ts';
import type { RtcEngineEvents, ParticipantStats } from './rtc-engine.ts';
import type { Timers } from './timers.ts';
import { readPeerStats, type InboundCounters } from './webrtc-stats.ts';
import { CallError } from './call-error.ts';

/** What a session needs from its engine. */
export interface PeerSessionOptions {
  callId: string;
  selfId: string;
  peerId: string;
  configuration: RTCConfiguration;
  /** Local capture; its current tracks are sent from the start. */
  localStream: MediaStream;
  /** Sends a media signal to this peer. */
  send: (signal: CallMediaSignal) => void;
  events: Emitter<RtcEngineEvents>;
  timers: Timers;
}

const CONNECTION: Record<RTCPeerConnectionState, ParticipantConnection> = {
  new: 'connecting',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'reconnecting',
  failed: 'reconnecting',
  closed: 'disconnected',
};

function iceUfrag(description: RTCSessionDescription | null): string | null {
  return description?.sdp.match(/^a=ice-ufrag:(\S+)/m)?.[1] ?? null;
}

/** A perfect-negotiation peer connection. */
export class PeerSession {
  readonly pc: RTCPeerConnection;
  /** The polite side yields on offer collisions. */
  readonly polite: boolean;
  readonly peerId: string;
  readonly #o: PeerSessionOptions;
  readonly #senders = new Map<'audio' | 'video', RTCRtpSender>();
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswerPending = false;
  /** Whether an offer from the peer has been answered (the polite side offers only after that). */
  #answeredOffer = false;
  #queue: Promise<void> = Promise.resolve();
  #counters: InboundCounters | undefined;
  #closed = false;

  constructor(options: PeerSessionOptions) {
    this.#o = options;
    this.peerId = options.peerId;
    this.polite = options.selfId < options.peerId;
    const pc = (this.pc = new RTCPeerConnection(options.configuration));
    for (const track of options.localStream.getTracks()) {
      this.#senders.set(track.kind as 'audio' | 'video', pc.addTrack(track, options.localStream));
    }
    pc.onnegotiationneeded = async () => {
      // The first offer is the impolite side's: an initial collision makes the polite side roll back
      // its offer while its ICE gathering runs, and Chromium then never gathers for the answer (no
      // candidates, the call cannot connect). Later renegotiation may start from either side.
      if (this.polite && !this.#answeredOffer) return;
      try {
        this.#makingOffer = true;
        await pc.setLocalDescription();
        if (pc.localDescription) this.#send({ type: 'description', callId: options.callId, description: pc.localDescription.toJSON() });
      } catch (error) {
        this.#report('negotiation', error);
      } finally {
        this.#makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      // A null candidate only marks the end of gathering; the remote side does not need it.
      if (candidate && candidate.candidate) this.#send({ type: 'candidate', callId: options.callId, candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track, streams }) => {
      const kind = track.kind as 'audio' | 'video';
      const stream = streams[0] ?? new MediaStream([track]);
      options.events.emit('remote-track', { participantId: this.peerId, kind, track, stream });
      track.addEventListener('ended', () => options.events.emit('remote-track-removed', { participantId: this.peerId, kind }), { once: true });
    };
    pc.onconnectionstatechange = () => {
      if (this.#closed) return;
      const state = pc.connectionState;
      options.events.emit('participant-connection', { participantId: this.peerId, connection: CONNECTION[state] });
      if (state === 'failed') options.events.emit('connection-failed', { participantId: this.peerId, reason: 'ice-failed' });
    };
  }

  /** Applies a signal from this peer, after every signal received before it. */
  handle(signal: CallMediaSignal): Promise<void> {
    this.#queue = this.#queue.then(() => this.#apply(signal)).catch((error) => this.#report(signal.type, error));
    return this.#queue;
  }

  /** Sends `track` as this session's `kind` (null stops sending); renegotiates only for a new kind. */
  async setTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null, stream: MediaStream): Promise<void> {
    const sender = this.#senders.get(kind);
    if (sender) await sender.replaceTrack(track);
    else if (track) this.#senders.set(kind, this.pc.addTrack(track, stream));
  }

  /**
   * Restarts ICE and resolves once the restart's negotiation is done (new ICE credentials in both
   * descriptions) and the connection is up; rejects after `timeoutMs` or on abort.
   */
  restartIce(options: { signal?: AbortSignal; timeoutMs: number }): Promise<void> {
    const pc = this.pc;
    const before = iceUfrag(pc.localDescription);
    if (options.signal?.aborted) return Promise.reject(CallError.aborted('ICE restart aborted'));
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        const ufrag = iceUfrag(pc.localDescription);
        if (pc.connectionState === 'closed') return finish(CallError.mediaFailed('peer connection closed'));
        if (ufrag !== null && ufrag !== before && pc.signalingState === 'stable' && pc.connectionState === 'connected') finish();
      };
      const onAbort = () => finish(CallError.aborted('ICE restart aborted'));
      const timer = this.#o.timers.setTimeout(() => finish(CallError.mediaFailed('ICE restart timed out', undefined, { timeoutMs: options.timeoutMs })), options.timeoutMs);
      const finish = (error?: Error) => {
        this.#o.timers.clearTimeout(timer);
        pc.removeEventListener('connectionstatechange', check);
        pc.removeEventListener('signalingstatechange', check);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      pc.addEventListener('connectionstatechange', check);
      pc.addEventListener('signalingstatechange', check);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      pc.restartIce();
    });
  }

  /** Graded statistics of this connection since the previous call. */
  async stats(): Promise<ParticipantStats> {
    const { stats, counters } = readPeerStats(this.peerId, await this.pc.getStats(), this.#counters);
    this.#counters = counters;
    return stats;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.close();
  }

  async #apply(signal: CallMediaSignal): Promise<void> {
    if (this.#closed) return;
    const pc = this.pc;
    if (signal.type === 'description') {
      const description = signal.description;
      const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswerPending);
      const offerCollision = description.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.polite && offerCollision;
      if (this.#ignoreOffer) return;
      this.#settingRemoteAnswerPending = description.type === 'answer';
      await pc.setRemoteDescription(description); // rolls back our own offer when polite
      this.#settingRemoteAnswerPending = false;
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        if (pc.localDescription) this.#send({ type: 'description', callId: this.#o.callId, description: pc.localDescription.toJSON() });
        this.#answeredOffer = true;
      }
    } else if (signal.type === 'candidate') {
      try {
        await pc.addIceCandidate(signal.candidate);
      } catch (error) {
        // Candidates of an offer we ignored cannot be added; anything else is a real failure.
        if (!this.#ignoreOffer) throw error;
      }
    } else if (signal.type === 'media-state') {
      this.#o.events.emit('remote-media-state', { participantId: this.peerId, audioEnabled: signal.audio, videoEnabled: signal.video });
    }
  }

  #send(signal: CallMediaSignal): void {
    if (!this.#closed) this.#o.send(signal);
  }

  #report(what: string, error: unknown): void {
    if (this.#closed) return;
    console.warn(`flare call: ${what} with ${this.peerId} failed`, error);
  }
}
