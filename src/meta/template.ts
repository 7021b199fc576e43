/**
 * The part of Handlebars the action's patterns and expressions use: `{{name}}`, `{{name 'arg' key='v'}}`,
 * `{{{raw}}}` / `{{& raw}}` (unescaped), `{{! comment}}`, `\{{` (a literal `{{`) and `~` whitespace
 * control. Output of `{{…}}` is HTML-escaped exactly as Handlebars does (`=` becomes `&#x3D;`, …).
 *
 * Lookup follows Handlebars' non-strict rules: an unknown name renders as empty; a function found
 * in the scope is called (with its arguments, if any); a name used with arguments that is not in
 * the scope is a "missing helper" error. Block helpers, partials and sub-expressions are refused.
 */

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export type Literal = string | number | boolean | null | undefined;

export type Expr =
  { kind: 'literal'; value: Literal } | { kind: 'path'; parts: string[]; original: string; data: boolean };

export interface Mustache {
  kind: 'mustache';
  escaped: boolean;
  /** A path, or a literal used as a name (`{{"a b"}}` looks up "a b"). */
  name: Expr;
  params: Expr[];
  hash: [string, Expr][];
  source: string;
}

export type TemplateNode = { kind: 'text'; text: string } | { kind: 'comment' } | Mustache;

/** A function in the scope: called with the rendered arguments and the `key=value` pairs. */
export type TemplateFunction = (params: unknown[], hash: Record<string, unknown>) => unknown;

/** Marks a scope entry as callable (plain functions stay values only for `typeof` checks). */
export interface Callable {
  readonly call: TemplateFunction;
}

export type Scope = Readonly<Record<string, unknown>>;

const ID_CHAR = /[^\s!"#%&'()*+,./;<=>@[\\\]^`{|}~]/;
const ID_FOLLOW = /[=~}\s/.)|]/;
const NUMBER = /^-?[0-9]+(?:\.[0-9]+)?(?=[~}\s)])/;

function isCallable(v: unknown): v is Callable {
  return typeof v === 'object' && v !== null && typeof (v as { call?: unknown }).call === 'function';
}

export function callable(call: TemplateFunction): Callable {
  return { call };
}

class Lexer {
  pos = 0;
  constructor(
    readonly src: string,
    readonly end: number,
  ) {}

