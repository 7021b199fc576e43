import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { registryOrigin } from '../../ref/index.js';
import {
  eraseCredential,
  findCredential,
  listCredentialSources,
  storeCredential,
  type CredentialSourceInfo,
} from '../../registry/credentials/index.js';
import {
  DEFAULT_GITHUB_API,
  fetchTokenScopes,
  missingPackageScopes,
  type PackageScope,
} from '../../github/token-scopes.js';
import { formatTable } from '../output.js';
import type { Context, Runner } from '../context.js';

const GHCR = 'ghcr.io';

/** What the commands in use need on GHCR; retention/publish (later) add write and delete. */
export function neededPackageScopes(_ctx: Context): PackageScope[] {
  return ['read:packages'];
}

export function authCommand(run: Runner) {
  const auth = new Command('auth').description('log in to registries and show where credentials come from');

  auth
    .command('login')
    .description("verify credentials against the registry, then store them like 'docker login'")
    .argument('[registry]', 'registry host', GHCR)
    .addHelpText(
      'after',
      `
The password or token is read from standard input (--password-stdin) so it never appears in the
process list or shell history. It is stored in Docker's config.json (or the credential helper
configured there), so docker, skopeo and ghcr-optimize share one login.

Examples:
  echo "$GHCR_TOKEN" | ghcr-optimize auth login ghcr.io --username octocat --password-stdin
  ghcr-optimize auth login localhost:5000 --username admin --password-stdin < pass.txt`,
    )
    .action((registry) =>
      run(async (ctx) => {
        registryOrigin(registry);
        const creds = await ctx.explicitCredentials();
        const username =
          creds?.username ??
          (registry === GHCR ? process.env.GHCR_USERNAME || process.env.GITHUB_ACTOR : undefined);
        if (!username)
          throw new UsageError('auth login needs --username', {
            hint: 'e.g. --username octocat --password-stdin',
          });
        if (creds?.password === undefined) {
          throw new UsageError('auth login needs a password or token', {
            hint: 'pipe it in with --password-stdin',
          });
        }
        // Check before storing, so a typo never replaces a working login.
        const password = creds.password;
        const client = await ctx.client([registry], () =>
          Promise.resolve({ username, password, source: 'flags' }),
        );
        await client.checkAuth(registry, ctx.signal);
        const { location } = await storeCredential(registry, { username, password: creds.password });
        const result = { registry, username, stored: location };
        ctx.out.result(
          result,
          () => `Login succeeded for ${username} at ${registry} (stored in ${location})`,
        );
      }),
    );

  auth
    .command('logout')
    .description('remove stored credentials for a registry')
    .argument('[registry]', 'registry host', GHCR)
    .addHelpText('after', '\nExample:\n  ghcr-optimize auth logout ghcr.io')
    .action((registry) =>
      run(async (ctx) => {
        registryOrigin(registry);
        const { location, removed } = await eraseCredential(registry);
        ctx.out.result({ registry, removed, location }, () =>
          removed
            ? `Removed credentials for ${registry} from ${location}`
            : `No stored credentials for ${registry} in ${location}`,
        );
      }),
    );

  auth
    .command('status')
    .description('show, per registry, which credential source is used and (ghcr.io) the token scopes')
    .argument('[registry...]', 'registry hosts; default: ghcr.io and those in the config file')
    .option('--no-verify', 'do not contact the registry or GitHub')
    .addHelpText(
      'after',
      `
For ghcr.io with a classic personal access token, the token's scopes are read from GitHub's
X-OAuth-Scopes header (GITHUB_API_URL overrides the API address) and missing package scopes are
reported. Secrets are never printed.

Examples:
  ghcr-optimize auth status
  ghcr-optimize auth status ghcr.io localhost:5000 --json`,
    )
    .action((registries, opts) =>
      run(async (ctx) => {
        const targets =
          registries.length > 0
            ? registries
            : [GHCR, ...Object.keys(ctx.config.registries ?? {}).filter((r) => r !== GHCR)];
        targets.forEach((r) => registryOrigin(r));
        const creds = await ctx.explicitCredentials();
        const client = opts.verify ? await ctx.client(targets) : undefined;
        const statuses: RegistryAuthStatus[] = [];
        const failures: unknown[] = [];
        for (const registry of targets) {
          const sources = await listCredentialSources(registry, creds ? { explicit: creds } : {});
          const status: RegistryAuthStatus = { registry, sources };
          if (client) {
            try {
              await client.checkAuth(registry, ctx.signal);
              status.verified = true;
            } catch (err) {
              status.verified = false;
              status.problem = err instanceof Error ? err.message : String(err);
              failures.push(err);
            }
            if (registry === GHCR && sources[0]) {
              const cred = await findCredential(registry, creds ? { explicit: creds } : {});
              if (cred?.password) {
                try {
                  const t = await fetchTokenScopes(
                    client.transport,
                    cred.password,
                    process.env.GITHUB_API_URL ?? DEFAULT_GITHUB_API,
                    ctx.signal,
                  );
                  status.tokenKind = t.kind;
                  if (t.scopes) {
                    status.scopes = t.scopes;
                    status.missingScopes = missingPackageScopes(t.scopes, neededPackageScopes(ctx));
                  }
                } catch (err) {
                  status.problem ??= err instanceof Error ? err.message : String(err);
                }
              }
            }
          }
          statuses.push(status);
          for (const m of status.missingScopes ?? []) ctx.out.warn(`${registry}: the token lacks ${m}`);
        }
        ctx.out.result(statuses, () => renderStatus(statuses));
        // The first failure as it was: a refused login (exit 3) and an unreachable registry (exit 5) differ.
        if (failures.length > 0) throw failures[0];
      }),
    );
  return auth;
}

interface RegistryAuthStatus {
  registry: string;
  sources: CredentialSourceInfo[];
  verified?: boolean;
  tokenKind?: 'classic' | 'not-visible';
  scopes?: string[];
  missingScopes?: string[];
  problem?: string;
}

function renderStatus(statuses: RegistryAuthStatus[]): string {
  const rows = statuses.map((s) => {
    const active = s.sources.find((x) => x.active);
    const scopes = s.scopes
      ? s.scopes.join(' ') || '(none)'
      : s.tokenKind === 'not-visible'
        ? '(not visible for this token type)'
        : '';
    return [
      s.registry,
      active ? active.source : 'anonymous',
      active?.username ?? '',
      active?.kind ?? '',
      s.verified === undefined ? '-' : s.verified ? 'ok' : 'FAILED',
      scopes,
      s.sources.length > 1 ? `+${s.sources.length - 1} more` : '',
    ];
  });
  return formatTable(['REGISTRY', 'SOURCE', 'USER', 'KIND', 'VERIFIED', 'SCOPES', 'SHADOWED'], rows);
}
