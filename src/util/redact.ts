/**
 * Last line of defence for anything we print: strips values that look like credentials even if
 * some layer put one into a message. The auth layer never does on purpose.
 */
const PATTERNS: [RegExp, string][] = [
  [/(authorization:\s*)(basic|bearer|token)\s+[^\s"',]+/gi, '$1$2 [REDACTED]'],
  [/\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]{16,}/gi, '$1 [REDACTED]'],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, '[REDACTED]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[REDACTED-JWT]'],
  [/([?&](?:access_token|refresh_token|password|token)=)[^&\s]+/gi, '$1[REDACTED]'],
  [/(\/\/[^/:@\s]+:)[^@/\s]+@/g, '$1[REDACTED]@'],
];

export function redactSecrets(text: string): string {
  return PATTERNS.reduce((t, [re, rep]) => t.replace(re, rep), text);
}
