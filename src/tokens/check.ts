/**
 * `token check`: does each environment's token exist, work, carry the scopes it needs, and is it
 * younger than its rotation period? Network and store access come in through `deps` so the
 * verdict logic stays testable.
 */
import type { PackageScope, TokenScopes } from '../github/token-scopes.js';
import { missingPackageScopes } from '../github/token-scopes.js';
import { describeSource, tokenAge, type EnvironmentProfile } from './profiles.js';
import type { FoundToken } from './source.js';

export interface TokenReport {
  environment: string;
  registry: string;
  source: string;
  found: boolean;
  /** Login verified against the registry (non-GitHub registries), when checked. */
  verified?: boolean;
  /** Classic PAT scopes; undefined when the token type hides them. */
  scopes?: string[];
  tokenKind?: TokenScopes['kind'];
  missingScopes: string[];
  rotatedAt?: string;
  ageDays?: number;
  stale: boolean;
  problems: string[];
  ok: boolean;
}

export interface CheckDeps {
  readToken(p: EnvironmentProfile): Promise<FoundToken | undefined>;
  /** GitHub's view of the token (ghcr.io only). */
  scopesOf(token: string): Promise<TokenScopes>;
  /** Logs in to a non-GitHub registry with the token; throws when refused. */
  verifyLogin(p: EnvironmentProfile, t: FoundToken): Promise<void>;
  lastRotation(p: EnvironmentProfile): Promise<Date | undefined>;
  now: Date;
}

const GHCR = 'ghcr.io';

export async function checkToken(
  p: EnvironmentProfile,
  needs: readonly PackageScope[],
  deps: CheckDeps,
): Promise<TokenReport> {
  const problems: string[] = [];
  const base = { environment: p.name, registry: p.registry, source: describeSource(p.source) };
  const age = tokenAge(await deps.lastRotation(p), deps.now, p.rotationMs);
  const ageFields = {
    ...(age.rotatedAt ? { rotatedAt: age.rotatedAt.toISOString() } : {}),
    ...(age.ageDays !== undefined ? { ageDays: age.ageDays } : {}),
    stale: age.stale,
  };
  if (age.stale) {
    problems.push(
      `rotated ${age.ageDays} days ago, over the ${Math.round(p.rotationMs / 86_400_000)}-day rotation period`,
    );
  }
  const token = await deps.readToken(p);
  if (!token) {
    problems.push(`no token found (${describeSource(p.source)})`);
    return { ...base, found: false, missingScopes: [], ...ageFields, problems, ok: false };
  }
  const wanted = [...new Set([...needs, ...(p.scopes as PackageScope[])])];
  const report: TokenReport = {
    ...base,
    source: token.from,
    found: true,
    missingScopes: [],
    ...ageFields,
    problems,
    ok: false,
  };
  if (p.registry === GHCR) {
    const s = await deps.scopesOf(token.token);
    report.tokenKind = s.kind;
    if (s.scopes) {
      report.scopes = s.scopes;
      report.missingScopes = missingPackageScopes(s.scopes, wanted.filter(isPackageScope));
      for (const m of report.missingScopes) problems.push(`lacks ${m}`);
    }
  } else {
    try {
      await deps.verifyLogin(p, token);
      report.verified = true;
    } catch (err) {
      report.verified = false;
      problems.push(`login refused: ${(err as Error).message}`);
    }
  }
  report.ok = problems.length === 0;
  return report;
}

function isPackageScope(s: string): s is PackageScope {
  return s === 'read:packages' || s === 'write:packages' || s === 'delete:packages';
}
