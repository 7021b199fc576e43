/**
 * Which repositories the retention commands work on, and plan files: the repositories named on
 * the command line, else the config's `services:`; plans saved with `--plan-out` and read back
 * with `--plan`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError, fileSystemError } from '../errors.js';
import { writeFileAtomic } from '../content/atomic-file.js';
import { formatRepository, parseReference, type RepositoryName } from '../ref/index.js';
import type { RetentionPlan } from './planner.js';
import { DEFAULT_REGISTRY } from '../config/services.js';

/**
 * The repositories of the config's `services:` section, in file order, de-duplicated. Accepted
 * shapes: a list of image references or of objects with `image` (or `repository`), or a map
 * of service name → either. A tag or digest on a reference is ignored.
 */
export function configuredRepositories(config: Readonly<Record<string, unknown>>): RepositoryName[] {
  const services = config.services;
  if (services === undefined || services === null) return [];
  const entries: [string, unknown][] = Array.isArray(services)
    ? services.map((s, i) => [`services.${i}`, s])
    : typeof services === 'object'
      ? Object.entries(services as Record<string, unknown>).map(([k, v]) => [`services.${k}`, v])
      : [];
  const out = new Map<string, RepositoryName>();
  for (const [where, value] of entries) {
    const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
    // A service with neither defaults to REGISTRY/OWNER/NAME, as `build` names it.
    const name = where.startsWith('services.') && !Array.isArray(services) ? where.slice(9) : obj?.name;
    const derived =
      typeof config.owner === 'string' && typeof name === 'string'
        ? `${typeof config.registry === 'string' ? config.registry : DEFAULT_REGISTRY}/${config.owner}/${name}`.toLowerCase()
        : undefined;
    const text =
      typeof value === 'string'
        ? value
        : obj
          ? (obj.image ?? obj.repository ?? derived)
          : value === null
            ? derived
            : undefined;
    if (typeof text !== 'string' || text.trim() === '') {
      throw new UsageError(`config ${where}: expected an image reference or { image: REF }`);
    }
    const ref = parseReference(text.trim(), { defaultTag: false });
    const repo = { registry: ref.registry, repository: ref.repository };
    out.set(formatRepository(repo), repo);
  }
  return [...out.values()];
}

/** The command line's repositories (a tag or digest is refused), else the configured ones. */
export function resolveRepositories(
  args: readonly string[],
  config: Readonly<Record<string, unknown>>,
  command: string,
): RepositoryName[] {
  if (args.length === 0) {
    const configured = configuredRepositories(config);
    if (configured.length === 0) {
      throw new UsageError(`${command}: name at least one repository`, {
        hint: `e.g. ghcr-optimize ${command} ghcr.io/OWNER/IMAGE, or list them under "services:" in ghcr-optimize.yaml`,
      });
    }
    return configured;
  }
  const out = new Map<string, RepositoryName>();
  for (const arg of args) {
    const ref = parseReference(arg, { defaultTag: false });
    if (ref.tag !== undefined || ref.digest !== undefined) {
      throw new UsageError(`"${arg}" names a tag or digest; ${command} takes repositories`, {
        hint: `try: ghcr-optimize ${command} ${formatRepository(ref)}`,
      });
    }
    out.set(formatRepository(ref), { registry: ref.registry, repository: ref.repository });
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------
// Plan files
// ---------------------------------------------------------------------------------------------

const digest = z.string().regex(/^sha(256|512):[0-9a-f]{64,128}$/, 'not a digest');

const planItemSchema = z.looseObject({
  digest,
  tags: z.array(z.string()),
  category: z.string(),
  reason: z.string(),
  kind: z.enum(['index', 'manifest', 'unknown']),
  bytes: z.number().nonnegative(),
  versionId: z.number().int().optional(),
  order: z.number().int().positive().optional(),
  wave: z.number().int().positive().optional(),
});

const planSchema = z.looseObject({
  schemaVersion: z.literal(1),
  repository: z.string().min(1),
  now: z.string(),
  policyHash: z.string(),
  keep: z.array(planItemSchema),
  delete: z.array(planItemSchema.extend({ order: z.number().int().positive() })),
  tags: z.record(z.string(), digest),
  tagDecisions: z.array(z.unknown()),
  warnings: z.array(z.string()),
  summary: z.looseObject({}),
});

const planFileSchema = z.union([
  planSchema,
  z.looseObject({ schemaVersion: z.literal(1), plans: z.array(planSchema) }),
]);

/** A plan file's text: one plan as it is, several as `{ schemaVersion: 1, plans: [...] }`. */
export function planFileText(plans: readonly RetentionPlan[]): string {
  const doc = plans.length === 1 ? plans[0] : { schemaVersion: 1, plans };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export async function writePlanFile(path: string, plans: readonly RetentionPlan[]): Promise<void> {
  try {
    await writeFileAtomic(path, planFileText(plans));
  } catch (err) {
    throw fileSystemError(err);
  }
}

/** Parses a plan file's text (see {@link planFileText}); `where` names it in errors. */
export function parsePlanFile(text: string, where: string): RetentionPlan[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`${where} is not valid JSON`, { hint: 'give a file written by clean --plan-out' });
  }
  const r = planFileSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.map(String).join('.') || '(root)';
    throw new UsageError(`${where} is not a retention plan (${path}: ${issue?.message ?? 'invalid'})`, {
      hint: 'give a file written by clean --plan-out',
    });
  }
  const parsed: unknown = 'plans' in r.data ? r.data.plans : [r.data];
  const plans = parsed as RetentionPlan[];
  const seen = new Set<string>();
  for (const p of plans) {
    if (seen.has(p.repository)) throw new UsageError(`${where} has two plans for ${p.repository}`);
    seen.add(p.repository);
  }
  return plans;
}

export async function readPlanFile(path: string): Promise<RetentionPlan[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const mapped = fileSystemError(err);
    if (mapped !== err) throw mapped;
    throw new UsageError(`cannot read plan file ${path}: ${(err as Error).message}`);
  }
  return parsePlanFile(text, path);
}