  skipWs(): void {
    while (this.pos < this.end && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  fail(what: string): never {
    throw new TemplateError(`${what} at position ${this.pos + 1}`);
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  peek(): string {
    return this.src[this.pos] ?? '';
  }

  readString(): string {
    const q = this.src[this.pos]!;
    let out = '';
    this.pos++;
    while (this.pos < this.end) {
      const c = this.src[this.pos]!;
      if (c === '\\' && this.src[this.pos + 1] === q) {
        out += q;
        this.pos += 2;
        continue;
      }
      if (c === q) {
        this.pos++;
        return out;
      }
      out += c;
      this.pos++;
    }
    return this.fail('unterminated string');
  }

  readId(): string {
    const start = this.pos;
    if (this.peek() === '[') {
      const close = this.src.indexOf(']', this.pos);
      if (close < 0 || close >= this.end) this.fail('unterminated [segment]');
      this.pos = close + 1;
      return this.src.slice(start + 1, close);
    }
    while (this.pos < this.end && ID_CHAR.test(this.src[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail(`unexpected "${this.peek()}"`);
    if (this.pos < this.end && !ID_FOLLOW.test(this.src[this.pos]!)) this.fail(`unexpected "${this.peek()}"`);
    return this.src.slice(start, this.pos);
  }

  readPath(): Expr {
    const start = this.pos;
    let data = false;
    if (this.peek() === '@') {
      data = true;
      this.pos++;
    }
    const parts: string[] = [];
    for (;;) {
      if (this.src.startsWith('..', this.pos) || (this.peek() === '.' && this.src[this.pos + 1] === '/')) {
        // `../x` (parent scope) has no meaning here; `./x` is `x`.
        if (this.src.startsWith('..', this.pos)) parts.push('..');
        this.pos += this.src.startsWith('..', this.pos) ? 2 : 1;
      } else if (this.peek() === '.' && parts.length === 0) {
        this.pos++; // `{{.}}` is `this`
        if (this.atEnd() || !/[./]/.test(this.peek())) break;
        continue;
      } else {
        const id = this.readId();
        if (id !== 'this' || parts.length > 0) parts.push(id);
      }
      if (this.peek() === '.' || this.peek() === '/') {
        this.pos++;
        continue;
      }
      break;
    }
    return { kind: 'path', parts, original: this.src.slice(start, this.pos), data };
  }

  /** One argument: a literal or a path. */
  readExpr(): Expr {
    const c = this.peek();
    if (c === '"' || c === "'") return { kind: 'literal', value: this.readString() };
    if (c === '(') return this.fail('sub-expressions "(…)" are not supported');
    // The expression ends with "}}" (or "~}}"), which is a valid end for a literal.
    const rest = `${this.src.slice(this.pos, this.end)} `;
    const num = NUMBER.exec(rest);
    if (num) {
      this.pos += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['undefined', undefined],
    ] as const) {
      if (rest.startsWith(word) && /[~}\s)]/.test(rest[word.length] ?? ' ')) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    return this.readPath();
  }
}

/** Splits a template into text, comments and mustaches; throws TemplateError on bad syntax. */
export function parseTemplate(src: string): TemplateNode[] {
  const nodes: TemplateNode[] = [];
  let text = '';
  let stripNextLeading = false;
  const pushText = (): void => {
    if (text !== '') nodes.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      text += src.slice(i);
      break;
    }
    let chunk = src.slice(i, open);
    if (chunk.endsWith('\\') && !chunk.endsWith('\\\\')) {
      // `\{{` is a literal `{{`.
      text += chunk.slice(0, -1) + '{{';
      i = open + 2;
      continue;
    }
    if (chunk.endsWith('\\\\')) chunk = chunk.slice(0, -1);
    text += chunk;
    if (stripNextLeading) {
      text = text.replace(/^\s+/, '');
      stripNextLeading = false;
    }
    let p = open + 2;
    let triple = false;
    if (src[p] === '{') {
      triple = true;
      p++;
    }
    if (src[p] === '~') {
      text = text.replace(/\s+$/, '');
      p++;
    }
    pushText();
    // Comments: {{!-- … --}} may contain "}}", {{! … }} may not.
    if (!triple && src[p] === '!') {
      const re = src.startsWith('!--', p) ? /--(~?)}}/g : /(~?)}}/g;
      re.lastIndex = p;
      const m = re.exec(src);
      if (!m) throw new TemplateError(`unterminated comment at position ${open + 1}`);
      if (m[1] === '~') stripNextLeading = true;
      nodes.push({ kind: 'comment' });
      i = m.index + m[0].length;
      continue;
    }
    const closeToken = triple ? '}}}' : '}}';
    const close = src.indexOf(closeToken, p);
    if (close < 0) throw new TemplateError(`"{{" at position ${open + 1} is never closed`);
    let end = close;
    if (src[end - 1] === '~') {
      end--;
      stripNextLeading = true;
    }
    const source = src.slice(open, close + closeToken.length);
    let escaped = !triple;
    if (!triple && src[p] === '&') {
      escaped = false;
      p++;
    }
    const lead = src[p];
    if (!triple && (lead === '#' || lead === '/' || lead === '^' || lead === '>' || lead === '*')) {
      throw new TemplateError(`${source}: block helpers and partials are not supported`);
    }
    const lx = new Lexer(src, end);
    lx.pos = p;
    lx.skipWs();
    if (lx.atEnd()) throw new TemplateError(`empty expression ${source}`);
    const name = lx.readExpr();
    if (name.kind === 'path' && name.parts.length === 1 && name.parts[0] === 'else' && !name.data) {
      throw new TemplateError(`${source}: block helpers are not supported`);
    }
    const params: Expr[] = [];
    const hash: [string, Expr][] = [];
    for (;;) {
      lx.skipWs();
      if (lx.atEnd()) break;
      if (lx.peek() === '|') lx.fail('block parameters are not supported');
      const save = lx.pos;
      const c = lx.peek();
      if (c !== '"' && c !== "'" && c !== '(' && c !== '[') {
        // key=value?
        const m = /^([^\s!"#%&'()*+,./;<=>@[\\\]^`{|}~]+)\s*=/.exec(src.slice(lx.pos, end));
        if (m) {
          lx.pos += m[0].length;
          lx.skipWs();
          if (lx.atEnd()) lx.fail(`missing value for ${m[1]}=`);
          hash.push([m[1]!, lx.readExpr()]);
          continue;
        }
      }
      if (hash.length > 0) {
        lx.pos = save;
        lx.fail('arguments must come before key=value pairs');
      }
      params.push(lx.readExpr());
    }
    nodes.push({ kind: 'mustache', escaped, name, params, hash, source });
    i = close + closeToken.length;
  }
  if (stripNextLeading) text = text.replace(/^\s+/, '');
  pushText();
  return nodes;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Handlebars' string conversion (`null`/`undefined` are empty, arrays join with commas). */
export function toTemplateString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value))
    return value.map((v) => (v === null || v === undefined ? '' : toTemplateString(v))).join(',');
  return '[object Object]';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => ESCAPES[c] ?? c);
}

