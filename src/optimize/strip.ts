/**
 * What the rewrite removes from the final filesystem, by rule. The rules reuse the waste
 * categories of the analysis (src/analyze/waste.ts), so `analyze` reports exactly the paths that
 * `optimize-images --apply` strips. Pure.
 */
import { wasteCategoriesOf, type WasteCategory } from '../analyze/waste.js';
import { UsageError } from '../errors.js';

export const STRIP_RULES = ['caches', 'docs'] as const;
export type StripRule = (typeof STRIP_RULES)[number];

const CATEGORY: Record<StripRule, WasteCategory> = {
  caches: 'package-cache',
  docs: 'docs',
};

/** The rules in force: caches unless `none`, plus those asked for; unknown names are refused. */
export function stripRules(requested: readonly string[] | false | undefined): StripRule[] {
  if (requested === false) return [];
  const out = new Set<StripRule>(['caches']);
  for (const raw of requested ?? []) {
    for (const name of raw.split(',').map((s) => s.trim())) {
      if (name === '') continue;
      if (!(STRIP_RULES as readonly string[]).includes(name)) {
        throw new UsageError(`unknown --strip rule "${name}"`, {
          hint: `rules: ${STRIP_RULES.join(', ')} (or --no-strip to keep everything)`,
        });
      }
      out.add(name as StripRule);
    }
  }
  return STRIP_RULES.filter((r) => out.has(r));
}

/** The first rule that strips `path` (relative, no leading slash), if any. */
export function stripRuleFor(path: string, rules: readonly StripRule[]): StripRule | undefined {
  if (rules.length === 0) return undefined;
  const categories = wasteCategoriesOf(path);
  return rules.find((r) => categories.includes(CATEGORY[r]));
}
