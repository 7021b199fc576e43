import { Agent as HttpAgent, createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeServer, listenLocal } from './net.js';
import type { TestServer } from './net.js';

export interface HeaderEdit {
  /** Header names to drop (case-insensitive). */
  remove?: string[];
  /** Headers to set/replace. */
  set?: Record<string, string>;
}

export interface FaultResponse {
  status: number;
  /** Seconds (number), an HTTP-date (Date), or a raw header value (string). */
  retryAfter?: number | Date | string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * One fault. A request is matched against the rules in order; the first rule whose method and path
 * match and whose `times` budget is not used up applies (only that one). Everything else is forwarded.
 */
export interface FaultRule {
  /** HTTP method, case-insensitive; any when omitted. */
  method?: string;
  /** Tested against the request target (path + query). */
  path: RegExp;
  /** Apply to the first N matching requests only; unlimited when omitted. */
  times?: number;
  /** Answer locally with this response instead of forwarding. */
  respond?: FaultResponse;
  /** Flip (XOR 0xff) the body byte at this offset; 'middle' = Content-Length / 2. */
  corruptByte?: number | 'middle';
  /** Forward only this many body bytes (headers unchanged, so Content-Length promises more), then close. */
  cutAfter?: number;
  /** Edits to the request sent upstream. */
  requestHeaders?: HeaderEdit;
  /** Edits to the response sent back. */
  responseHeaders?: HeaderEdit;
  /** Wait this long before handling the request. */
  delayMs?: number;
}

export interface ProxyRequestRecord {
  method: string;
  path: string;
  /** Index of the rule applied, if any. */
  rule?: number;
  /** Status sent to the client (0 if the connection was cut before or without one). */
  status: number;
  range?: string;
  authorization: boolean;
}

export interface FaultProxy extends TestServer {
  target: string;
  /** Per rule: how many requests it was applied to. */
  readonly applied: number[];
  /** Per rule: how many requests matched its method + path (applied or not). */
  readonly matched: number[];
  /** Every request in arrival order. */
  readonly requests: ProxyRequestRecord[];
  /** Total number of requests received. */
  readonly total: number;
  /** Replace the rules and reset the per-rule counters. */
  setRules(rules: FaultRule[]): void;
}

export interface FaultProxyOptions {
  /** PEM CA to trust when the target is https. */
  ca?: string;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and must not be forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

function editHeaders<T extends IncomingHttpHeaders | OutgoingHttpHeaders>(headers: T, edit?: HeaderEdit): T {
  if (!edit) return headers;
  for (const name of edit.remove ?? []) delete headers[name.toLowerCase()];
  for (const [name, value] of Object.entries(edit.set ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

function retryAfterValue(value: number | Date | string): string {
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toUTCString();
  return value;
}

/**
 * Reverse proxy in front of a registry that injects faults: canned statuses (429/503 + Retry-After),
 * a corrupted body byte, a connection cut mid-body, header edits and latency. `Range` headers are
 * forwarded untouched so a resumed download after a cut reaches the registry as sent.
 */
export async function startFaultProxy(
  targetUrl: string,
  initialRules: FaultRule[] = [],
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const secure = target.protocol === 'https:';
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) })
    : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  let rules = initialRules;
  let applied = rules.map(() => 0);
  let matched = rules.map(() => 0);
  const requests: ProxyRequestRecord[] = [];
  let proxyOrigin = '';

  function pickRule(method: string, path: string): number | undefined {
    let chosen: number | undefined;
    rules.forEach((rule, i) => {
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) return;
      rule.path.lastIndex = 0; // a /g or /y regex would otherwise alternate between match and miss
      if (!rule.path.test(path)) return;
      matched[i] = (matched[i] ?? 0) + 1;
      if (chosen === undefined && (rule.times === undefined || (applied[i] ?? 0) < rule.times)) chosen = i;
    });
    if (chosen !== undefined) applied[chosen] = (applied[chosen] ?? 0) + 1;
    return chosen;
  }

  function respondLocally(req: IncomingMessage, res: ServerResponse, fault: FaultResponse): void {
    // Drain the request body so the client's keep-alive connection stays usable.
    req.resume();
    const body = fault.body === undefined ? Buffer.alloc(0) : Buffer.from(fault.body);
    const headers: OutgoingHttpHeaders = { 'content-length': body.length };
    if (fault.body !== undefined && typeof fault.body === 'string') headers['content-type'] = 'text/plain';
    if (fault.retryAfter !== undefined) headers['retry-after'] = retryAfterValue(fault.retryAfter);
    for (const [name, value] of Object.entries(fault.headers ?? {})) headers[name.toLowerCase()] = value;
    res.writeHead(fault.status, headers);
    res.end(body);
  }

