import os from 'node:os';

import { DEFAULT_HELPER_TIMEOUT_MS } from './helpers.js';
import type { CredentialContext, CredentialOptions } from './types.js';

export function resolveContext(opts: CredentialOptions = {}): CredentialContext {
  const env = opts.env ?? process.env;
  return {
    env,
    // An explicit environment is the whole truth, so its HOME beats the OS's idea of ours.
    homeDir: opts.homeDir ?? nonEmpty(env['HOME']) ?? nonEmpty(env['USERPROFILE']) ?? os.homedir(),
    explicit: opts.explicit,
    repository: opts.repository,
    helperTimeoutMs: opts.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
  };
}

/** Unset and empty mean the same for every variable we read, as in most shells' `${VAR:-…}`. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
