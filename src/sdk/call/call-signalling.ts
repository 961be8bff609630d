/**
 * Call setup over the Flare connection: ring, accept, decline, busy, cancel, hang-up and the no-answer
 * timeout (the seed's CallTimeoutManager, 30 s by default). Neither LiveKit nor Agora's RTC SDK has
 * this layer; here it is a small protocol of {@link CallControlSignal}s between two user ids, driving
 * the {@link CallStateManager}. Media is not its business: `accepted` tells the caller of this class
 * that both sides agreed, and the media engine takes over.
 */
import { computed, signal } from '../signals.ts';
import type { CallControlSignal, CallMedia, CallSignaller, IncomingCallSignal } from './call-signals.ts';
import { CallStatus } from './call-types.ts';
import { ConnectCode, EndCode, FailCode, StartCode, type CallStateCode } from './call-codes.ts';
import type { CallStateManager, ReadonlySignal } from './call-state-manager.ts';
import { CallTimeoutManager, TimeoutKind } from './call-timeout-manager.ts';
import { Emitter } from './emitter.ts';
import { CallError } from './call-error.ts';

/** The call being set up or running. */
export interface CurrentCall {
  callId: string;
  peerId: string;
  direction: 'outgoing' | 'incoming';
  media: CallMedia;
  /** Media engine named by the caller (`webrtc`, `agora`). */
  engine: string;
}

/** Events of {@link CallSignalling}; one context object each. */
export interface CallSignallingEvents {
  /** Someone is calling; answer with `accept()` or `decline()`. */
  incoming: CurrentCall;
  /** Both sides agreed: start media. */
  accepted: CurrentCall;
  /** The call is over (ended or failed), for whatever reason. */
  ended: CurrentCall & { status: 'ended' | 'failed'; code: CallStateCode };
  /** A call arrived while this user was busy and was refused with `busy`. */
  'rejected-busy': { callId: string; from: string };
}

/** Options of {@link CallSignalling}. */
export interface CallSignallingOptions {
  /** The local user's id. */
  selfId: string;
  signaller: CallSignaller;
  state: CallStateManager;
  /** Shared timeouts (no-answer, ringing); a default manager is made when absent. */
  timeouts?: CallTimeoutManager;
  /** Call id factory (default `crypto.randomUUID`). */
  newCallId?: () => string;
}

const CONTROL = new Set(['ring', 'accept', 'decline', 'busy', 'cancel', 'hangup']);

/** One user's side of call setup; at most one call at a time (a second caller gets `busy`). */
export class CallSignalling {
  readonly #o: CallSignallingOptions;
  readonly #timeouts: CallTimeoutManager;
  readonly #events = new Emitter<CallSignallingEvents>();
  readonly #current = signal<CurrentCall | null>(null);
  readonly #unsubscribe: Array<() => void> = [];

  /** The call being set up or running, or null. */
  readonly current: ReadonlySignal<CurrentCall | null> = computed(() => this.#current.get());

  constructor(options: CallSignallingOptions) {
    this.#o = options;
    this.#timeouts = options.timeouts ?? new CallTimeoutManager();
    this.#unsubscribe.push(options.signaller.onSignal((event) => this.#onSignal(event)));
    // A call that ends or fails for a reason outside this class (media failure, reconnection given
    // up) still has to be closed towards the other side.
    this.#unsubscribe.push(
      options.state.onTransition((t) => {
        if ((t.to === CallStatus.Ended || t.to === CallStatus.Failed) && this.#current.get()) {
          this.#send({ type: 'hangup', callId: this.#current.get()!.callId });
          this.#finish(t.to, t.code);
        }
      }),
    );
  }

