/**
 * Device-conflict policy, pure: which older connections of a user a new
 * connection replaces. A connection from the same device never conflicts
 * (a client may hold two transports while it migrates between them).
 * "Older" is one total order over every process (Seniority), so that two
 * logins at almost the same moment on two processes kick exactly the older one.
 */
import { ConflictPolicy } from './config.ts';

/** The strategies flare-core defines (ConflictPolicy without `client`). */
export type Strategy = 'coexist' | 'platform_exclusive' | 'exclusive';

const STRATEGIES: readonly string[] = ['coexist', 'platform_exclusive', 'exclusive'];

/** The strategy in force for one connection: the server's policy, or the client's wish under `client`. */
export function resolveStrategy(policy: ConflictPolicy, desired: string | undefined): Strategy {
  if (policy !== ConflictPolicy.CLIENT) return policy;
  const d = (desired ?? '').trim().toLowerCase();
  return STRATEGIES.includes(d) ? (d as Strategy) : 'coexist';
}

export interface DeviceRef {
  connectionId: string;
  deviceId: string;
  platform: string;
}

/** The older connections (of the same user) that `incoming` replaces under `strategy`. */
export function conflictsOf(strategy: Strategy, incoming: DeviceRef, older: Iterable<DeviceRef>): DeviceRef[] {
  if (strategy === 'coexist') return [];
  const out: DeviceRef[] = [];
  const platform = incoming.platform.toLowerCase();
  for (const c of older) {
    if (c.connectionId === incoming.connectionId) continue;
    if (c.deviceId !== '' && c.deviceId === incoming.deviceId) continue;
    if (strategy === 'exclusive' || c.platform.toLowerCase() === platform) out.push(c);
  }
  return out;
}

/**
 * When a connection registered, as a total order over all processes:
 * registration time (Unix ms, never decreasing within a process), then the
 * process's registration counter (same ms, same process), then the
 * connection id (same ms on two processes).
 */
export interface Seniority {
  at: number;
  n: number;
  connectionId: string;
}

/** Whether `a` registered before `b`. */
export function isOlder(a: Seniority, b: Seniority): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.n !== b.n) return a.n < b.n;
  return a.connectionId < b.connectionId;
}

/** Hands out the Seniority of this process's registrations. */
export class SeniorityClock {
  #lastAt = 0;
  #n = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(connectionId: string): Seniority {
    // Never backwards (a wall-clock step back must not make a newer connection look older).
    this.#lastAt = Math.max(this.#lastAt, this.now());
    return { at: this.#lastAt, n: ++this.#n, connectionId };
  }
}
