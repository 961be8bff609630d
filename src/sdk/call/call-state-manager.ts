/**
 * The call's state as signals (the seed's MobX CallStateManager, on TC39 signals: ../signals.ts). Signals are
 * created here and handed out read-only as `Computed`s; every change of the call status goes through
 * {@link CallStateManager.setState} with a reason code, and illegal transitions are refused.
 */
import { computed, signal, type ReadonlySignal } from '../signals.ts';
import { CallStatus, PageStatus, type DeviceHealthStatus, type NetworkQuality } from './call-types.ts';
import type { CallStateCode } from './call-codes.ts';
import { realTimers, type Timers } from './timers.ts';

export type { ReadonlySignal };

/** Which status may follow which. Terminal states may start a new call directly. */
const TRANSITIONS: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  [CallStatus.Idle]: [CallStatus.Calling, CallStatus.Ringing],
  [CallStatus.Calling]: [CallStatus.InCall, CallStatus.Ended, CallStatus.Failed],
  [CallStatus.Ringing]: [CallStatus.InCall, CallStatus.Ended, CallStatus.Failed],
  [CallStatus.InCall]: [CallStatus.Reconnecting, CallStatus.Ended, CallStatus.Failed],
  [CallStatus.Reconnecting]: [CallStatus.InCall, CallStatus.Ended, CallStatus.Failed],
  [CallStatus.Failed]: [CallStatus.Idle, CallStatus.Calling, CallStatus.Ringing],
  [CallStatus.Ended]: [CallStatus.Idle, CallStatus.Calling, CallStatus.Ringing],
};

/** Whether `to` may follow `from`. */
export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** One status change, as recorded and reported. */
export interface CallTransition {
  from: CallStatus;
  to: CallStatus;
  code: CallStateCode;
  reason: string;
  /** Clock time of the change (the injected clock's milliseconds). */
  at: number;
}

/** Connection of one remote participant's media. */
export type ParticipantConnection = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** What the call knows about one remote participant. */
export interface ParticipantState {
  id: string;
  audioEnabled: boolean;
  videoEnabled: boolean;
  connection: ParticipantConnection;
  /** Latest graded statistics of the media path to this participant; null until measured. */
  quality: NetworkQuality | null;
}

/** The local side's media switches. */
export interface LocalMediaState {
  audioEnabled: boolean;
  videoEnabled: boolean;
}

/** Progress of the reconnection manager. */
export interface ReconnectionStatus {
  active: boolean;
  /** Attempts made so far in this episode. */
  attempts: number;
  /** Delay before the next attempt, or null when none is scheduled. */
  nextDelayMs: number | null;
}

const IDLE_RECONNECTION: ReconnectionStatus = { active: false, attempts: 0, nextDelayMs: null };
const ACTIVE = new Set<CallStatus>([CallStatus.Calling, CallStatus.Ringing, CallStatus.InCall, CallStatus.Reconnecting]);

/** The state of one call at a time, as read-only signals. */
export class CallStateManager {
  readonly #status = signal<CallStatus>(CallStatus.Idle);
  readonly #lastTransition = signal<CallTransition | null>(null);
  readonly #pageStatus = signal<PageStatus>(PageStatus.Normal);
  readonly #deviceHealth = signal<DeviceHealthStatus | null>(null);
  readonly #localQuality = signal<NetworkQuality | null>(null);
  readonly #localMedia = signal<LocalMediaState>({ audioEnabled: true, videoEnabled: true });
  readonly #participants = signal<ReadonlyMap<string, ParticipantState>>(new Map());
  readonly #reconnection = signal<ReconnectionStatus>(IDLE_RECONNECTION);
  readonly #listeners = new Set<(change: CallTransition) => void>();
  readonly #timers: Timers;

  /** Current call status. */
  readonly status: ReadonlySignal<CallStatus> = computed(() => this.#status.get());
  /** The last status change with its code and reason. */
  readonly lastTransition: ReadonlySignal<CallTransition | null> = computed(() => this.#lastTransition.get());
  /** True while a call is being set up or is running. */
  readonly isActive: ReadonlySignal<boolean> = computed(() => ACTIVE.has(this.#status.get()));
  /** How the call view is shown. */
  readonly pageStatus: ReadonlySignal<PageStatus> = computed(() => this.#pageStatus.get());
  /** Outcome of the last device check. */
  readonly deviceHealth: ReadonlySignal<DeviceHealthStatus | null> = computed(() => this.#deviceHealth.get());
  /** Quality of the local side's own path (uplink), when an engine reports it. */
  readonly localQuality: ReadonlySignal<NetworkQuality | null> = computed(() => this.#localQuality.get());
  /** Local microphone and camera switches. */
  readonly localMedia: ReadonlySignal<LocalMediaState> = computed(() => this.#localMedia.get());
  /** Remote participants by id. */
  readonly participants: ReadonlySignal<ReadonlyMap<string, ParticipantState>> = computed(() => this.#participants.get());
  /** Reconnection progress. */
  readonly reconnection: ReadonlySignal<ReconnectionStatus> = computed(() => this.#reconnection.get());

  constructor(options: { timers?: Timers } = {}) {
    this.#timers = options.timers ?? realTimers;
  }

  /**
   * Moves the call to `next`. Returns false (and changes nothing) when the transition is not allowed,
   * which happens legitimately when two events race (a remote hang-up arriving after a local one).
   * Starting a new call clears the previous call's participants and reconnection progress.
   */
  setState(next: CallStatus, change: { code: CallStateCode; reason?: string }): boolean {
    const from = this.#status.get();
    if (!canTransition(from, next)) return false;
    if (next === CallStatus.Calling || next === CallStatus.Ringing || next === CallStatus.Idle) {
      this.#participants.set(new Map());
      this.#reconnection.set(IDLE_RECONNECTION);
      this.#localQuality.set(null);
    }
    if (next === CallStatus.InCall || next === CallStatus.Ended || next === CallStatus.Failed) {
      this.#reconnection.set(IDLE_RECONNECTION);
    }
    const transition: CallTransition = { from, to: next, code: change.code, reason: change.reason ?? change.code, at: this.#timers.now() };
    this.#status.set(next);
    this.#lastTransition.set(transition);
    for (const listener of this.#listeners) listener(transition);
    return true;
  }

  /** Calls `listener` after every status change; returns the unsubscribe function. */
  onTransition(listener: (change: CallTransition) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  setPageStatus(next: PageStatus): void {
    this.#pageStatus.set(next);
  }

  setDeviceHealth(status: DeviceHealthStatus | null): void {
    this.#deviceHealth.set(status);
  }

  setLocalQuality(quality: NetworkQuality | null): void {
    this.#localQuality.set(quality);
  }

  updateLocalMedia(patch: Partial<LocalMediaState>): void {
    this.#localMedia.set({ ...this.#localMedia.get(), ...patch });
  }

  setReconnection(status: ReconnectionStatus): void {
    this.#reconnection.set(status);
  }

  /** Adds a participant or changes some of its fields. */
  updateParticipant(id: string, patch: Partial<Omit<ParticipantState, 'id'>>): void {
    const map = new Map(this.#participants.get());
    const current: ParticipantState = map.get(id) ?? { id, audioEnabled: true, videoEnabled: true, connection: 'connecting', quality: null };
    map.set(id, { ...current, ...patch, id });
    this.#participants.set(map);
  }

  removeParticipant(id: string): void {
    if (!this.#participants.get().has(id)) return;
    const map = new Map(this.#participants.get());
    map.delete(id);
    this.#participants.set(map);
  }
}
