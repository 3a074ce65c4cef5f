// Where this machine's profile lives, and reading / writing profile files. No `node:` imports
// here (the package's browser bundles must not reach one): callers hand in the fs, os and path
// modules — the CLI imports them, `src/calibrate/host.ts` takes them from `process.getBuiltinModule`.

import { ProfileError, validateProfile, type DeviceProfile } from './profile.js';

/** The Node modules profile files need. */
export interface NodeIo {
  fs: typeof import('node:fs');
  os: typeof import('node:os');
  path: typeof import('node:path');
}

/** `$SIMDNET_HOST_PROFILE` if set, else `~/.simdnet/host.json`. */
export function hostProfilePath(io: NodeIo): string {
  const env = (globalThis as any).process?.env?.SIMDNET_HOST_PROFILE;
  return env ? io.path.resolve(env) : io.path.join(io.os.homedir(), '.simdnet', 'host.json');
}

/**
 * Reads and validates a profile file.
 * @throws ProfileError when the file cannot be read, is not JSON, or is not a valid profile.
 */
export function readProfileFile(io: NodeIo, file: string): DeviceProfile {
  let text: string;
  try {
    text = io.fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new ProfileError(`cannot read device profile ${file}: ${e?.code === 'ENOENT' ? 'no such file' : e?.message ?? e}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: any) {
    throw new ProfileError(`device profile ${file} is not valid JSON: ${e?.message ?? e}`);
  }
  return validateProfile(json, `device profile ${file}`);
}

/** This machine's saved profile, or null when there is none. @throws ProfileError when it is malformed. */
export function loadHostProfile(io: NodeIo, file = hostProfilePath(io)): DeviceProfile | null {
  if (!io.fs.existsSync(file)) return null;
  return readProfileFile(io, file);
}

/** Writes a profile (pretty JSON), creating the folder; returns the path written. */
export function saveHostProfile(io: NodeIo, profile: DeviceProfile, file = hostProfilePath(io)): string {
  validateProfile(profile, 'profile to save');
  io.fs.mkdirSync(io.path.dirname(file), { recursive: true });
  io.fs.writeFileSync(file, JSON.stringify(profile, null, 2) + '\n');
  return file;
}
