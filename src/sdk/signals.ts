/**
 * The SDK's signal primitives, straight from the TC39 Signals polyfill that
 * @lit-labs/signals re-exports. The SDK imports them from here rather than
 * from @lit-labs/signals, whose index also loads Lit's `watch` directive and
 * `html` tag: an app that does not render with Lit must not pay for lit-html.
 * Both resolve to the same `signal-polyfill` module, so Lit elements
 * (`SignalWatcher`) track these signals as their own.
 */
import { Signal } from 'signal-polyfill';

export { Signal };

/** A signal the app can read and watch but not write. */
export type ReadonlySignal<T> = Signal.Computed<T>;

/** A writable signal (as @lit-labs/signals' `signal`). */
export const signal = <T>(value: T, options?: Signal.Options<T>): Signal.State<T> => new Signal.State(value, options);

/** A derived signal (as @lit-labs/signals' `computed`). */
export const computed = <T>(compute: () => T, options?: Signal.Options<T>): Signal.Computed<T> => new Signal.Computed(compute, options);
