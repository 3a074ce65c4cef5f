// Placeholder until `npm run calibrate:devices` writes the fitted profiles.
import type { DeviceProfile } from '../predict.js';
export const BUILTIN_PROFILES: Record<string, DeviceProfile> = {};
