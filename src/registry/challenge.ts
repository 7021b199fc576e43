/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1): one header may hold several challenges, each a
 * scheme followed by comma-separated auth-params whose values may be quoted strings with escapes.
 */

export interface Challenge {
  /** Lowercased: "basic", "bearer", … */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

/** Parses one or more header values into challenges, in order. Malformed trailing text is ignored. */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  return values.flatMap(parseOne);
}

function parseOne(input: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < input.length && (input[i] === ' ' || input[i] === '\t')) i++;
  };
  const readToken = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(input);
    if (!m) return undefined;
    i = TOKEN.lastIndex;
    return m[0];
  };
  const readQuoted = (): string => {
    // input[i] is the opening quote.
    i++;
    let value = '';
    while (i < input.length && input[i] !== '"') {
      if (input[i] === '\\' && i + 1 < input.length) i++;
      value += input[i];
      i++;
    }
    i++; // closing quote (or end)
    return value;
  };

  let current: Challenge | undefined;
  // A new challenge only starts after a comma; right after a scheme, a bare word is its token68.
  let afterComma = true;
  while (i < input.length) {
    skipSpace();
    if (input[i] === ',') {
      i++;
      afterComma = true;
      continue;
    }
    const start = i;
    const word = readToken();
    if (word === undefined) {
      i++; // skip a stray character rather than loop forever
      continue;
    }
    skipSpace();
    if (input[i] === '=' && current) {
      i++;
      if (input[i] === '=') {
        // token68 with padding ("Negotiate abc=="): not a name=value pair.
        while (input[i] === '=') i++;
        current.params.token68 = input.slice(start, i);
        continue;
      }
      skipSpace();
      current.params[word.toLowerCase()] = input[i] === '"' ? readQuoted() : (readToken() ?? '');
      afterComma = false;
      continue;
    }
    if (current && !afterComma && Object.keys(current.params).length === 0) {
      current.params.token68 = word;
      continue;
    }
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
    afterComma = false;
  }
  return out;
}

/** The scopes a registry asked for (`scope="repository:a:pull repository:b:pull"` is space-separated). */
export function challengeScopes(challenge: Challenge): string[] {
  const scope = challenge.params.scope;
  return scope ? scope.split(' ').filter((s) => s.length > 0) : [];
}
