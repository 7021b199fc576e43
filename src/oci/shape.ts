/**
 * A few lines of structural validation, so the manifest path does not need zod: parsing every
 * command's manifests through zod cost ~40 ms of start-up (its bundle alone is 450 KB). Checks
 * collect every problem with its path; objects are loose (unknown fields are kept).
 */

export type Path = (string | number)[];
export interface Issue {
  path: Path;
  message: string;
}
export type Check<T> = ((value: unknown, path: Path, issues: Issue[]) => void) & { readonly __type?: T };

function received(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function expected(kind: string): Check<never> {
  return (v, path, issues) => issues.push({ path, message: `expected ${kind}, received ${received(v)}` });
}

export const string =
  (opts: { min?: number; refine?: [(s: string) => boolean, string] } = {}): Check<string> =>
  (v, path, issues) => {
    if (typeof v !== 'string') return expected('string')(v, path, issues);
    if (opts.min !== undefined && v.length < opts.min)
      issues.push({ path, message: `must have at least ${opts.min} character(s)` });
    else if (opts.refine && !opts.refine[0](v)) issues.push({ path, message: opts.refine[1] });
  };

export const number =
  (opts: { int?: boolean; nonnegative?: boolean } = {}): Check<number> =>
  (v, path, issues) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return expected('number')(v, path, issues);
    if (opts.int && !Number.isInteger(v)) issues.push({ path, message: 'expected an integer' });
    else if (opts.nonnegative && v < 0) issues.push({ path, message: 'must be >= 0' });
  };

export const boolean: Check<boolean> = (v, path, issues) => {
  if (typeof v !== 'boolean') expected('boolean')(v, path, issues);
};

export const literal =
  <L extends string | number>(lit: L): Check<L> =>
  (v, path, issues) => {
    if (v !== lit) issues.push({ path, message: `expected ${JSON.stringify(lit)}` });
  };

export const array =
  <T>(item: Check<T>): Check<T[]> =>
  (v, path, issues) => {
    if (!Array.isArray(v)) return expected('array')(v, path, issues);
    v.forEach((x, i) => item(x, [...path, i], issues));
  };

export const record =
  <T>(item: Check<T>): Check<Record<string, T>> =>
  (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return expected('object')(v, path, issues);
    for (const [k, x] of Object.entries(v)) item(x, [...path, k], issues);
  };

/** Marks a field that may be absent (`optional`) or absent/null (`nullish`). */
export interface Field<T> {
  check: Check<T>;
  presence: 'required' | 'optional' | 'nullish';
}
export const optional = <T>(check: Check<T>): Field<T | undefined> => ({ check, presence: 'optional' });
export const nullish = <T>(check: Check<T>): Field<T | null | undefined> => ({ check, presence: 'nullish' });

type Shape = Record<string, Check<unknown> | Field<unknown>>;
type FieldType<F> = F extends Field<infer T> ? T : F extends Check<infer T> ? T : never;
type Optionals<S extends Shape> = { [K in keyof S]: S[K] extends Field<unknown> ? K : never }[keyof S];
export type Infer<S extends Shape> = { [K in Exclude<keyof S, Optionals<S>>]: FieldType<S[K]> } & {
  [K in Optionals<S>]?: FieldType<S[K]>;
} & Record<string, unknown>;

export const object =
  <S extends Shape>(shape: S): Check<Infer<S>> =>
  (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return expected('object')(v, path, issues);
    const rec = v as Record<string, unknown>;
    for (const [key, spec] of Object.entries(shape)) {
      const field: Field<unknown> = typeof spec === 'function' ? { check: spec, presence: 'required' } : spec;
      const x = rec[key];
      if (x === undefined && field.presence !== 'required') continue;
      if (x === null && field.presence === 'nullish') continue;
      field.check(x, [...path, key], issues);
    }
  };

/** Runs `check`; returns the issues (empty when `value` conforms). */
export function validate(check: Check<unknown>, value: unknown): Issue[] {
  const issues: Issue[] = [];
  check(value, [], issues);
  return issues;
}

/** `layers.1.digest: not a sha256/sha512 digest (and 2 more problems)`. */
export function describeIssues(issues: Issue[]): string {
  const first = issues[0];
  if (!first) return 'invalid document';
  const path = first.path.length > 0 ? first.path.join('.') : '(root)';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
  return `${path}: ${first.message}${more}`;
}
