/**
 * The expressions available in `value`, `prefix`, `suffix` and `enable` attributes, flavor
 * prefixes/suffixes, labels and annotations: `{{branch}}`, `{{tag}}`, `{{sha}}`, `{{base_ref}}`,
 * `{{is_default_branch}}`, `{{is_not_default_branch}}`, `{{date 'FORMAT' tz='Zone'}}` and
 * `{{commit_date 'FORMAT' tz='Zone'}}`. `type=schedule` patterns only get the two date helpers.
 */
import { scalar, type MetaContext } from './context.js';
import { DateFormatError, formatDate } from './date-format.js';
import { callable, TemplateError, toTemplateString, type Callable, type Scope } from './template.js';
import { shortSha } from './switches.js';

export const GLOBAL_EXPRESSIONS = [
  'branch',
  'tag',
  'sha',
  'base_ref',
  'is_default_branch',
  'is_not_default_branch',
  'date',
  'commit_date',
] as const;

export const SCHEDULE_EXPRESSIONS = ['date', 'commit_date'] as const;

function dateHelper(name: string, date: () => Date): Callable {
  return callable((params, hash) => {
    if (params.length === 0) {
      throw new TemplateError(`{{${name}}} needs a format, e.g. {{${name} 'YYYYMMDD'}}`);
    }
    let tz = 'UTC';
    for (const [key, value] of Object.entries(hash)) {
      if (key !== 'tz') throw new TemplateError(`Unknown ${key} attribute`);
      tz = toTemplateString(value);
    }
    const format = params[0];
    try {
      return formatDate(
        date(),
        format === undefined || format === null ? undefined : toTemplateString(format),
        tz,
      );
    } catch (err) {
      if (err instanceof DateFormatError) throw new TemplateError(`{{${name}}}: ${err.message}`);
      throw err;
    }
  });
}

export interface ExpressionOptions {
  now: Date;
  shortShaLength: number;
}

export function branchOf(ref: string): string {
  return /^refs\/heads\//.test(ref) ? ref.replace(/^refs\/heads\//g, '') : '';
}

export function tagOf(ref: string): string {
  return /^refs\/tags\//.test(ref) ? ref.replace(/^refs\/tags\//g, '') : '';
}

export function isDefaultBranch(ctx: MetaContext): boolean {
  const branch = ctx.ref.replace(/^refs\/heads\//g, '');
  if (branch.length === 0) return false;
  if (ctx.repo.defaultBranch === branch) return true;
  // These events always run on the last commit of the default branch.
  return /create|discussion|issues|schedule/.test(ctx.eventName);
}

export function baseRefOf(ctx: MetaContext): string {
  const p = ctx.payload;
  if (/^refs\/tags\//.test(ctx.ref) && p.base_ref !== undefined && p.base_ref !== null) {
    return scalar(p.base_ref).replace(/^refs\/heads\//g, '');
  }
  const pr = p.pull_request as { base?: { ref?: unknown } } | undefined;
  if (/^refs\/pull\//.test(ctx.ref) && pr?.base?.ref !== undefined && pr.base.ref !== null) {
    return scalar(pr.base.ref);
  }
  return '';
}

export function dateScope(ctx: MetaContext, opts: ExpressionOptions): Scope {
  return {
    date: dateHelper('date', () => opts.now),
    commit_date: dateHelper('commit_date', () => ctx.commitDate ?? opts.now),
  };
}

export function globalScope(ctx: MetaContext, opts: ExpressionOptions): Scope {
  const isDefault = (): string => (isDefaultBranch(ctx) ? 'true' : 'false');
  return {
    branch: callable(() => branchOf(ctx.ref)),
    tag: callable(() => tagOf(ctx.ref)),
    sha: callable(() => shortSha(ctx.sha, opts.shortShaLength)),
    base_ref: callable(() => baseRefOf(ctx)),
    is_default_branch: callable(isDefault),
    is_not_default_branch: callable(() => (isDefault() === 'false' ? 'true' : 'false')),
    ...dateScope(ctx, opts),
  };
}
