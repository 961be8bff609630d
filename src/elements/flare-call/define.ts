/** Registers <flare-call>. Importing this module is the side effect; the class is re-exported. */
import { FlareCall } from './flare-call.ts';

if (!customElements.get('flare-call')) customElements.define('flare-call', FlareCall);

export { FlareCall };
export type { CallIntentDetail } from './flare-call.ts';
