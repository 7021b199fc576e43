/**
 * dive's CI gate (wagoodman/dive `cmd/dive/cli/internal/command/ci/rules.go`, `options/ci*.go`):
 * three rules with dive's names, defaults and comparisons, configurable from a `.dive-ci` YAML
 * file and from flags. "", "disabled", "off" and "false" turn a rule off. The byte and percent
 * rules use dive's `wastedBytes` (every copy counted), so thresholds carry over from dive.
 * Pure, except that parsing problems throw UsageError.
 */
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { parseHumanBytes } from './bytes.js';
import type { DiveMetrics } from './efficiency.js';

export type CiRuleName = 'lowest-efficiency' | 'highest-wasted-bytes' | 'highest-user-wasted-percent';

export type CiRuleValues = Record<CiRuleName, string>;

export const DEFAULT_CI_RULES: Readonly<CiRuleValues> = {
  'lowest-efficiency': '0.9',
  'highest-wasted-bytes': 'disabled',
  'highest-user-wasted-percent': '0.1',
};

export const CI_RULE_NAMES: readonly CiRuleName[] = [
  'lowest-efficiency',
  'highest-wasted-bytes',
  'highest-user-wasted-percent',
];

/** Keys dive has used over time; the camelCase ones are legacy (dive warns about them). */
const KEY_ALIASES: Record<string, { rule: CiRuleName; legacy: boolean }> = {
  'lowest-efficiency': { rule: 'lowest-efficiency', legacy: false },
  'lowest-efficiency-threshold': { rule: 'lowest-efficiency', legacy: false },
  lowestEfficiency: { rule: 'lowest-efficiency', legacy: true },
  'highest-wasted-bytes': { rule: 'highest-wasted-bytes', legacy: false },
  highestWastedBytes: { rule: 'highest-wasted-bytes', legacy: true },
  'highest-user-wasted-percent': { rule: 'highest-user-wasted-percent', legacy: false },
  highestUserWastedPercent: { rule: 'highest-user-wasted-percent', legacy: true },
};

export interface CiConfigFile {
  rules: Partial<CiRuleValues>;
  warnings: string[];
}

/** Reads a `.dive-ci` document (`rules:` map; top-level rule keys are accepted too). */
export function parseDiveCi(text: string, file = '.dive-ci'): CiConfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const warnings: string[] = [];
  const rules: Partial<CiRuleValues> = {};
  if (doc === null || doc === undefined) return { rules, warnings };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file} must be a YAML mapping`);
  const top = doc as Record<string, unknown>;
  const section = top.rules ?? top;
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw new UsageError(`${file}: "rules" must be a mapping`);
  }
  for (const [key, value] of Object.entries(section as Record<string, unknown>)) {
    if (key === 'rules') continue;
    const alias = KEY_ALIASES[key];
    if (!alias) {
      warnings.push(`${file}: unknown rule "${key}" ignored`);
      continue;
    }
    if (alias.legacy) warnings.push(`${file}: "${key}" is deprecated, use "${alias.rule}"`);
    if (value === null || value === undefined) rules[alias.rule] = '';
    else if (typeof value === 'string') rules[alias.rule] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') rules[alias.rule] = String(value);
    else throw new UsageError(`${file}: "${key}" must be a number or a string`);
  }
  return { rules, warnings };
}

export function isRuleDisabled(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === '' || v === 'disabled' || v === 'off' || v === 'false';
}

export type CiStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface CiRuleResult {
  rule: CiRuleName;
  status: CiStatus;
  /** The configured threshold as written ("disabled" for a disabled rule). */
  threshold: string;
  message: string;
}

export interface CiEvaluation {
  pass: boolean;
  rules: CiRuleResult[];
}

function ratio(value: string, rule: CiRuleName): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`invalid ${rule} value "${value}": not a number`, {
      hint: 'a ratio from 0 to 1, e.g. 0.9',
    });
  }
  if (n < 0 || n > 1) {
    throw new UsageError(`${rule} value is outside the allowed range (0-1), given "${value}"`);
  }
  return n;
}

/** Validates every rule value (throws UsageError), so a misconfiguration fails before any download. */
export function validateCiRules(values: CiRuleValues): void {
  for (const rule of CI_RULE_NAMES) {
    const v = values[rule];
    if (isRuleDisabled(v)) continue;
    if (rule === 'highest-wasted-bytes') parseHumanBytes(v, rule);
    else ratio(v, rule);
  }
}

const fixed2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : String(n));

export function evaluateCi(metrics: DiveMetrics, values: CiRuleValues): CiEvaluation {
  validateCiRules(values);
  const rules: CiRuleResult[] = CI_RULE_NAMES.map((rule) => {
    const threshold = values[rule];
    if (isRuleDisabled(threshold))
      return { rule, status: 'SKIP', threshold: 'disabled', message: 'rule disabled' };
    switch (rule) {
      case 'lowest-efficiency': {
        const t = ratio(threshold, rule);
        return t > metrics.efficiency
          ? {
              rule,
              status: 'FAIL',
              threshold,
              message: `image efficiency is too low (efficiency=${fixed2(metrics.efficiency)} < threshold=${threshold})`,
            }
          : { rule, status: 'PASS', threshold, message: threshold };
      }
      case 'highest-wasted-bytes': {
        const t = parseHumanBytes(threshold, rule);
        return metrics.wastedBytes > t
          ? {
              rule,
              status: 'FAIL',
              threshold,
              message: `too many bytes wasted (wasted-bytes=${metrics.wastedBytes} > threshold=${t})`,
            }
          : { rule, status: 'PASS', threshold, message: threshold };
      }
      case 'highest-user-wasted-percent': {
        const t = ratio(threshold, rule);
        return metrics.userWastedPercent > t
          ? {
              rule,
              status: 'FAIL',
              threshold,
              message: `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${fixed2(metrics.userWastedPercent)} > threshold=${threshold})`,
            }
          : { rule, status: 'PASS', threshold, message: threshold };
      }
    }
  });
  return { pass: rules.every((r) => r.status !== 'FAIL'), rules };
}
