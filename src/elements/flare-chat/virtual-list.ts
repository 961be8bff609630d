/**
 * A windowed list for chat: only the rows near the viewport are in the DOM, between two spacers whose
 * heights stand for the rest (measured heights where known, an estimate elsewhere). It keeps what the
 * reader looks at still while rows above change (history prepended, estimates replaced by
 * measurements), sticks to the bottom while the reader is there, and reports when the top is near so
 * the host can load older messages. The browser's own scroll anchoring is switched off on the
 * scroller (`overflow-anchor: none`): it would fight the anchoring done here.
 */
import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { HeightIndex, type RowRange } from './height-index.ts';

/** Options of {@link VirtualList}. */
export interface VirtualListOptions<T> {
  /** Stable key of an item. */
  key(item: T): string;
  /** Height assumed for a row before it is measured (px, default 64). */
  estimate?: number;
  /** Rows rendered beyond each edge of the viewport (px, default 800). */
  overscanPx?: number;
  /** Distance from the top under which `onNearTop` fires (px, default 400). */
  nearTopPx?: number;
  /** The reader is near the top (load older items). Called again on later scrolls; the host de-duplicates. */
  onNearTop?(): void;
  /** The reader arrived at, or left, the bottom. */
  onBottomChange?(atBottom: boolean): void;
}

interface Anchor {
  key: string;
  /** Row top relative to the scroller's top edge. */
  top: number;
}

const BOTTOM_SLACK_PX = 4;

