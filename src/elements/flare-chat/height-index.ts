/**
 * Row heights of a windowed list, by key: measured heights where rows have been rendered, an estimate
 * (the running mean of the measured ones) elsewhere, and the offsets derived from them. Pure
 * bookkeeping, no DOM: the virtual list controller measures and asks which rows cover a viewport.
 * Offsets are rebuilt in O(n) only after a change, and looked up by binary search.
 */

/** A half-open range of row indices `[start, end)`. */
export interface RowRange {
  start: number;
  end: number;
}

export class HeightIndex {
  readonly #heights = new Map<string, number>();
  #keys: readonly string[] = [];
  #offsets = new Float64Array(1);
  #dirty = true;
  #measuredSum = 0;
  #measuredCount = 0;
  readonly #fallback: number;

  /** @param estimate Height assumed for a row before anything has been measured. */
  constructor(estimate = 64) {
    this.#fallback = estimate;
  }

  /** Height assumed for rows not measured yet. */
  get estimate(): number {
    return this.#measuredCount ? this.#measuredSum / this.#measuredCount : this.#fallback;
  }

  get length(): number {
    return this.#keys.length;
  }

  /** Sets the rows (in display order). Heights of keys that stay are kept. */
  setKeys(keys: readonly string[]): void {
    this.#keys = keys;
    this.#dirty = true;
  }

  /** Records a measured height; returns true when it differs from what was assumed. */
  set(key: string, height: number): boolean {
    const old = this.#heights.get(key);
    if (old !== undefined && Math.abs(old - height) < 0.5) return false;
    if (old === undefined) this.#measuredCount += 1;
    this.#measuredSum += height - (old ?? 0);
    this.#heights.set(key, height);
    this.#dirty = true;
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

  #rebuild(): void {
    if (!this.#dirty) return;
    const n = this.#keys.length;
    if (this.#offsets.length < n + 1) this.#offsets = new Float64Array(Math.max(n + 1, this.#offsets.length * 2));
    const estimate = this.estimate;
    let y = 0;
    for (let i = 0; i < n; i++) {
      this.#offsets[i] = y;
      y += this.#heights.get(this.#keys[i]!) ?? estimate;
    }
    this.#offsets[n] = y;
    this.#dirty = false;
  }
}
