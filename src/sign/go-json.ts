/**
 * JSON exactly as Go's encoding/json.Marshal writes it, for documents whose bytes are signed or
 * digested (cosign's payload, the signature manifest and config): compact, struct fields in the
 * order given, map keys sorted by their UTF-8 bytes, and strings with Go's escaping — `<`, `>` and
 * `&` as \u003c \u003e \u0026, U+2028/U+2029 escaped, invalid UTF-16 replaced by U+FFFD.
 */

/** A Go map: its keys are sorted when marshalled (a plain object keeps its field order). */
export class GoMap {
  constructor(readonly entries: Record<string, GoValue>) {}
}

export type GoValue = string | number | boolean | null | GoMap | GoValue[] | { [field: string]: GoValue };

export function goString(s: string): string {
  return JSON.stringify(s).replace(
    /\\u(d[89a-f][0-9a-f]{2})|\\.|[<>&\u2028\u2029]/g,
    (m, surrogate: string | undefined) => {
      if (surrogate !== undefined) return '\\ufffd';
      if (m.length === 2) return m; // an escape JSON.stringify wrote: keep it
      return `\\u${m.charCodeAt(0).toString(16).padStart(4, '0')}`;
    },
  );
}

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function goMarshal(value: GoValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('json: unsupported value');
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(goMarshal).join(',')}]`;
  if (value instanceof GoMap) {
    const keys = Object.keys(value.entries).sort(byUtf8);
    return `{${keys.map((k) => `${goString(k)}:${goMarshal(value.entries[k]!)}`).join(',')}}`;
  }
  return `{${Object.entries(value)
    .map(([k, v]) => `${goString(k)}:${goMarshal(v)}`)
    .join(',')}}`;
}
