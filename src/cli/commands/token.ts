import { Command } from '@commander-js/extra-typings';
import { AuthError, PolicyError, UsageError } from '../../errors.js';
import {
  DEFAULT_GITHUB_API,
  fetchTokenScopes,
  missingPackageScopes,
  type PackageScope,
} from '../../github/token-scopes.js';
import { checkToken, type CheckDeps, type TokenReport } from '../../tokens/check.js';
import {
  DEFAULT_ROTATION_MS,
  findEnvironment,
  parseNeeds,
  resolveEnvironments,
  type EnvironmentProfile,
} from '../../tokens/profiles.js';
import { readToken, writeToken, type FoundToken } from '../../tokens/source.js';
import { DEFAULT_REGISTRY } from '../../config/services.js';
import { formatTable } from '../output.js';
import { record } from '../record.js';
import type { Context, Runner } from '../context.js';

/** Subject of an environment's `token` events in the insights store. */
export const tokenSubject = (environment: string): string => `token:${environment}`;

async function lastRotation(ctx: Context, p: EnvironmentProfile): Promise<Date | undefined> {
  let at: Date | undefined;
  await record(ctx, async (st) => {
    const events = await st.events({ kinds: ['token'], subject: tokenSubject(p.name), limit: 1 });
    at = events.at(-1)?.at;
  });
  return at;
}

export function tokenDeps(ctx: Context): CheckDeps {
  const api = process.env.GITHUB_API_URL ?? DEFAULT_GITHUB_API;
  return {
    readToken: (p) => readToken(p),
    async scopesOf(token) {
      const client = await ctx.client([]);
      return fetchTokenScopes(client.transport, token, api, ctx.signal);
    },
    async verifyLogin(p, t) {
      const client = await ctx.client([p.registry], () =>
        Promise.resolve({ username: t.username ?? 'token', password: t.token, source: t.from }),
      );
      await client.checkAuth(p.registry, ctx.signal);
    },
    lastRotation: (p) => lastRotation(ctx, p),
    now: new Date(),
  };
}

async function readStdinToken(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('--from-stdin expects the new token on standard input', {
      hint: 'pipe it in: gh auth token | ghcr-optimize token rotate --environment prod --from-stdin',
    });
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  const token = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (token.trim() === '' || /\s/.test(token)) {
    throw new UsageError('the token on standard input is empty or contains white space');
  }
  return token;
}

function render(reports: readonly TokenReport[]): string {
  return formatTable(
    ['ENVIRONMENT', 'REGISTRY', 'SOURCE', 'SCOPES', 'AGE', 'STATUS'],
    reports.map((r) => [
      r.environment,
      r.registry,
      r.source,
      r.scopes ? r.scopes.join(' ') || '(none)' : r.tokenKind === 'not-visible' ? '(not visible)' : '-',
      r.ageDays !== undefined ? `${r.ageDays}d` : 'unknown',
      r.ok ? 'ok' : r.problems.join('; '),
    ]),
  );
}

