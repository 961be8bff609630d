/**
 * When to move a live session to the other transport: hysteresis, so it
 * never flaps.
 *
 * Scores are effective scores (racer.ts: the preferred kind, WebTransport,
 * counts 15 % and 2 points more). Moving *away* from the preferred kind needs the other to
 * lead by `awayMargin` points; moving *back* to it needs only `backMargin`
 * (default 0: back as soon as it is at least as good, preference included). The
 * gap between the two thresholds is the hysteresis band: with the defaults
 * (away 10, back 0), a WebTransport link scoring 80 is replaced only by a
 * WebSocket scoring above 104 (impossible: scores end at 100), one scoring 60
 * by a WebSocket above 81, and WebTransport wins back as soon as its score
 * times 1.15 plus 2 reaches WebSocket's. On top of that,
 * the lead must hold for `sustainMs` (one good probe is not a trend) and two
 * switches are at least `cooldownMs` apart.
 */
import type { TransportKind } from './transport.ts';

/** One side of the comparison. */
export interface ScoredKind {
  readonly kind: TransportKind;
  readonly score: number;
}

/** Options; every field has a default. */
export interface SwitchPolicyOptions {
  preferred?: TransportKind;
  /** Lead (points) the other kind needs to replace the preferred one (default 10). */
  awayMargin?: number;
  /** Lead (points) the preferred kind needs to come back (default 0). */
  backMargin?: number;
  /** How long the lead must hold (default 15000 ms). */
  sustainMs?: number;
  /** Least time between two switches (default 60000 ms). */
  cooldownMs?: number;
}

export const SWITCH_DEFAULTS = { preferred: 'webtransport', awayMargin: 10, backMargin: 0, sustainMs: 15_000, cooldownMs: 60_000 } as const;

/** Pure decision state: feed observations, get a decision. */
export class SwitchPolicy {
  readonly preferred: TransportKind;
  readonly awayMargin: number;
  readonly backMargin: number;
  readonly sustainMs: number;
  readonly cooldownMs: number;
  #leadSince: number | null = null;
  #lastSwitch = -Infinity;

  constructor(options: SwitchPolicyOptions = {}) {
    this.preferred = options.preferred ?? SWITCH_DEFAULTS.preferred;
    this.awayMargin = options.awayMargin ?? SWITCH_DEFAULTS.awayMargin;
    this.backMargin = options.backMargin ?? SWITCH_DEFAULTS.backMargin;
    this.sustainMs = options.sustainMs ?? SWITCH_DEFAULTS.sustainMs;
    this.cooldownMs = options.cooldownMs ?? SWITCH_DEFAULTS.cooldownMs;
  }

  /** The lead `other` needs over `current` to take over. */
  marginFor(other: TransportKind): number {
    return other === this.preferred ? this.backMargin : this.awayMargin;
  }

  /**
   * One observation at monotonic time `now`. Returns the kind to switch to,
   * or null to stay. `other` null means the other kind is unavailable.
   */
  observe(now: number, current: ScoredKind, other: ScoredKind | null): TransportKind | null {
    if (!other || other.kind === current.kind) {
      this.#leadSince = null;
      return null;
    }
    const lead = other.score - current.score;
    const margin = this.marginFor(other.kind);
    // A tie at the margin goes to the preferred kind only, so equal scores never flap.
    const ahead = lead > margin || (lead === margin && other.kind === this.preferred);
    if (!ahead) {
      this.#leadSince = null;
      return null;
    }
    this.#leadSince ??= now;
    if (now - this.#leadSince < this.sustainMs || now - this.#lastSwitch < this.cooldownMs) return null;
    return other.kind;
  }

  /** The session switched at `now` (starts the cooldown, clears the lead). */
  switched(now: number): void {
    this.#lastSwitch = now;
    this.#leadSince = null;
  }

  /** Whether a lead is being timed. */
  get leading(): boolean {
    return this.#leadSince !== null;
  }
}
