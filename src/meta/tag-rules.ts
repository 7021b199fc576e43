/**
 * `tags` input entries (`type=semver,pattern={{version}},priority=900`) parsed and checked as the
 * action does — same defaults, same type-specific attributes, same order (highest priority first,
 * input order among equals) — plus up-front checks the action only fails on later (a regular
 * expression that does not compile, a pattern that does not parse, a priority that is not a
 * number). Each error names the rule and the attribute.
 */
import { UsageError } from '../errors.js';
import { CsvError, parseCsv } from './csv.js';
import { checkVersionPattern, PatternError } from './semver-pattern.js';
import { parseTemplate, TemplateError } from './template.js';

export const TAG_TYPES = ['schedule', 'semver', 'pep440', 'match', 'edge', 'ref', 'raw', 'sha'] as const;
export type TagType = (typeof TAG_TYPES)[number];

export const REF_EVENTS = ['branch', 'tag', 'pr'] as const;
export const SHA_FORMATS = ['short', 'long'] as const;

export const DEFAULT_PRIORITIES: Readonly<Record<TagType, number>> = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100,
};

/** The rules used when the `tags` input is empty. */
export const DEFAULT_TAG_RULES = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr',
];

const COMMON_ATTRS = ['enable', 'priority', 'prefix', 'suffix'];
const TYPE_ATTRS: Readonly<Record<TagType, readonly string[]>> = {
  schedule: ['pattern'],
  semver: ['pattern', 'value', 'match'],
  pep440: ['pattern', 'value', 'match'],
  match: ['pattern', 'group', 'value'],
  edge: ['branch'],
  ref: ['event'],
  raw: ['value'],
  sha: ['format'],
};

export interface TagRule {
  type: TagType;
  /** Attributes as written, with the action's defaults filled in (`enable`, `priority`, …). */
  attrs: Record<string, string>;
  priority: number;
  /** The entry as given, for messages. */
  source: string;
  /** Attributes this type does not use (the action ignores them). */
  unknownAttrs: string[];
}

function fail(source: string, reason: string, hint?: string): never {
  throw new UsageError(`tag rule "${source}": ${reason}`, {
    hint: hint ?? 'see "ghcr-optimize meta --help" for the tag types and their attributes',
  });
}

/** `a=b=c` → ["a", "b=c"]; a field with no `=` (or starting with one) is a bare value. */
function splitAttribute(field: string): [string] | [string, string] {
  const i = field.indexOf('=');
  if (i <= 0) return [field.trim()];
  return [field.slice(0, i).trim(), field.slice(i + 1).trim()];
}

/** A `pattern=` of type=match: `/re/flags` or a plain regular expression. */
export function matchRegExp(pattern: string): RegExp {
  const m = /^\/(.+)\/(.*)$/s.exec(pattern);
  return m ? new RegExp(m[1]!, m[2]) : new RegExp(pattern);
}

function checkExpression(source: string, attr: string, value: string): void {
  try {
    parseTemplate(value);
  } catch (err) {
    if (err instanceof TemplateError) fail(source, `${attr}: ${err.message}`);
    throw err;
  }
}

export function parseTagRule(source: string): TagRule {
  let fields: string[];
  try {
    fields = parseCsv(source)[0] ?? [];
  } catch (err) {
    if (err instanceof CsvError) fail(source, err.message);
    throw err;
  }
  const attrs: Record<string, string> = {};
  let type: TagType | undefined;
  for (const field of fields) {
    const parts = splitAttribute(field);
    if (parts.length === 1) {
      attrs.value = parts[0];
      continue;
    }
    const key = parts[0].toLowerCase();
    const value = parts[1];
    if (key === 'type') {
      if (!(TAG_TYPES as readonly string[]).includes(value)) {
        fail(source, `unknown type "${value}"`, `types: ${TAG_TYPES.join(', ')}`);
      }
      type = value as TagType;
    } else {
      attrs[key] = value;
    }
  }
  type ??= 'raw';
  const has = (k: string): boolean => Object.hasOwn(attrs, k);

  switch (type) {
    case 'schedule':
      if (!has('pattern')) attrs.pattern = 'nightly';
      checkExpression(source, 'pattern', attrs.pattern!);
      break;
    case 'semver':
    case 'pep440':
      if (!has('pattern')) fail(source, 'missing pattern attribute', `e.g. type=${type},pattern={{version}}`);
      try {
        checkVersionPattern(attrs.pattern!, type);
      } catch (err) {
        if (err instanceof PatternError) fail(source, `invalid pattern "${attrs.pattern}": ${err.message}`);
        throw err;
      }
      if (!has('value')) attrs.value = '';
      if (!has('match')) attrs.match = '';
      if (attrs.match !== '') {
        try {
          new RegExp(attrs.match!);
        } catch (err) {
          fail(source, `match: invalid regular expression: ${(err as Error).message}`);
        }
      }
      break;
    case 'match':
      if (!has('pattern')) fail(source, 'missing pattern attribute', 'e.g. type=match,pattern=v(.*),group=1');
      if (!has('group')) attrs.group = '0';
      if (Number.isNaN(Number(attrs.group))) {
        fail(source, `group must be a number, got "${attrs.group}"`);
      }
      if (!has('value')) attrs.value = '';
      try {
        matchRegExp(attrs.pattern!);
      } catch (err) {
        fail(source, `pattern: invalid regular expression: ${(err as Error).message}`);
      }
      break;
    case 'edge':
      if (!has('branch')) attrs.branch = '';
      break;
    case 'ref':
      if (!has('event'))
        fail(source, 'missing event attribute', 'e.g. type=ref,event=branch (branch, tag or pr)');
      if (!(REF_EVENTS as readonly string[]).includes(attrs.event!)) {
        fail(source, `event must be branch, tag or pr, got "${attrs.event}"`);
      }
      if (attrs.event === 'pr' && !has('prefix')) attrs.prefix = 'pr-';
      break;
    case 'raw':
      if (!has('value')) fail(source, 'missing value attribute', 'e.g. type=raw,value=latest');
      break;
    case 'sha':
      if (!has('prefix')) attrs.prefix = 'sha-';
      if (!has('format')) attrs.format = 'short';
      if (!(SHA_FORMATS as readonly string[]).includes(attrs.format!)) {
        fail(source, `format must be short or long, got "${attrs.format}"`);
      }
      break;
  }
  if (!has('enable')) attrs.enable = 'true';
  if (!has('priority')) attrs.priority = String(DEFAULT_PRIORITIES[type]);
  const priority = Number(attrs.priority);
  if (Number.isNaN(priority)) fail(source, `priority must be a number, got "${attrs.priority}"`);

  for (const attr of [
    'enable',
    'prefix',
    'suffix',
    ...(type === 'raw' || type === 'semver' || type === 'pep440' || type === 'match' ? ['value'] : []),
  ]) {
    if (has(attr)) checkExpression(source, attr, attrs[attr]!);
  }
  const known = [...COMMON_ATTRS, ...TYPE_ATTRS[type]];
  const unknownAttrs = Object.keys(attrs).filter((k) => !known.includes(k));
  return { type, attrs, priority, source, unknownAttrs };
}

/** All rules (the defaults when none), highest priority first; equal priorities keep their order. */
export function parseTagRules(entries: readonly string[]): TagRule[] {
  const rules = (entries.length === 0 ? DEFAULT_TAG_RULES : entries).map(parseTagRule);
  // Array.prototype.sort is stable: ties stay in input order, as in the action.
  return rules.sort((a, b) => b.priority - a.priority);
}
