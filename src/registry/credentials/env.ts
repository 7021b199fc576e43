import { nonEmpty } from './context.js';
import type { CredentialContext, FoundCredential } from './types.js';

const GHCR = 'ghcr.io';
// GHCR checks only the token; Basic auth still needs some username, so any fixed one will do.
export const GHCR_PLACEHOLDER_USERNAME = 'ghcr-optimize';
// Only GHCR: a GitHub token sent to another registry would hand it a credential it must not see.
const GHCR_TOKEN_VARS = ['GHCR_TOKEN', 'GITHUB_TOKEN'] as const;

export function ghcrUsername(env: NodeJS.ProcessEnv): string {
  return nonEmpty(env['GHCR_USERNAME']) ?? nonEmpty(env['GITHUB_ACTOR']) ?? GHCR_PLACEHOLDER_USERNAME;
}

/** `--username`/`--password` (or `--password-stdin`); without a password there is nothing to use. */
export function explicitSource(host: string, ctx: CredentialContext): FoundCredential | undefined {
  const password = nonEmpty(ctx.explicit?.password);
  if (password === undefined) return undefined;
  const username = nonEmpty(ctx.explicit?.username) ?? (host === GHCR ? ghcrUsername(ctx.env) : undefined);
  const credential =
    username === undefined ? { password, source: 'flags' } : { username, password, source: 'flags' };
  return { credential, kind: 'password' };
}

export function* envSources(host: string, ctx: CredentialContext): Generator<FoundCredential> {
  if (host !== GHCR) return;
  for (const name of GHCR_TOKEN_VARS) {
    const token = nonEmpty(ctx.env[name]);
    if (token === undefined) continue;
    yield {
      credential: { username: ghcrUsername(ctx.env), password: token, source: `env ${name}` },
      kind: 'token',
    };
  }
}
