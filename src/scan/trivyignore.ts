/**
 * Trivy's ignore files, read the way Trivy reads them (pkg/result/ignore.go):
 *
 * - `.trivyignore`: one ID per line; blank lines and lines starting with `#` are skipped; any
 *   whitespace-separated field `exp:YYYY-MM-DD` sets an expiry. A line whose date does not parse
 *   is skipped with a warning (its ID is then NOT ignored). An entry expires at 00:00 UTC of its
 *   date.
 * - `.trivyignore.yaml` / `.yml`: the `vulnerabilities:` list of `{id, paths, purls, expired_at,
 *   statement}`; `paths` are globs matched against the result target and the package path.
 */
import { readFile } from 'node:fs/promises';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import type { Finding } from './types.js';

export interface IgnoreRule {
  id: string;
  expiresAt?: Date;
  /** Globs; the rule applies only to findings whose target or package path matches one. */
  paths?: string[];
  /** Package URLs; the rule applies only to packages matching one. */
  purls?: string[];
  statement?: string;
  /** 1-based line in a plain `.trivyignore`. */
  line?: number;
}

export interface IgnoreFile {
  path: string;
  /** Rules in force (not expired). */
  rules: IgnoreRule[];
  /** Rules whose expiry date has passed: listed so the user can renew or delete them. */
  expired: IgnoreRule[];
  warnings: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Go's time.Parse("2006-01-02", s): exactly that shape, and a real calendar date, at UTC midnight. */
export function parseIsoDate(s: string): Date | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  return date;
}

function split(rules: IgnoreRule[], now: Date): Pick<IgnoreFile, 'rules' | 'expired'> {
  const live: IgnoreRule[] = [];
  const expired: IgnoreRule[] = [];
  for (const r of rules) (r.expiresAt && r.expiresAt.getTime() < now.getTime() ? expired : live).push(r);
  return { rules: live, expired };
}

/** Parses the plain `.trivyignore` format. */
export function parseTrivyIgnore(text: string, path: string, now = new Date()): IgnoreFile {
  const rules: IgnoreRule[] = [];
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const id = fields[0] ?? '';
    let expiresAt: Date | undefined;
    // Like Trivy: the first field starting with "exp:" (only looked for when there are several fields).
    const exp = fields.length > 1 ? fields.find((f) => f.startsWith('exp:')) : undefined;
    if (exp !== undefined) {
      expiresAt = parseIsoDate(exp.slice(4));
      if (!expiresAt) {
        warnings.push(`${path}:${i + 1}: invalid expiry "${exp}" (expected exp:YYYY-MM-DD); line skipped`);
        return;
      }
    }
    rules.push({ id, line: i + 1, ...(expiresAt ? { expiresAt } : {}) });
  });
  return { path, ...split(rules, now), warnings };
}

function yamlDate(v: unknown, where: string): Date | undefined {
  if (v === undefined || v === null) return undefined;
  const d = v instanceof Date ? v : typeof v === 'string' ? (parseIsoDate(v) ?? new Date(v)) : undefined;
  if (!d || Number.isNaN(d.getTime()))
    throw new UsageError(`${where}: invalid expired_at ${JSON.stringify(v)}`);
  return d;
}

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new UsageError(`${where} must be a list of strings`);
  }
  return v;
}

/** Parses `.trivyignore.yaml`; only its `vulnerabilities` list applies to image scans. */
export function parseTrivyIgnoreYaml(text: string, path: string, now = new Date()): IgnoreFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = (doc as { vulnerabilities?: unknown } | null)?.vulnerabilities ?? [];
  if (!Array.isArray(list)) throw new UsageError(`${path}: "vulnerabilities" must be a list`);
  const rules = list.map((entry: unknown, i): IgnoreRule => {
    const where = `${path}: vulnerabilities[${i}]`;
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.id !== 'string' || e.id === '') throw new UsageError(`${where} needs an "id"`);
    const paths = stringList(e.paths, `${where}.paths`);
    const purls = stringList(e.purls, `${where}.purls`);
    const expiresAt = yamlDate(e.expired_at, where);
    return {
      id: e.id,
      ...(paths ? { paths } : {}),
      ...(purls ? { purls } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      ...(typeof e.statement === 'string' ? { statement: e.statement } : {}),
    };
  });
  return { path, ...split(rules, now), warnings: [] };
}

/**
 * Loads an ignore file. A missing default file is no error (`.trivyignore` is optional); a missing
 * `explicit` one (`--ignore-file`) is a usage error: a mistyped name would otherwise let findings
 * the user meant to accept fail the gate, or worse, pass a gate run on the wrong assumptions.
 */
export async function loadIgnoreFile(
  path: string,
  opts: { explicit?: boolean; now?: Date } = {},
): Promise<IgnoreFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (!opts.explicit) return undefined;
      throw new UsageError(`ignore file ${path} does not exist`, {
        hint: 'check the --ignore-file path, or leave it out to use ./.trivyignore when present',
      });
    }
    throw new UsageError(`cannot read ignore file ${path}: ${code ?? String(err)}`);
  }
  return /\.ya?ml$/i.test(path)
    ? parseTrivyIgnoreYaml(text, path, opts.now)
    : parseTrivyIgnore(text, path, opts.now);
}

interface Purl {
  type: string;
  namespace: string;
  name: string;
  version: string;
  qualifiers: Map<string, string>;
}

function parsePurl(s: string): Purl | undefined {
  const m = /^pkg:([^/]+)\/(.+?)(?:@([^?#]*))?(?:\?([^#]*))?(?:#.*)?$/.exec(s);
  if (!m) return undefined;
  const segments = (m[2] ?? '').split('/').map((x) => decodeURIComponent(x));
  const name = segments.pop() ?? '';
  const qualifiers = new Map<string, string>();
  for (const kv of (m[4] ?? '').split('&').filter(Boolean)) {
    const [k = '', v = ''] = kv.split('=');
    qualifiers.set(k.toLowerCase(), decodeURIComponent(v));
  }
  return {
    type: (m[1] ?? '').toLowerCase(),
    namespace: segments.join('/'),
    name,
    version: decodeURIComponent(m[3] ?? ''),
    qualifiers,
  };
}

/** Trivy's purl match: same type, namespace and name; version and qualifiers only when the rule has them. */
function purlMatches(pattern: string, target: string | undefined): boolean {
  if (target === undefined) return true;
  const p = parsePurl(pattern);
  const t = parsePurl(target);
  if (!p || !t) return false;
  if (p.type !== t.type || p.namespace !== t.namespace || p.name !== t.name) return false;
  if (p.version !== '' && p.version !== t.version) return false;
  return [...p.qualifiers].every(([k, v]) => t.qualifiers.get(k) === v);
}

function pathMatches(patterns: string[] | undefined, path: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => picomatch.isMatch(path, p, { dot: true }));
}

/** The rule that ignores `f`, if any (matched on the target, then on the package path, like Trivy). */
export function matchIgnore(rules: readonly IgnoreRule[], f: Finding): IgnoreRule | undefined {
  for (const path of [f.target, f.pkgPath ?? '']) {
    const rule = rules.find(
      (r) =>
        r.id === f.vulnerabilityId &&
        pathMatches(r.paths, path) &&
        (!r.purls || r.purls.length === 0 || r.purls.some((p) => purlMatches(p, f.purl))),
    );
    if (rule) return rule;
  }
  return undefined;
}