/** Windowed rendering of `items` inside a scroller the host renders. */
export class VirtualList<T> implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #o: Required<Omit<VirtualListOptions<T>, 'onNearTop' | 'onBottomChange'>> & VirtualListOptions<T>;
  readonly #index: HeightIndex;
  #items: readonly T[] = [];
  #range: RowRange = { start: 0, end: 0 };
  #scroller: HTMLElement | null = null;
  #stick = true;
  #anchor: Anchor | null = null;
  #settling = 0;
  #width = 0;
  readonly #resize = new ResizeObserver((entries) => this.#onResize(entries));
  readonly #observed = new Set<Element>();

  constructor(host: ReactiveControllerHost, options: VirtualListOptions<T>) {
    this.#host = host;
    this.#o = { estimate: 64, overscanPx: 800, nearTopPx: 400, ...options };
    this.#index = new HeightIndex(this.#o.estimate);
    host.addController(this);
  }

  /** Whether the view follows the newest item. */
  get atBottom(): boolean {
    return this.#stick;
  }

  /** The rows currently in the DOM. */
  get range(): RowRange {
    return this.#range;
  }

  /** Sets the items (oldest first). Cheap when `items` is the same array as before. */
  setItems(items: readonly T[]): void {
    const old = this.#items;
    if (items === old) return;
    this.#items = items;
    const n = old.length;
    // Chat lists mostly grow at the end: keep what is known about the rows before (an identity scan
    // is far cheaper than re-keying every row).
    let grown = n > 0 && items.length >= n;
    for (let i = 0; grown && i < n; i++) grown = items[i] === old[i];
    if (grown) {
      this.#index.append(items.slice(n).map((item) => this.#o.key(item)));
    } else {
      this.#index.setKeys(items.map((item) => this.#o.key(item)));
    }
  }

  /** Gives the controller its scroller (call from the host's `updated` whenever it may have changed). */
  attach(scroller: HTMLElement): void {
    if (this.#scroller === scroller) return;
    if (this.#scroller) {
      this.#scroller.removeEventListener('scroll', this.#onScroll);
      this.#resize.unobserve(this.#scroller);
    }
    this.#width = 0;
    this.#scroller = scroller;
    scroller.style.overflowAnchor = 'none';
    scroller.addEventListener('scroll', this.#onScroll, { passive: true });
    this.#resize.observe(scroller);
    this.#host.requestUpdate();
  }

  /** Follows the newest item again (after sending, or from a "jump to latest" button). */
  scrollToBottom(): void {
    this.#setStick(true);
    this.#host.requestUpdate();
  }

  /** Spacers and the rendered rows, each wrapped in an element carrying `data-vkey`. */
  render(renderItem: (item: T, index: number) => unknown): TemplateResult {
    const { start, end } = this.#range;
    const before = this.#index.offsetOf(start);
    const after = this.#index.total - this.#index.offsetOf(end);
    return html`<div class="spacer" aria-hidden="true" style=${styleMap({ height: `${before}px` })}></div>${repeat(
        this.#items.slice(start, end),
        (item) => this.#o.key(item),
        (item, i) => html`<div class="vrow" data-vkey=${this.#o.key(item)}>${renderItem(item, start + i)}</div>`,
      )}<div class="spacer" aria-hidden="true" style=${styleMap({ height: `${after}px` })}></div>`;
  }

  hostUpdate(): void {
    this.#anchor = this.#stick ? null : this.#captureAnchor();
    this.#range = this.#wantedRange(this.#o.overscanPx);
  }

  hostUpdated(): void {
    const scroller = this.#scroller;
    if (!scroller) return;
    const measuredChange = this.#measure();
    this.#restore();
    const wanted = this.#wantedRange(this.#o.overscanPx / 2);
    const uncovered = wanted.start < this.#range.start || wanted.end > this.#range.end;
    // Measurements converge (each row is measured once per width), so this settles in a few passes;
    // the counter only guards against a pathological layout that keeps changing.
    if ((measuredChange || uncovered) && this.#settling < 8) {
      this.#settling += 1;
      this.#host.requestUpdate();
    } else {
      this.#settling = 0;
    }
    if (scroller.scrollTop < this.#o.nearTopPx && this.#items.length) this.#o.onNearTop?.();
  }

  hostDisconnected(): void {
    this.#resize.disconnect();
    this.#observed.clear();
    this.#scroller?.removeEventListener('scroll', this.#onScroll);
    this.#scroller = null;
  }

  hostConnected(): void {
    if (this.#scroller) {
      const scroller = this.#scroller;
      this.#scroller = null;
      this.attach(scroller);
    }
  }

  #rows(): HTMLElement[] {
    return this.#scroller ? [...this.#scroller.querySelectorAll<HTMLElement>(':scope > .vrow')] : [];
  }

  /** The first row whose bottom is below the scroller's top edge, and where it is. */
  #captureAnchor(): Anchor | null {
    const scroller = this.#scroller;
    if (!scroller) return null;
    const top = scroller.getBoundingClientRect().top;
    for (const row of this.#rows()) {
      const rect = row.getBoundingClientRect();
      if (rect.bottom > top) return { key: row.dataset.vkey!, top: rect.top - top };
    }
    return null;
  }

  /** Which rows should be in the DOM for the current (or, when anchored, the restored) position. */
  #wantedRange(overscan: number): RowRange {
    const scroller = this.#scroller;
    const height = scroller?.clientHeight ?? 0;
    let top: number;
    if (this.#stick || !scroller) top = Math.max(0, this.#index.total - height);
    else if (this.#anchor && this.#index.indexOf(this.#anchor.key) >= 0) top = this.#index.offsetOf(this.#index.indexOf(this.#anchor.key)) - this.#anchor.top;
    else top = scroller.scrollTop;
    return this.#index.range(top, top + height, overscan);
  }

  /** Measures the rendered rows; true when a height differed from what was assumed. */
  #measure(): boolean {
    let changed = false;
    const rows = this.#rows();
    for (const row of rows) {
      changed = this.#index.set(row.dataset.vkey!, row.getBoundingClientRect().height) || changed;
      if (!this.#observed.has(row)) {
        this.#observed.add(row);
        this.#resize.observe(row);
      }
    }
    for (const row of this.#observed) {
      if (!row.isConnected) {
        this.#resize.unobserve(row);
        this.#observed.delete(row);
      }
    }
    return changed;
  }

  /** Puts the view back where the reader was: at the bottom, or with the anchor row where it was. */
  #restore(): void {
    const scroller = this.#scroller!;
    if (this.#stick) {
      scroller.scrollTop = scroller.scrollHeight;
      return;
    }
    const anchor = this.#anchor;
    if (!anchor) return;
    const row = this.#rows().find((r) => r.dataset.vkey === anchor.key);
    if (row) {
      const delta = row.getBoundingClientRect().top - scroller.getBoundingClientRect().top - anchor.top;
      if (Math.abs(delta) >= 0.5) scroller.scrollTop += delta;
    } else if (this.#index.indexOf(anchor.key) >= 0) {
      scroller.scrollTop = this.#index.offsetOf(this.#index.indexOf(anchor.key)) - anchor.top;
    }
  }

  #setStick(stick: boolean): void {
    if (stick === this.#stick) return;
    this.#stick = stick;
    this.#o.onBottomChange?.(stick);
  }

  readonly #onScroll = (): void => {
    const scroller = this.#scroller;
    if (!scroller) return;
    this.#setStick(scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= BOTTOM_SLACK_PX);
    const wanted = this.#index.range(scroller.scrollTop, scroller.scrollTop + scroller.clientHeight, this.#o.overscanPx / 2);
    if (wanted.start < this.#range.start || wanted.end > this.#range.end) this.#host.requestUpdate();
    if (scroller.scrollTop < this.#o.nearTopPx) this.#o.onNearTop?.();
  };

  #onResize(entries: ResizeObserverEntry[]): void {
    let update = false;
    for (const entry of entries) {
      if (entry.target === this.#scroller) {
        const width = entry.contentRect.width;
        if (width !== this.#width) {
          // Rows wrap differently at another width: measure again as they render.
          if (this.#width !== 0) this.#index.invalidate();
          this.#width = width;
        }
        update = true;
      } else {
        const key = (entry.target as HTMLElement).dataset.vkey;
        if (key && entry.target.isConnected) update = this.#index.set(key, entry.target.getBoundingClientRect().height) || update;
      }
    }
    if (update) this.#host.requestUpdate();
  }
}
