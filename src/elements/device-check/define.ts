/** Registers <device-check>. Importing this module is the side effect; the class is re-exported. */
import { DeviceCheck } from './device-check.ts';

if (!customElements.get('device-check')) customElements.define('device-check', DeviceCheck);

export { DeviceCheck };
export type { DeviceCheckClient } from './device-check.ts';
