/**
 * The retention policy: the `retention:` section of `ghcr-optimize.yaml`, validated and normalised.
 *
 * Rules are evaluated per tag in file order and the first rule whose patterns match wins. A rule
 * names a category (`release`, `main`, `pr`, …) and says how long a matching tag is kept (`90d`,
 * `24h`, `forever`) and how many of the newest matching images are kept regardless of age
 * (`keepLast`). A tag no rule matches is kept and reported as unmatched. Untagged manifests that
 * nothing kept references are deleted by default (`untagged: delete`).
 *
 * ```yaml
 * retention:
 *   untagged: delete        # or keep
 *   untaggedMinAge: 1h      # never delete an untagged manifest pushed less than this long ago
 *   orphans: keep           # signatures/referrers whose subject is not in the repository
 *   rules:
 *     - { name: release, match: ['v*.*.*', '*.*.*'], semver: true, keep: forever }
 *     - { name: pr, match: 'pr-*', keep: 7d, keepLast: 3 }
 * ```
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { valid as semverValid } from 'semver';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { formatDuration, parseDuration } from '../util/units.js';

export { formatDuration, parseDuration };

/** Categories the planner assigns itself; a rule may not use these names. */
export const RESERVED_CATEGORIES = [
  'unmatched',
  'untagged',
  'orphan',
  'child',
  'signature',
  'attestation',
  'sbom',
  'referrer',
] as const;

/**
 * A `--now` value: an ISO-8601 instant with a date, a time and a zone (`Z` or an offset). A value
 * without a zone is refused so a plan never depends on the time zone of the machine that made it.
 */
export function parseNow(text: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(text.trim());
  const d = new Date(text.trim());
  if (!ok || Number.isNaN(d.getTime())) {
    throw new UsageError(`invalid --now "${text}"`, {
      hint: 'give an ISO-8601 instant with a time zone, e.g. 2025-01-31T12:00:00Z',
    });
  }
  return d;
}

