import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { closeServer, listenLocal } from './net.js';
import type { TestServer } from './net.js';

export interface StaticRequestRecord {
  method: string;
  /** Path including the query string, as received. */
  path: string;
  /** Whether the request carried an Authorization header: redirected blob GETs must not. */
  authorization: boolean;
  range?: string;
  status: number;
}

export interface StaticServer extends TestServer {
  root: string;
  readonly requests: StaticRequestRecord[];
}

/** Parse a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; undefined = unsatisfiable. */
function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : undefined;
}

/**
 * Serves files under `root` (GET/HEAD, single byte ranges), standing in for the blob storage a registry
 * redirects to. Query strings are ignored, as presigned-URL signatures would be.
 */
export async function startStaticServer(root: string): Promise<StaticServer> {
  const base = resolve(root);
  const requests: StaticRequestRecord[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse, record: StaticRequestRecord) {
    const reply = (status: number, text: string) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed');
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://static.invalid').pathname);
    const file = resolve(base, `.${pathname}`);
    if (!file.startsWith(base + sep)) return reply(403, 'outside root');
    const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!info?.isFile()) return reply(404, 'not found');

    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
    };
    let start = 0;
    let end = info.size - 1;
    let status = 200;
    if (record.range !== undefined) {
      const range = parseRange(record.range, info.size);
      if (!range) {
        record.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${info.size}` });
        res.end();
        return;
      }
      ({ start, end } = range);
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
    }
    headers['content-length'] = end - start + 1;
    record.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || info.size === 0) {
      res.end();
      return;
    }
    await pipeline(createReadStream(file, { start, end }), res);
  }

  const http = createServer((req, res) => {
    const record: StaticRequestRecord = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization !== undefined,
      status: 0,
    };
    if (req.headers.range !== undefined) record.range = req.headers.range;
    requests.push(record);
    handle(req, res, record).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      record.status = 500;
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  const { host } = await listenLocal(http);
  return { url: `http://${host}`, host, root: base, requests, stop: () => closeServer(http) };
}
