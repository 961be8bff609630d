/** Minimal assertions for the server tests (no network access for @std/assert). */

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(cond: unknown, msg = 'assertion failed'): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

function eq(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((v, i) => v === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => eq(v, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return eq(ka, kb) && ka.every((k) => eq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

export function assertEquals<T>(actual: T, expected: T, msg = ''): void {
  if (!eq(actual, expected)) {
    throw new AssertionError(`${msg ? `${msg}: ` : ''}expected ${Deno.inspect(expected)}, got ${Deno.inspect(actual)}`);
  }
}

export function assertMatch(actual: string, re: RegExp, msg = ''): void {
  if (!re.test(actual)) throw new AssertionError(`${msg ? `${msg}: ` : ''}${JSON.stringify(actual)} does not match ${re}`);
}

export async function assertRejects(fn: () => Promise<unknown>, check?: (e: unknown) => void): Promise<void> {
  try {
    await fn();
  } catch (e) {
    check?.(e);
    return;
  }
  throw new AssertionError('expected a rejection');
}
