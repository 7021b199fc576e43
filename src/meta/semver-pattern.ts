/**
 * `type=semver` and `type=pep440` patterns: which names a pattern may use, and how a version is
 * rendered through it. Pre-releases (and PEP 440 post/dev releases) only ever give the full
 * version — `{{version}}`, or the tag itself when the pattern is exactly `{{raw}}`.
 */
import { parse as semverParse, prerelease as semverPrerelease, valid as semverValid } from 'semver';
import {
  cleanPep440,
  explainPep440,
  isValidPep440,
  pep440Major,
  pep440Minor,
  pep440Patch,
} from './pep440.js';
import { callable, isRawStatement, parseTemplate, renderTemplate, templateNames } from './template.js';

export const SEMVER_NAMES = ['raw', 'version', 'major', 'minor', 'patch', 'prerelease', 'build'] as const;
export const PEP440_NAMES = ['raw', 'version', 'major', 'minor', 'patch'] as const;

export type VersionScheme = 'semver' | 'pep440';

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

/** Throws PatternError when the pattern does not parse or uses a name the scheme does not provide. */
export function checkVersionPattern(pattern: string, scheme: VersionScheme): void {
  let names: string[];
  try {
    names = templateNames(parseTemplate(pattern));
  } catch (err) {
    throw new PatternError((err as Error).message);
  }
  const allowed: readonly string[] = scheme === 'semver' ? SEMVER_NAMES : PEP440_NAMES;
  for (const name of names) {
    if (!allowed.includes(name)) {
      throw new PatternError(
        `unknown expression {{${name}}} (use ${allowed.map((n) => `{{${n}}}`).join(', ')})`,
      );
    }
  }
}

export type Rendered = { ok: true; value: string; latest: boolean } | { ok: false; warning: string };

/** `version` must already be the tag (or value) with `/` replaced by `-`. */
export function renderSemver(version: string, pattern: string): Rendered {
  if (!semverValid(version)) {
    return { ok: false, warning: `${version} is not a valid semver. More info: https://semver.org/` };
  }
  const sv = semverParse(version, { loose: true })!;
  const scope = {
    raw: sv.raw,
    loose: sv.loose,
    options: sv.options,
    major: sv.major,
    minor: sv.minor,
    patch: sv.patch,
    prerelease: sv.prerelease,
    build: sv.build,
    version: sv.version,
  };
  if (semverPrerelease(version)) {
    return {
      ok: true,
      value: renderTemplate(isRawStatement(pattern) ? pattern : '{{version}}', scope),
      latest: false,
    };
  }
  return { ok: true, value: renderTemplate(pattern, scope), latest: true };
}

export function renderPep440(version: string, pattern: string): Rendered {
  if (!isValidPep440(version)) {
    return {
      ok: false,
      warning: `${version} does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440`,
    };
  }
  const info = explainPep440(version)!;
  if (info.isPrerelease || info.isPostrelease || info.isDevrelease) {
    return { ok: true, value: isRawStatement(pattern) ? version : cleanPep440(version)!, latest: false };
  }
  const scope = {
    raw: callable(() => version),
    version: callable(() => cleanPep440(version)),
    major: callable(() => pep440Major(version)),
    minor: callable(() => pep440Minor(version)),
    patch: callable(() => pep440Patch(version)),
  };
  return { ok: true, value: renderTemplate(pattern, scope), latest: true };
}
