/**
 * Row heights of a windowed list, by key: measured heights where rows have been rendered, an estimate
 * (the mean of the measured ones) elsewhere, and the offsets derived from them. Pure bookkeeping, no
 * DOM: the virtual list controller measures and asks which rows cover a viewport.
 *
 * Cost model, for chat: appending rows and measuring rows near the end are O(rows after the change);
 * replacing the rows (history prepended) or forgetting the measurements rebuilds the offsets in O(n),
 * which is also when the estimate for unmeasured rows is refreshed. Lookups are binary searches.
 */

/** A half-open range of row indices `[start, end)`. */
export interface RowRange {
  start: number;
  end: number;
}

export class HeightIndex {
  readonly #heights = new Map<string, number>();
  #keys: string[] = [];
  #positions = new Map<string, number>();
  #offsets = new Float64Array(1);
  /** Offsets are stale and need a full rebuild. */
  #dirty = true;
  #measuredSum = 0;
  #measuredCount = 0;
  /** The estimate the current offsets were built with. */
  #assumed: number;
  readonly #fallback: number;

  /** @param estimate Height assumed for a row before anything has been measured. */
  constructor(estimate = 64) {
    this.#fallback = estimate;
    this.#assumed = estimate;
  }

  /** Height assumed for rows not measured yet. */
  get estimate(): number {
    return this.#measuredCount ? this.#measuredSum / this.#measuredCount : this.#fallback;
  }

  get length(): number {
    return this.#keys.length;
  }

  /** Index of `key`, or -1. */
  indexOf(key: string): number {
    return this.#positions.get(key) ?? -1;
  }

  /** Sets the rows (in display order). Heights of keys that stay are kept. */
  setKeys(keys: readonly string[]): void {
    this.#keys = [...keys];
    this.#positions = new Map(this.#keys.map((k, i) => [k, i]));
    this.#dirty = true;
  }

  /** Adds rows at the end (cheaper than `setKeys` with the longer list). */
  append(keys: readonly string[]): void {
    const n = this.#keys.length;
    for (let i = 0; i < keys.length; i++) {
      this.#keys.push(keys[i]!);
      this.#positions.set(keys[i]!, n + i);
    }
    if (this.#dirty) return;
    this.#reserve(this.#keys.length + 1);
    let y = this.#offsets[n]!;
    for (let i = n; i < this.#keys.length; i++) {
      this.#offsets[i] = y;
      y += this.#heights.get(this.#keys[i]!) ?? this.#assumed;
    }
    this.#offsets[this.#keys.length] = y;
  }

  /** Records a measured height; returns true when it differs from what was assumed. */
  set(key: string, height: number): boolean {
    const old = this.#heights.get(key);
    if (old !== undefined && Math.abs(old - height) < 0.5) return false;
    if (old === undefined) this.#measuredCount += 1;
    this.#measuredSum += height - (old ?? 0);
    this.#heights.set(key, height);
    const index = this.#positions.get(key);
    if (!this.#dirty && index !== undefined) {
      const delta = height - (old ?? this.#assumed);
      for (let i = index + 1; i <= this.#keys.length; i++) this.#offsets[i] = this.#offsets[i]! + delta;
    }
    return true;
  }

  /** Forgets every measurement (after a width change rows wrap differently); estimates stay. */
  invalidate(): void {
    this.#heights.clear();
    this.#dirty = true;
  }

  /** Whether `key` has a measured height. */
  has(key: string): boolean {
    return this.#heights.has(key);
  }

  /** Top of row `index` (index = length gives the total height). */
  offsetOf(index: number): number {
    this.#rebuild();
    return this.#offsets[Math.max(0, Math.min(index, this.#keys.length))]!;
  }

  get total(): number {
    return this.offsetOf(this.#keys.length);
  }

  /** Index of the row containing `y` (clamped to the rows). */
  indexAt(y: number): number {
    this.#rebuild();
    const n = this.#keys.length;
    if (n === 0) return 0;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#offsets[mid]! <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Rows intersecting `[top, bottom)`, widened by `overscan` pixels on each side. */
  range(top: number, bottom: number, overscan = 0): RowRange {
    const n = this.#keys.length;
    if (n === 0) return { start: 0, end: 0 };
    const start = this.indexAt(Math.max(0, top - overscan));
    const end = Math.min(n, this.indexAt(Math.max(0, bottom + overscan)) + 1);
    return { start, end };
  }

  #reserve(size: number): void {
    if (this.#offsets.length >= size) return;
    const next = new Float64Array(Math.max(size, this.#offsets.length * 2));
    next.set(this.#offsets);
    this.#offsets = next;
  }

  #rebuild(): void {
    if (!this.#dirty) return;
    const n = this.#keys.length;
    this.#reserve(n + 1);
    this.#assumed = this.estimate;
    let y = 0;
    for (let i = 0; i < n; i++) {
      this.#offsets[i] = y;
      y += this.#heights.get(this.#keys[i]!) ?? this.#assumed;
    }
    this.#offsets[n] = y;
    this.#dirty = false;
  }
}