  function forward(req: IncomingMessage, res: ServerResponse, record: ProxyRequestRecord, rule?: FaultRule) {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    headers.host = target.host;
    editHeaders(headers, rule?.requestHeaders);

    const upstream = send(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (up) => relay(up, res, record, rule),
    );
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy(err);
        return;
      }
      record.status = 502;
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream error: ${err.message}`);
    });
    req.pipe(upstream);
  }

  function relay(up: IncomingMessage, res: ServerResponse, record: ProxyRequestRecord, rule?: FaultRule) {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(up.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    const location = headers.location;
    if (location !== undefined) {
      // The registry builds absolute upload URLs from the Host it saw; keep clients on the proxy.
      const resolved = new URL(location, target);
      if (resolved.origin === target.origin) {
        headers.location = proxyOrigin + resolved.pathname + resolved.search + resolved.hash;
      }
    }
    editHeaders(headers, rule?.responseHeaders);
    const status = up.statusCode ?? 502;
    record.status = status;
    res.writeHead(status, headers);

    const contentLength = Number(up.headers['content-length'] ?? NaN);
    const corruptAt =
      rule?.corruptByte === 'middle'
        ? Number.isFinite(contentLength)
          ? Math.floor(contentLength / 2)
          : 0
        : rule?.corruptByte;
    const cutAfter = rule?.cutAfter;
    // A client that gives up mid-body must not leave the upstream response streaming into nothing.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });

    if (corruptAt === undefined && cutAfter === undefined) {
      up.pipe(res);
      up.on('error', (err) => res.destroy(err));
      return;
    }

    let offset = 0;
    let cut = false;
    up.on('data', (chunk: Buffer) => {
      if (cut) return;
      let out = chunk;
      if (corruptAt !== undefined && corruptAt >= offset && corruptAt < offset + chunk.length) {
        out = Buffer.from(chunk);
        out[corruptAt - offset] = (out[corruptAt - offset] ?? 0) ^ 0xff;
      }
      if (cutAfter !== undefined && offset + out.length >= cutAfter) {
        cut = true;
        out = out.subarray(0, cutAfter - offset);
        up.destroy();
        res.flushHeaders();
        // end() after the write is flushed: the client sees a clean FIN with fewer bytes than promised.
        res.write(out, () => res.socket?.end());
        return;
      }
      offset += out.length;
      if (!res.write(out)) {
        up.pause();
        res.once('drain', () => up.resume());
      }
    });
    up.on('end', () => {
      if (!cut) res.end();
    });
    up.on('error', (err) => {
      if (!cut) res.destroy(err);
    });
  }

  const http = createServer((req, res) => {
    const method = req.method ?? '';
    const path = req.url ?? '/';
    const record: ProxyRequestRecord = {
      method,
      path,
      status: 0,
      authorization: req.headers.authorization !== undefined,
    };
    if (req.headers.range !== undefined) record.range = req.headers.range;
    requests.push(record);
    const index = pickRule(method, path);
    const rule = index === undefined ? undefined : rules[index];
    if (index !== undefined) record.rule = index;

    const run = async () => {
      if (rule?.delayMs) await sleep(rule.delayMs);
      if (rule?.respond) {
        record.status = rule.respond.status;
        respondLocally(req, res, rule.respond);
      } else {
        forward(req, res, record, rule);
      }
    };
    run().catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
  });

  const { host } = await listenLocal(http);
  proxyOrigin = `http://${host}`;
  return {
    url: proxyOrigin,
    host,
    target: target.origin,
    get applied() {
      return applied;
    },
    get matched() {
      return matched;
    },
    requests,
    get total() {
      return requests.length;
    },
    setRules(next: FaultRule[]) {
      rules = next;
      applied = rules.map(() => 0);
      matched = rules.map(() => 0);
    },
    async stop() {
      await closeServer(http);
      agent.destroy();
    },
  };
}

/** A web server, not a registry: every path answers 200 text/html (e.g. a login page or a typo'd host). */
export async function startNotARegistry(): Promise<TestServer & { readonly requests: string[] }> {
  const requests: string[] = [];
  const http = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html>hello</html>');
  });
  const { host } = await listenLocal(http);
  return { url: `http://${host}`, host, requests, stop: () => closeServer(http) };
}

/** An API server that is not an OCI registry: `/v2/` (and everything else) answers 404 with a JSON error. */
export async function startV2NotFound(): Promise<TestServer & { readonly requests: string[] }> {
  const requests: string[] = [];
  const http = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'not found', detail: null }] }));
  });
  const { host } = await listenLocal(http);
  return { url: `http://${host}`, host, requests, stop: () => closeServer(http) };
}