function lookup(scope: Scope, expr: Expr): unknown {
  if (expr.kind === 'literal') return expr.value;
  if (expr.data) return undefined;
  let cur: unknown = scope;
  for (const part of expr.parts) {
    if (part === '..') return undefined;
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function nameOf(expr: Expr): string {
  return expr.kind === 'literal' ? String(expr.value) : expr.original;
}

function evaluate(node: Mustache, scope: Scope): unknown {
  const target =
    node.name.kind === 'literal'
      ? lookup(scope, { kind: 'path', parts: [String(node.name.value)], original: '', data: false })
      : lookup(scope, node.name);
  const params = node.params.map((p) => lookup(scope, p));
  const hash: Record<string, unknown> = {};
  for (const [k, v] of node.hash) hash[k] = lookup(scope, v);
  if (isCallable(target)) return target.call(params, hash);
  if (node.params.length > 0 || node.hash.length > 0) {
    if (target === undefined || target === null)
      throw new TemplateError(`missing helper "${nameOf(node.name)}"`);
  }
  return target;
}

/** Renders a template against a scope. Throws TemplateError on bad syntax or a missing helper. */
export function renderTemplate(template: string | TemplateNode[], scope: Scope): string {
  const nodes = typeof template === 'string' ? parseTemplate(template) : template;
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'mustache') {
      const s = toTemplateString(evaluate(node, scope));
      out += node.escaped ? escapeHtml(s) : s;
    }
  }
  return out;
}

/** The names a template calls or prints (`{{a}}`, `{{b 'x'}}` → a, b); arguments are not included. */
export function templateNames(template: string | TemplateNode[]): string[] {
  const nodes = typeof template === 'string' ? parseTemplate(template) : template;
  const names: string[] = [];
  for (const n of nodes) {
    if (n.kind !== 'mustache') continue;
    const name =
      n.name.kind === 'literal'
        ? String(n.name.value)
        : n.name.data
          ? `@${n.name.parts.join('.')}`
          : (n.name.parts[0] ?? 'this');
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * True when the pattern is exactly one `{{raw}}` expression: for pre-releases the action then
 * renders it instead of falling back to `{{version}}`.
 */
export function isRawStatement(pattern: string): boolean {
  let nodes: TemplateNode[];
  try {
    nodes = parseTemplate(pattern);
  } catch {
    return false;
  }
  if (nodes.length !== 1) return false;
  const n = nodes[0]!;
  return (
    n.kind === 'mustache' &&
    n.name.kind === 'path' &&
    !n.name.data &&
    n.name.parts.length === 1 &&
    n.name.parts[0] === 'raw'
  );
}
