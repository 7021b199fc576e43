/** PEM blocks as Go's encoding/pem reads and writes them (RFC 7468 text encoding, 64-column base64). */

export interface PemBlock {
  type: string;
  bytes: Buffer;
}

const BEGIN = /-----BEGIN ([^\r\n-]*(?:-[^\r\n-]+)*)-----\r?\n/;

/**
 * The first PEM block in `text`, or undefined when there is none. Text before it is skipped (as
 * pem.Decode does); RFC 1421 headers ("Proc-Type: …") are not used by any key format here and are
 * refused rather than silently misread as base64.
 */
export function decodePem(text: string): PemBlock | undefined {
  const begin = BEGIN.exec(text);
  if (!begin) return undefined;
  const type = begin[1]!;
  const bodyStart = begin.index + begin[0].length;
  const endMarker = `-----END ${type}-----`;
  const end = text.indexOf(endMarker, bodyStart);
  if (end === -1) return undefined;
  const body = text.slice(bodyStart, end);
  if (body.includes(':')) return undefined;
  const b64 = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  return { type, bytes: Buffer.from(b64, 'base64') };
}

/** A PEM block with 64-character lines and a final newline, byte for byte what pem.EncodeToMemory writes. */
export function encodePem(type: string, bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.map((l) => `${l}\n`).join('')}-----END ${type}-----\n`;
}
