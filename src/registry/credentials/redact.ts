/**
 * Helper output goes into error messages, and helpers are third-party programs that may echo what
 * they were given. Scrub anything that could be a secret before it reaches a terminal or a CI log;
 * a mangled message is a far smaller problem than a leaked token.
 */

const MASK = '***';
const MAX_LENGTH = 300;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // HTTP auth schemes carry the credential in the next word.
  [/\b(Bearer|Basic)\s+\S+/gi, `$1 ${MASK}`],
  // `"Secret":"…"`, `password=…`, `identitytoken: …`, `access_token=…`.
  [
    /\b([\w-]*(?:password|passwd|secret|token|auth))(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/gi,
    `$1$2${MASK}`,
  ],
  // GitHub token formats, in case a helper prints one bare.
  [/\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_\w{20,})/g, MASK],
  // JWTs (registry bearer tokens, cloud identity tokens).
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, MASK],
];

// Long opaque runs (base64, hex, random tokens). Requiring a digit and a letter spares most words and paths.
const OPAQUE = /[A-Za-z0-9+/=_-]{32,}/g;

export function scrubSecrets(text: string, known: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  const secrets = known
    .flatMap((s) => (s ? [s, Buffer.from(s, 'utf8').toString('base64')] : []))
    .sort((a, b) => b.length - a.length);
  for (const secret of secrets) out = out.split(secret).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  out = out.replace(OPAQUE, (run) => (/\d/.test(run) && /[A-Za-z]/.test(run) ? MASK : run));
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH)}…` : out;
}