  on<K extends keyof CallSignallingEvents>(type: K, listener: (event: CallSignallingEvents[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  /** Rings `to`. Returns the call id. Throws when a call is already active. */
  call(to: string, options: { media?: CallMedia; engine?: string } = {}): string {
    if (this.#o.state.isActive.get()) throw CallError.invalidState('a call is already active');
    const call: CurrentCall = {
      callId: (this.#o.newCallId ?? (() => crypto.randomUUID()))(),
      peerId: to,
      direction: 'outgoing',
      media: options.media ?? { audio: true, video: true },
      engine: options.engine ?? 'webrtc',
    };
    this.#current.set(call);
    this.#o.state.setState(CallStatus.Calling, { code: StartCode.OUTGOING, reason: `calling ${to}` });
    this.#o.state.updateParticipant(to, { connection: 'connecting' });
    this.#timeouts.start(TimeoutKind.NoAnswer, () => {
      this.#send({ type: 'cancel', callId: call.callId });
      this.#end(CallStatus.Failed, FailCode.NO_ANSWER, `${to} did not answer`);
    });
    void Promise.resolve()
      .then(() => this.#o.signaller.send(to, { type: 'ring', callId: call.callId, media: call.media, engine: call.engine }))
      .catch((error) => {
        if (this.#current.get() === call) this.#end(CallStatus.Failed, FailCode.SIGNALLING_FAILED, `could not ring ${to}: ${String(error)}`);
      });
    return call.callId;
  }

  /** Answers the ringing incoming call. */
  accept(): void {
    const call = this.#current.get();
    if (!call || call.direction !== 'incoming' || this.#o.state.status.get() !== CallStatus.Ringing) return;
    this.#timeouts.clear(TimeoutKind.Ringing);
    this.#send({ type: 'accept', callId: call.callId });
    this.#o.state.setState(CallStatus.InCall, { code: ConnectCode.ACCEPTED, reason: `answered ${call.peerId}` });
    this.#events.emit('accepted', call);
  }

  /** Refuses the ringing incoming call. */
  decline(): void {
    const call = this.#current.get();
    if (!call || this.#o.state.status.get() !== CallStatus.Ringing) return;
    this.#send({ type: 'decline', callId: call.callId });
    this.#end(CallStatus.Ended, EndCode.DECLINED, `declined ${call.peerId}`);
  }

  /** Stops ringing the other side before they answered. */
  cancel(): void {
    const call = this.#current.get();
    if (!call || this.#o.state.status.get() !== CallStatus.Calling) return;
    this.#send({ type: 'cancel', callId: call.callId });
    this.#end(CallStatus.Ended, EndCode.CANCELLED, `cancelled the call to ${call.peerId}`);
  }

  /** Ends the call in whatever phase it is: cancel while calling, decline while ringing, hang up after. */
  hangup(): void {
    const status = this.#o.state.status.get();
    if (status === CallStatus.Calling) return this.cancel();
    if (status === CallStatus.Ringing) return this.decline();
    const call = this.#current.get();
    if (!call || (status !== CallStatus.InCall && status !== CallStatus.Reconnecting)) return;
    this.#send({ type: 'hangup', callId: call.callId });
    this.#end(CallStatus.Ended, EndCode.LOCAL_HANGUP, 'hung up');
  }

  /** Stops listening; the pending call, if any, is hung up. */
  dispose(): void {
    this.hangup();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#timeouts.clearAll();
    this.#events.clear();
  }

  #onSignal({ from, signal }: IncomingCallSignal): void {
    if (!CONTROL.has(signal.type)) return;
    const s = signal as CallControlSignal;
    const call = this.#current.get();
    const status = this.#o.state.status.get();
    if (s.type === 'ring') {
      if (call?.callId === s.callId) return; // a repeated ring
      if (this.#o.state.isActive.get()) {
        void Promise.resolve()
          .then(() => this.#o.signaller.send(from, { type: 'busy', callId: s.callId }))
          .catch(() => {});
        this.#events.emit('rejected-busy', { callId: s.callId, from });
        return;
      }
      const incoming: CurrentCall = { callId: s.callId, peerId: from, direction: 'incoming', media: s.media, engine: s.engine };
      this.#current.set(incoming);
      this.#o.state.setState(CallStatus.Ringing, { code: StartCode.INCOMING, reason: `${from} is calling` });
      this.#o.state.updateParticipant(from, { connection: 'connecting', audioEnabled: s.media.audio, videoEnabled: s.media.video });
      this.#timeouts.start(TimeoutKind.Ringing, () => {
        this.#send({ type: 'decline', callId: incoming.callId, reason: 'no-answer' });
        this.#end(CallStatus.Ended, EndCode.MISSED, `missed call from ${from}`);
      });
      this.#events.emit('incoming', incoming);
      return;
    }
    if (!call || call.callId !== s.callId || call.peerId !== from) return;
    switch (s.type) {
      case 'accept':
        if (status !== CallStatus.Calling) return;
        this.#timeouts.clear(TimeoutKind.NoAnswer);
        this.#o.state.setState(CallStatus.InCall, { code: ConnectCode.ACCEPTED, reason: `${from} answered` });
        this.#events.emit('accepted', call);
        return;
      case 'decline':
        if (status !== CallStatus.Calling) return;
        if (s.reason === 'no-answer') this.#end(CallStatus.Failed, FailCode.NO_ANSWER, `${from} did not answer`);
        else this.#end(CallStatus.Ended, EndCode.REMOTE_DECLINED, `${from} declined`);
        return;
      case 'busy':
        if (status === CallStatus.Calling) this.#end(CallStatus.Ended, EndCode.BUSY, `${from} is busy`);
        return;
      case 'cancel':
        if (status === CallStatus.Ringing) this.#end(CallStatus.Ended, EndCode.REMOTE_CANCELLED, `${from} cancelled`);
        return;
      case 'hangup':
        if (status === CallStatus.InCall || status === CallStatus.Reconnecting) this.#end(CallStatus.Ended, EndCode.REMOTE_HANGUP, `${from} hung up`);
        else if (status === CallStatus.Calling || status === CallStatus.Ringing) this.#end(CallStatus.Ended, EndCode.REMOTE_CANCELLED, `${from} hung up`);
        return;
    }
  }

  /** Moves the state to ended/failed and cleans up, without notifying the peer again. */
  #end(status: typeof CallStatus.Ended | typeof CallStatus.Failed, code: CallStateCode, reason: string): void {
    const call = this.#current.get();
    // Clear first so the transition listener does not send a second hang-up.
    this.#current.set(null);
    this.#o.state.setState(status, { code, reason });
    this.#current.set(call);
    this.#finish(status, code);
  }

  #finish(status: typeof CallStatus.Ended | typeof CallStatus.Failed, code: CallStateCode): void {
    const call = this.#current.get();
    this.#timeouts.clear(TimeoutKind.NoAnswer);
    this.#timeouts.clear(TimeoutKind.Ringing);
    this.#current.set(null);
    if (call) this.#events.emit('ended', { ...call, status, code });
  }

  #send(signal: CallControlSignal): void {
    const call = this.#current.get();
    if (!call) return;
    void Promise.resolve()
      .then(() => this.#o.signaller.send(call.peerId, signal))
      .catch(() => {
        // Best effort: the other side's own timeouts end a call whose teardown signal was lost.
      });
  }
}