const durationText = z.string().superRefine((value, ctx) => {
  try {
    parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const globText = z
  .string()
  .min(1, 'a pattern cannot be empty')
  .max(256)
  .superRefine((value, ctx) => {
    try {
      picomatch.makeRe(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `invalid glob "${value}"` });
    }
  });

export const retentionRuleSchema = z
  .strictObject({
    /** The category this rule puts its tags in (`release`, `pr`, …). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use letters, digits, ".", "_" or "-"')
      .refine((n) => !(RESERVED_CATEGORIES as readonly string[]).includes(n), {
        message: `reserved category name (${RESERVED_CATEGORIES.join(', ')})`,
      }),
    /** One glob or a list of globs (picomatch syntax) matched against the whole tag. */
    match: z.union([globText, z.array(globText).min(1)]),
    /** Only tags that are also valid semantic versions (`1.2.3`, `v1.2.3-rc.1`) match. */
    semver: z.boolean().optional(),
    /** How long after the image was created its tag is kept: `90d`, `24h`, `forever`. */
    keep: durationText.optional(),
    /** The newest N images with a tag matching this rule are kept whatever their age. */
    keepLast: z.number().int().min(0).max(100_000).optional(),
  })
  .refine((r) => r.keep !== undefined || r.keepLast !== undefined, {
    message: 'a rule needs "keep" (a duration or forever), "keepLast", or both',
  });

export const retentionConfigSchema = z.strictObject({
  /** Untagged manifests nothing kept references: delete them (default) or keep them. */
  untagged: z.enum(['delete', 'keep']).optional(),
  /** Grace for untagged manifests, so an image being pushed is never taken apart. Default 1h. */
  untaggedMinAge: durationText.optional(),
  /** Signatures, attestations and referrers whose subject is not in the repository. Default keep. */
  orphans: z.enum(['delete', 'keep']).optional(),
  /** Replaces the default rules entirely when given. */
  rules: z.array(retentionRuleSchema).optional(),
});
export type RetentionConfig = z.input<typeof retentionConfigSchema>;
export type RetentionRuleConfig = z.input<typeof retentionRuleSchema>;

export interface RetentionRule {
  /** Category of the tags this rule matches. */
  name: string;
  patterns: string[];
  semver: boolean;
  /** `forever` or a duration as written (`90d`). */
  keep: string;
  /** Undefined: forever. */
  keepMs: number | undefined;
  /** 0: no minimum count. */
  keepLast: number;
}

export interface RetentionPolicy {
  rules: RetentionRule[];
  untagged: 'delete' | 'keep';
  untaggedMinAge: string;
  untaggedMinAgeMs: number;
  orphans: 'delete' | 'keep';
  /** Whether the rules came from the config file or are the built-in defaults. */
  source: 'default' | 'config';
}

/** The built-in rules, used when the config has no `retention.rules`. */
export const DEFAULT_RULES: readonly RetentionRuleConfig[] = [
  { name: 'release', match: ['v*.*.*', '*.*.*'], semver: true, keep: 'forever' },
  { name: 'release', match: ['latest', 'stable'], keep: 'forever' },
  { name: 'main', match: ['main', 'main-*', 'sha-*'], keep: '90d' },
  { name: 'develop', match: ['develop', 'develop-*', 'dev-*'], keep: '30d' },
  { name: 'pr', match: ['pr-*'], keep: '7d' },
  { name: 'cache', match: ['buildcache*', 'cache-*'], keep: '24h' },
];

function normalizeRule(r: z.output<typeof retentionRuleSchema>): RetentionRule {
  const keep = r.keep ?? '0s';
  const parsed = parseDuration(keep);
  return {
    name: r.name,
    patterns: typeof r.match === 'string' ? [r.match] : [...r.match],
    semver: r.semver ?? false,
    keep: keep.trim(),
    keepMs: parsed === 'forever' ? undefined : parsed,
    keepLast: r.keepLast ?? 0,
  };
}

function describeZodIssue(error: z.ZodError, where: string): string {
  const issue = error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  return `${path}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Validates the `retention:` section (undefined or null: all defaults) and returns the normalised
 * policy. Errors name the offending key (`retention.rules.2.keep: invalid duration "9x"`).
 */
export function resolvePolicy(section: unknown, where = 'retention'): RetentionPolicy {
  const r = retentionConfigSchema.safeParse(section ?? {});
  if (!r.success) {
    throw new UsageError(describeZodIssue(r.error, where), {
      hint: 'see "Retention" in the README for the accepted keys',
    });
  }
  const rulesInput = r.data.rules ?? DEFAULT_RULES.map((d) => retentionRuleSchema.parse(d));
  const minAge = (r.data.untaggedMinAge ?? '1h').trim();
  const minAgeMs = parseDuration(minAge);
  return {
    rules: rulesInput.map(normalizeRule),
    untagged: r.data.untagged ?? 'delete',
    untaggedMinAge: minAge,
    untaggedMinAgeMs: minAgeMs === 'forever' ? Number.POSITIVE_INFINITY : minAgeMs,
    orphans: r.data.orphans ?? 'keep',
    source: r.data.rules ? 'config' : 'default',
  };
}

/** The policy used when no config file (or no `retention:` section) exists. */
export function defaultPolicy(): RetentionPolicy {
  return resolvePolicy(undefined);
}

export interface RuleMatch {
  rule: RetentionRule;
  /** Position of the rule in the policy (rules are evaluated in this order). */
  index: number;
  /** The pattern that matched. */
  pattern: string;
}

const matcherCache = new WeakMap<RetentionRule, ((tag: string) => boolean)[]>();

function matchersOf(rule: RetentionRule): ((tag: string) => boolean)[] {
  let m = matcherCache.get(rule);
  if (!m) {
    m = rule.patterns.map((p) => picomatch(p, { dot: true }));
    matcherCache.set(rule, m);
  }
  return m;
}

/** The first rule whose patterns match `tag` (and, for `semver` rules, whose tag is semver). */
export function matchTag(policy: RetentionPolicy, tag: string): RuleMatch | undefined {
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.semver && semverValid(tag) === null) continue;
    const matchers = matchersOf(rule);
    for (const [i, isMatch] of matchers.entries()) {
      if (isMatch(tag)) return { rule, index, pattern: rule.patterns[i]! };
    }
  }
  return undefined;
}

/**
 * A stable fingerprint of what the policy decides (not where it came from), recorded in every
 * plan so `apply` can tell that a saved plan was made under a different policy.
 */
export function policyHash(policy: RetentionPolicy): string {
  const canonical = JSON.stringify({
    rules: policy.rules.map((r) => ({
      name: r.name,
      patterns: r.patterns,
      semver: r.semver,
      keepMs: r.keepMs ?? null,
      keepLast: r.keepLast,
    })),
    untagged: policy.untagged,
    untaggedMinAgeMs: Number.isFinite(policy.untaggedMinAgeMs) ? policy.untaggedMinAgeMs : null,
    orphans: policy.orphans,
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
