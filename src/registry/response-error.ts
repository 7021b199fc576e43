/** Maps a registry's non-success response to a typed error with a message a person can act on. */
import { NotFoundError, RegistryError, ProtocolError, type GhcrOptimizeError } from '../errors.js';
import type { HttpResponse } from './transport.js';

export interface OciErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** Registry messages are untrusted text: one line, bounded, printable. */
export function sanitizeServerText(text: string, max = 200): string {
  const line = text
    .replace(/<[^>]*>/g, ' ')
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function parseOciErrors(body: string): OciErrorEntry[] | undefined {
  try {
    const doc = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return undefined;
    return doc.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        ...(typeof e.message === 'string' ? { message: e.message } : {}),
        detail: e.detail,
      }));
  } catch {
    return undefined;
  }
}

export interface ErrorContext {
  /** What was being done, for the message: `manifest ghcr.io/o/a:1`, `tags of ghcr.io/o/a`. */
  what: string;
}

/** Reads (a bounded part of) the body and builds the error. Consumes the response. */
export async function responseError(res: HttpResponse, ctx: ErrorContext): Promise<GhcrOptimizeError> {
  let text = '';
  try {
    text = await res.text(64 * 1024);
  } catch {
    // A body we cannot read still leaves the status to report.
  }
  return errorFromBody(res.status, text, ctx);
}

export function errorFromBody(status: number, text: string, ctx: ErrorContext): GhcrOptimizeError {
  const errors = parseOciErrors(text);
  const first = errors?.[0];
  const server = first ? sanitizeServerText(`${first.code}${first.message ? `: ${first.message}` : ''}`) : '';
  if (status === 404) {
    switch (first?.code) {
      case 'NAME_UNKNOWN':
        return new NotFoundError(`${ctx.what}: repository not found`, {
          hint: 'check the repository name; on GHCR a private package also answers "not found" without access',
        });
      case 'MANIFEST_UNKNOWN':
        return new NotFoundError(
          `${ctx.what}: not found (${sanitizeServerText(first.message ?? 'manifest unknown')})`,
          {
            hint: 'list the available tags with "ghcr-optimize tags REPOSITORY"',
          },
        );
      case 'BLOB_UNKNOWN':
        return new NotFoundError(`${ctx.what}: blob not found`, {
          hint: 'the image references a blob the registry lost',
        });
      default:
        return new NotFoundError(`${ctx.what}: not found (HTTP 404${server ? `, ${server}` : ''})`, {
          hint: 'check the reference; list tags with "ghcr-optimize tags REPOSITORY"',
        });
    }
  }
  if (status === 429) {
    return new RegistryError(
      `${ctx.what}: rate limited by the registry (HTTP 429)`,
      status,
      first?.code ?? 'TOOMANYREQUESTS',
      {
        hint: 'wait and retry, authenticate for a higher limit, or lower --concurrency',
      },
    );
  }
  if (status === 405 || first?.code === 'UNSUPPORTED') {
    return new RegistryError(
      `${ctx.what}: the registry does not support this operation (HTTP ${status})`,
      status,
      first?.code,
      {
        hint: 'on ghcr.io, deletions go through the GitHub Packages API',
      },
    );
  }
  if (!errors && status >= 200 && status < 300) {
    return new ProtocolError(`${ctx.what}: unexpected HTTP ${status}`);
  }
  const body = server || sanitizeServerText(text, 120);
  return new RegistryError(`${ctx.what}: HTTP ${status}${body ? ` (${body})` : ''}`, status, first?.code, {
    hint: status >= 500 ? 'the registry failed; try again later' : 'the registry rejected the request',
  });
}
