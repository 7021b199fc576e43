/**
 * The dashboard as a hono app: HTML pages for the four views, the `/api/*` JSON they draw their
 * charts from, live probes, and static assets. No socket here (server.ts listens), so every route
 * is testable with `app.request()`.
 */
import { Hono, type Context as HonoContext } from 'hono';
import { isGhcrOptimizeError, UsageError } from '../../errors.js';
import type { InsightEvent } from '../../store/insights.js';
import { redactSecrets } from '../../util/redact.js';
import { parseDuration } from '../../util/units.js';
import type { HealthResult } from '../health.js';
import type { Assets } from './assets.js';
import { renderErrorPage, renderPage, type PageContext } from './pages.js';
import { cachedProbes, type ProbeSnapshot } from './probes.js';
import { VIEW_INFO, VIEWS, isViewName, viewData, type ViewName } from './views.js';

export interface DashboardSource {
  /** Where the store is, without its password (shown on every page). */
  location: string;
  /** Events recorded in [since, until) (all since the beginning when `since` is undefined), oldest first. */
  events(since: Date | undefined, until: Date): Promise<InsightEvent[]>;
}

export interface DashboardOptions {
  source: DashboardSource;
  assets: Assets;
  /** Registries the overview probes live. */
  registries?: readonly string[];
  /** Probes `registries`; required when there are any. */
  probe?: () => Promise<HealthResult[]>;
  /** How long a probe result is reused; default 15 s. */
  probeTtlMs?: number;
  /** Period shown when the URL names none; default 30d. */
  defaultPeriod?: string;
  /** The health.maxLatencyMs of the config, for the recommendations. */
  latencyThresholdMs?: number;
  /**
   * Host names a request may address (compared without the port). Guards a loopback-only
   * dashboard against DNS rebinding: a page on another site that resolves its own name to
   * 127.0.0.1 would otherwise be able to read it. Undefined: any host.
   */
  allowedHosts?: readonly string[];
  now?: () => Date;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Host names that reach this machine's loopback interface. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'] as const;

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function failure(err: unknown): { status: 400 | 500 | 503; message: string; hint?: string } {
  if (err instanceof UsageError)
    return { status: 400, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  if (isGhcrOptimizeError(err))
    return { status: 503, message: redactSecrets(err.message), ...(err.hint ? { hint: err.hint } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, message: `unexpected error: ${redactSecrets(message.split('\n')[0] ?? message)}` };
}

export function createDashboardApp(opts: DashboardOptions): Hono {
  const now = opts.now ?? (() => new Date());
  const registries = [...(opts.registries ?? [])];
  const defaultPeriod = opts.defaultPeriod ?? '30d';
  parseDuration(defaultPeriod);
  const probes: (() => Promise<ProbeSnapshot>) | undefined =
    opts.probe && registries.length > 0
      ? cachedProbes(opts.probe, opts.probeTtlMs ?? 15_000, now)
      : undefined;
  const allowed = opts.allowedHosts?.map((h) => h.toLowerCase());

  const app = new Hono();

  app.use('*', async (c, next) => {
    if (allowed && !allowed.includes(hostnameOf(c.req.url))) {
      return c.text('forbidden: this dashboard only answers on its own address\n', 403);
    }
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
  });

  /** The period of a request and the data of one view for it. */
  async function load(c: HonoContext, view: ViewName) {
    const period = c.req.query('since') ?? defaultPeriod;
    const ctx: PageContext = { period, store: opts.source.location, registries };
    const span = parseDuration(period);
    const until = now();
    const since = span === 'forever' ? undefined : new Date(until.getTime() - span);
    const events = await opts.source.events(since, new Date(until.getTime() + 1));
    const data = viewData(view, events, {
      now: until,
      ...(since ? { since } : {}),
      ...(opts.latencyThresholdMs !== undefined ? { latencyThresholdMs: opts.latencyThresholdMs } : {}),
    });
    return { ctx, data };
  }

  for (const view of VIEWS) {
    app.get(VIEW_INFO[view].path, async (c) => {
      try {
        const { ctx, data } = await load(c, view);
        return c.html(renderPage(data, ctx));
      } catch (err) {
        const f = failure(err);
        const ctx: PageContext = { period: defaultPeriod, store: opts.source.location, registries };
        return c.html(renderErrorPage(view, ctx, f.message, f.hint), f.status);
      }
    });
  }

  app.get('/api/probes', async (c) => {
    if (!probes) return c.json({ at: now().toISOString(), registries: [] } satisfies ProbeSnapshot);
    try {
      return c.json(await probes());
    } catch (err) {
      const f = failure(err);
      return c.json({ error: { message: f.message, ...(f.hint ? { hint: f.hint } : {}) } }, f.status);
    }
  });

  app.get('/api/:view', async (c) => {
    const view = c.req.param('view');
    if (!isViewName(view)) return c.json({ error: { message: `no such view "${view}"` } }, 404);
    try {
      const { data } = await load(c, view);
      return c.json(data);
    } catch (err) {
      const f = failure(err);
      return c.json({ error: { message: f.message, ...(f.hint ? { hint: f.hint } : {}) } }, f.status);
    }
  });

  app.get('/assets/:name', (c) => {
    const asset = Object.hasOwn(opts.assets, c.req.param('name'))
      ? opts.assets[c.req.param('name')]
      : undefined;
    if (!asset) return c.text('not found\n', 404);
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  app.notFound((c) => c.text('not found\n', 404));
  return app;
}
