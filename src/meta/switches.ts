/**
 * The action's environment switches, read from an environment object (no I/O):
 * DOCKER_METADATA_PR_HEAD_SHA, DOCKER_METADATA_SHORT_SHA_LENGTH, DOCKER_METADATA_ANNOTATIONS_LEVELS,
 * DOCKER_METADATA_SET_OUTPUT_ENV, and SOURCE_DATE_EPOCH (seconds) pinning "now".
 */
import { UsageError } from '../errors.js';

export interface MetaSwitches {
  prHeadSha: boolean;
  /** Length of `{{sha}}` and `type=sha` short SHAs (default 7). */
  shortShaLength: number;
  annotationLevels: string[];
  setOutputEnv: boolean;
  /** From SOURCE_DATE_EPOCH, when set. */
  now?: Date;
}

export const DEFAULT_SHORT_SHA_LENGTH = 7;

/** Go's strconv.ParseBool, as actions-toolkit reads boolean switches. */
export function parseBool(name: string, value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new UsageError(`${name} must be true or false, got "${value}"`);
}

export function readSwitches(env: Readonly<Record<string, string | undefined>>): MetaSwitches {
  const sw: MetaSwitches = {
    prHeadSha: /true/i.test(env.DOCKER_METADATA_PR_HEAD_SHA ?? ''),
    shortShaLength: DEFAULT_SHORT_SHA_LENGTH,
    annotationLevels: (env.DOCKER_METADATA_ANNOTATIONS_LEVELS || 'manifest').split(','),
    setOutputEnv: env.DOCKER_METADATA_SET_OUTPUT_ENV
      ? parseBool('DOCKER_METADATA_SET_OUTPUT_ENV', env.DOCKER_METADATA_SET_OUTPUT_ENV)
      : true,
  };
  const len = env.DOCKER_METADATA_SHORT_SHA_LENGTH;
  if (len) {
    if (Number.isNaN(Number(len))) {
      throw new UsageError(`DOCKER_METADATA_SHORT_SHA_LENGTH is not a valid number: ${len}`);
    }
    sw.shortShaLength = Number(len);
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch.trim())) {
      throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
    }
    sw.now = new Date(Number(epoch.trim()) * 1000);
  }
  return sw;
}

/** The short SHA the action prints: the first `length` characters (the whole SHA when shorter). */
export function shortSha(sha: string, length: number): string {
  if (length >= sha.length) return sha;
  return sha.substring(0, length);
}
