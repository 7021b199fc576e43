/**
 * Checks the text of a config file and says where each problem is (line and column), so an editor
 * or a CI log points at the offending key rather than at the file.
 */
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, KNOWN_KEYS, type Config } from './schema.js';

export interface ConfigProblem {
  /** Dotted path of the offending key (`services.api.port`), `(root)` for the document. */
  path: string;
  message: string;
  /** 1-based; absent when the key is missing (reported at its parent). */
  line?: number;
  column?: number;
}

export interface ConfigCheck {
  /** Present only when there are no errors. */
  config?: Config;
  errors: ConfigProblem[];
  /** Unknown top-level keys: kept, so a newer file loads in an older tool, but likely typos. */
  warnings: ConfigProblem[];
}

type PathKey = string | number;

/** The node of `path`, or of its nearest existing ancestor, and its position. */
function position(
  doc: Document,
  lines: LineCounter,
  path: readonly PathKey[],
): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const parent = sub.length === 0 ? doc.contents : doc.getIn(sub.slice(0, -1), true);
    // Point at the key itself when the parent is a map, at the value otherwise.
    let node: unknown = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
    if (sub.length > 0 && isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === sub[sub.length - 1]);
      if (pair && isNode(pair.key)) node = pair.key;
    }
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

function dotted(path: readonly PathKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

type Issue = z.core.$ZodIssue;

/**
 * A union's "Invalid input" says nothing; the branch that got furthest into the value (the deepest
 * issue path) is the one the user meant, so report that branch's issues instead.
 */
function expand(issue: Issue, prefix: readonly PathKey[]): { issue: Issue; path: PathKey[] }[] {
  const path = [...prefix, ...issue.path.filter((p): p is PathKey => typeof p !== 'symbol')];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ issue, path }];
  let best: { issue: Issue; path: PathKey[] }[] = [];
  let bestDepth = path.length;
  for (const branch of issue.errors) {
    const expanded = branch.flatMap((i) => expand(i, path));
    const depth = Math.max(...expanded.map((e) => e.path.length));
    if (depth > bestDepth) [best, bestDepth] = [expanded, depth];
  }
  return best.length > 0 ? best : [{ issue, path }];
}

export function checkConfigText(text: string): ConfigCheck {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          path: '(root)',
          message: `YAML: ${e.message.split('\n')[0]}`,
          line: pos.line,
          column: pos.col,
        };
      }),
      warnings: [],
    };
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return {
      errors: [{ path: '(root)', message: 'the config must be a mapping of keys', line: 1, column: 1 }],
      warnings: [],
    };
  }
  const warnings: ConfigProblem[] = Object.keys(data)
    .filter((k) => !KNOWN_KEYS.includes(k))
    .map((k) => ({ path: k, message: 'unknown key (ignored)', ...position(doc, lines, [k]) }));
  const r = configSchema.safeParse(data);
  if (r.success) return { config: r.data, errors: [], warnings };
  const errors = r.error.issues
    .flatMap((raw) => expand(raw, []))
    .map(({ issue, path }) => ({
      path: dotted(path),
      message: issue.message,
      ...position(doc, lines, path),
    }));
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { errors, warnings };
}

/**
 * A locator for `text`: the line and column of a key path such as `['tags', 2]` (the third entry
 * of `tags:`), or of its nearest existing ancestor. For checks made after the schema passed.
 */
export function configLocator(text: string): (path: readonly PathKey[]) => { line: number; column: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  return (path) => position(doc, lines, path);
}

/** `file:line:column: path: message`. */
export function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.column ?? 1}` : file;
  return `${where}: ${p.path}: ${p.message}`;
}