export function tokenCommand(run: Runner) {
  const token = new Command('token').description('check and rotate the registry tokens of each environment');

  token
    .command('check')
    .description(
      'is each token present, accepted, scoped for what it must do, and younger than its rotation period?',
    )
    .option('--environment <name>', 'one environment from the config (default: all)')
    .option('--needs <list>', 'permissions the token needs: pull, push, delete (GitHub package scopes)')
    .option(
      '--registry <host>',
      'without environments: check the token used for this registry',
      DEFAULT_REGISTRY,
    )
    .addHelpText(
      'after',
      `
Environments come from the config (the secret itself is never in it):
  environments:
    prod: { credential: { env: GHCR_PROD_TOKEN }, rotation: 90d, scopes: [write:packages] }
    dev:  { credential: { helper: pass } }

For ghcr.io the scopes are read from GitHub (X-OAuth-Scopes of classic tokens; GITHUB_API_URL
overrides the API address); for other registries the login is tried. The age is the time since
the last "token rotate" recorded in the insights store.

Exit codes: 0 all good, 3 a token is missing, refused or lacks a scope, 9 a token is overdue.

Examples:
  ghcr-optimize token check --needs push,delete
  ghcr-optimize token check --environment prod --json`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const needs: PackageScope[] = opts.needs !== undefined ? parseNeeds(opts.needs) : [];
        const all = resolveEnvironments(ctx.config);
        const profiles =
          opts.environment !== undefined
            ? [findEnvironment(all, opts.environment)]
            : all.length > 0
              ? all
              : [{ name: 'default', registry: opts.registry, rotationMs: DEFAULT_ROTATION_MS, scopes: [] }];
        const d = tokenDeps(ctx);
        const reports: TokenReport[] = [];
        for (const p of profiles) reports.push(await checkToken(p, needs, d));
        ctx.out.result(reports, () => render(reports));
        const bad = reports.filter((r) => !r.ok);
        if (bad.length === 0) return;
        const message = bad.map((r) => `${r.environment}: ${r.problems.join('; ')}`).join(' | ');
        const authProblem = bad.some((r) => !r.found || r.missingScopes.length > 0 || r.verified === false);
        if (authProblem) {
          throw new AuthError(message, undefined, undefined, {
            hint: 'create a token with the missing scopes and store it with "ghcr-optimize token rotate"',
          });
        }
        throw new PolicyError(message, {
          hint: 'rotate it: ghcr-optimize token rotate --environment NAME --from-stdin',
        });
      }),
    );

  token
    .command('rotate')
    .description("replace an environment's token where its profile keeps it, after checking the new one")
    .requiredOption('--environment <name>', 'environment from the config')
    .option('--from-stdin', 'read the new token from standard input (the only way: never a flag)')
    .option(
      '--username <name>',
      "user name stored with the token (default: the profile's, or a placeholder for GHCR)",
    )
    .option('--force', 'store it even when GitHub shows it lacks a required scope')
    .addHelpText(
      'after',
      `
The new token is checked first (GitHub accepts it and, for a classic token, it has the
environment's scopes; for other registries the login succeeds). Only then is it written to the
profile's file (mode 0600), credential helper or docker config, and the rotation date recorded in
the insights store (never the token). A profile reading an environment variable cannot be
updated from here: the command says where to change it.

Examples:
  gh auth token | ghcr-optimize token rotate --environment prod --from-stdin
  ghcr-optimize token rotate --environment staging --from-stdin < new-token.txt`,
    )
    .action((opts) =>
      run(async (ctx) => {
        if (!opts.fromStdin) {
          throw new UsageError('give the new token on standard input with --from-stdin', {
            hint: 'tokens are never accepted as flags: they would land in shell history and process lists',
          });
        }
        const profile = findEnvironment(resolveEnvironments(ctx.config), opts.environment);
        const secret = await readStdinToken();
        const candidate: FoundToken = {
          token: secret,
          from: 'standard input',
          ...((opts.username ?? profile.username) ? { username: (opts.username ?? profile.username)! } : {}),
        };
        const d = tokenDeps(ctx);
        let scopes: string[] | undefined;
        if (profile.registry === DEFAULT_REGISTRY) {
          const s = await d.scopesOf(secret);
          scopes = s.scopes;
          const missing = s.scopes ? missingPackageScopes(s.scopes, profile.scopes as PackageScope[]) : [];
          if (missing.length > 0 && !opts.force) {
            throw new AuthError(
              `the new token lacks ${missing.join(', ')}; nothing was changed`,
              undefined,
              undefined,
              {
                hint: 'create it with those scopes, or pass --force to store it anyway',
              },
            );
          }
        } else {
          await d.verifyLogin(profile, candidate);
        }
        const location = await writeToken(profile, secret, opts.username);
        const rotatedAt = new Date();
        await record(ctx, (st) =>
          st.record({
            kind: 'token',
            command: 'token rotate',
            subject: tokenSubject(profile.name),
            at: rotatedAt,
            // createdAt: the token's age starts now (read by the exporter's token age metric).
            data: {
              environment: profile.name,
              registry: profile.registry,
              location,
              createdAt: rotatedAt.toISOString(),
              ...(scopes ? { scopes } : {}),
            },
          }),
        );
        ctx.out.result(
          {
            environment: profile.name,
            registry: profile.registry,
            stored: location,
            rotatedAt: rotatedAt.toISOString(),
          },
          () => `${profile.name}: new token for ${profile.registry} stored in ${location}`,
        );
      }),
    );
  return token;
}
