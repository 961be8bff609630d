/**
 * The connection state machine: every state change goes through one
 * `setState(next, {code, reason})`, which refuses transitions that are not in
 * the table below and codes that do not belong to the target state.
 *
 * ```
 *              connect()
 * Disconnected ---------> Connecting ----------> Connected
 *      ^                     |   \                 |   ^
 *      |                     v    \                v   |
 *      +---- disconnect() - Failed <---------- Reconnecting
 *                                        Kicked (terminal for automation)
 * ```
 * Kicked and Failed are left only by an explicit `connect()` or `disconnect()`.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { ConnectionState, isCodeOf, type CodeFor } from './codes.ts';

const S = ConnectionState;

/** The legal transitions: from each state, the states it may go to. */
export const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  [S.Disconnected]: [S.Connecting],
  [S.Connecting]: [S.Connected, S.Reconnecting, S.Failed, S.Disconnected, S.Kicked],
  [S.Connected]: [S.Reconnecting, S.Failed, S.Disconnected, S.Kicked],
  [S.Reconnecting]: [S.Connected, S.Failed, S.Disconnected, S.Kicked],
  [S.Failed]: [S.Connecting, S.Disconnected],
  [S.Kicked]: [S.Connecting, S.Disconnected],
};

/** What a transition carries besides its target. */
export interface TransitionInfo<S extends ConnectionState = ConnectionState> {
  /** A reason code of the target state (codes.ts). */
  code: CodeFor<S>;
  /** Human-readable detail (the server's message, the error text). */
  reason?: string;
}

/** One state change, as listeners receive it. */
export interface StateChange {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
  readonly code: string;
  readonly reason: string;
  /** Monotonic time of the change (Clock.now). */
  readonly at: number;
}

/** Receives every state change, in order, synchronously. */
export type StateListener = (change: StateChange) => void;

/** Injected dependencies of the state machine. */
export interface StateMachineOptions {
  /** Monotonic clock for `StateChange.at` (default performance.now). */
  now?: () => number;
  /** Receives what a listener threw (default console.error). */
  onListenerError?: (error: unknown) => void;
}

/** Whether `from -> to` is a legal transition. */
export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The connection state and its history of one transition. */
export class ConnectionStateMachine {
  #state: ConnectionState = S.Disconnected;
  #last: StateChange | null = null;
  readonly #listeners = new Set<StateListener>();
  readonly #now: () => number;
  readonly #onListenerError: (error: unknown) => void;

  constructor(options: StateMachineOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#onListenerError = options.onListenerError ?? ((e) => console.error('flare: state listener failed', e));
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The most recent change, or null before the first. */
  get lastChange(): StateChange | null {
    return this.#last;
  }

  /** Whether `next` is reachable from the current state. */
  can(next: ConnectionState): boolean {
    return canTransition(this.#state, next);
  }

  /**
   * Moves to `next`. Throws INVALID_STATE for an illegal transition (a
   * self-transition included) or a code of another state; listeners are then
   * not called and the state is unchanged.
   */
  setState<N extends ConnectionState>(next: N, info: TransitionInfo<N>): StateChange {
    const from = this.#state;
    if (!canTransition(from, next)) {
      throw new FlareError(ErrorCode.INVALID_STATE, `illegal transition ${from} -> ${next}`, {
        details: { from, to: next, code: info.code },
      });
    }
    if (!isCodeOf(next, info.code as string)) {
      throw new FlareError(ErrorCode.INVALID_STATE, `code ${String(info.code)} does not belong to state ${next}`, {
        details: { from, to: next, code: info.code },
      });
    }
    const change: StateChange = { from, to: next, code: info.code as string, reason: info.reason ?? '', at: this.#now() };
    this.#state = next;
    this.#last = change;
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (e) {
        // One faulty listener must not stop the others nor undo the transition.
        this.#onListenerError(e);
      }
    }
    return change;
  }

  /**
   * Like `setState`, but returns null instead of throwing when the transition
   * is illegal (for events that may race with a transition already made, such
   * as a transport closing after `disconnect()`).
   */
  trySetState<N extends ConnectionState>(next: N, info: TransitionInfo<N>): StateChange | null {
    return this.can(next) ? this.setState(next, info) : null;
  }

  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
