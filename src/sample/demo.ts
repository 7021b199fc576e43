/**
 * The embedded demo: the main job end to end on sample data, with no registry, server or
 * credentials. It builds the seed project's three services as two-platform images into OCI
 * layouts, tags them the way metadata-action would for a sample release run, copies them to a
 * mirror, analyses them with recommendations and an HTML report each, plans retention over a
 * sample history, and records all of it in a SQLite insights store of its own inside `dir`.
 *
 * Everything it writes lives under `dir`, which is recreated each run; a directory that the demo
 * did not make is never deleted. The images, tags, reports and plan are the same on every run
 * and every machine; only the store's event times follow the clock.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { analysisSummary, analyzeImage } from '../analyze/analyze.js';
import { renderHtmlReport } from '../analyze/html-report.js';
import { writeFileAtomic } from '../content/atomic-file.js';
import { OciLayoutTarget } from '../content/oci-layout.js';
import { UsageError } from '../errors.js';
import { describe, type PlatformEntry } from '../inspect/describe.js';
import { recommend, type Recommendation } from '../optimize/recommend.js';
import { buildInventory } from '../retention/inventory.js';
import { planRetention, type RetentionPlan } from '../retention/planner.js';
import { defaultPolicy } from '../retention/policy.js';
import { computeInsights, type Insights } from '../store/insights.js';
import { openStoreLocation } from '../store/open.js';
import type { EventKind } from '../store/types.js';
import { copyImage } from '../transfer/copy.js';
import { SummaryCollector, type TransferSummary } from '../transfer/events.js';
import { sampleBuildEvents, SAMPLE_EVENT_COMMAND } from './builds.js';
import {
  SAMPLE_SHA,
  SAMPLE_SOURCE_DATE_EPOCH,
  SAMPLE_TAG_RULES,
  sampleCiContext,
  sampleImageName,
  sampleMeta,
} from './ci-context.js';
import { HISTORY_NOW, sampleHistory } from './history.js';
import { LayerCache, writeIndex } from './image-writer.js';
import { SAMPLE_PLATFORMS, SAMPLE_SERVICES, serviceImageSpecs, type SampleService } from './services.js';
import { ensureDir } from '../util/ensure-dir.js';
import { analysisFigures } from '../store/events.js';

/** Marks a directory as the demo's own, so a later run may delete and recreate it. */
export const DEMO_MARKER = '.ghcr-optimize-demo';

/** The platform analysed per service (the reports are per image, not per index). */
const ANALYSED_PLATFORM = SAMPLE_PLATFORMS[0]!;

export interface DemoOptions {
  dir: string;
  signal?: AbortSignal;
  /** The clock for the store's events and insights (default: now). */
  now?: Date;
}

export interface DemoService {
  name: string;
  description: string;
  port: number;
  health: string;
  /** Where the image would be published (`ghcr.io/example/backend`). */
  image: string;
  /** The OCI layout holding it. */
  layout: string;
  /** `oci:LAYOUT:VERSION`, readable by every command and by skopeo. */
  reference: string;
  digest: string;
  tags: string[];
  platforms: PlatformEntry[];
  analysis: ReturnType<typeof analysisSummary>;
  recommendations: Recommendation[];
  htmlReport: string;
}

export interface DemoCopy {
  service: string;
  source: string;
  destination: string;
  summary: TransferSummary;
}

export interface DemoResult {
  dir: string;
  ci: {
    event: string;
    ref: string;
    sha: string;
    sourceDateEpoch: number;
    rules: string[];
    warnings: string[];
  };
  services: DemoService[];
  copies: DemoCopy[];
  /** The same copies once more: everything already there. */
  recopies: DemoCopy[];
  retention: { repository: string; now: string; policy: 'default'; plan: RetentionPlan };
  store: { path: string; events: Partial<Record<EventKind, number>>; sampleBuilds: number };
  insights: Insights;
}

async function isDir(path: string): Promise<boolean | undefined> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** What the previous demo (before the marker file) left in its directory. */
const PREVIOUS_DEMO_ENTRIES = new Set([
  'layout',
  'mirror',
  'analysis.html',
  'insights.db',
  'insights.db-wal',
  'insights.db-shm',
  'insights.db-journal',
]);

/** The first demo wrote its sample layout (tags 1.0.0, latest, tools-1.0) straight into --dir. */
async function isFirstDemoLayout(dir: string, entries: readonly string[]): Promise<boolean> {
  const layoutFiles = new Set(['blobs', 'index.json', 'oci-layout', 'index.json.lock']);
  if (!entries.includes('index.json') || !entries.every((e) => layoutFiles.has(e))) return false;
  try {
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
      manifests?: { annotations?: Record<string, string> }[];
    };
    const names = (index.manifests ?? []).map((m) => m.annotations?.['org.opencontainers.image.ref.name']);
    return names.length > 0 && names.every((n) => n === '1.0.0' || n === 'latest' || n === 'tools-1.0');
  } catch {
    return false;
  }
}

/** Empties `dir` if it is the demo's own (or empty), creates it otherwise; refuses anything else. */
// Earlier versions wrote no marker; their exact shapes are recognised so their directories are
// replaced too, while an unknown non-empty directory is never deleted.
export async function prepareDemoDir(dir: string): Promise<void> {
  const kind = await isDir(dir);
  if (kind === false) {
    throw new UsageError(`--dir ${dir} is a file`, {
      hint: 'give a new directory, or one an earlier demo made',
    });
  }
  if (kind) {
    const entries = await readdir(dir);
    const ours =
      entries.includes(DEMO_MARKER) ||
      (entries.includes('insights.db') && entries.every((e) => PREVIOUS_DEMO_ENTRIES.has(e))) ||
      (await isFirstDemoLayout(dir, entries));
    if (!ours) {
      throw new UsageError(`--dir ${dir} is not empty and was not made by the demo; refusing to replace it`, {
        hint: 'give a new or empty directory (the demo deletes and recreates it on every run)',
      });
    }
    await rm(dir, { recursive: true, force: true });
  }
  await ensureDir(dir);
  await writeFile(
    join(dir, DEMO_MARKER),
    'made by "ghcr-optimize demo"; deleted and recreated by its next run\n',
  );
}

async function buildService(
  s: SampleService,
  dir: string,
  cache: LayerCache,
  signal: AbortSignal | undefined,
): Promise<{
  service: Omit<DemoService, 'analysis' | 'recommendations' | 'htmlReport'>;
  layout: OciLayoutTarget;
  built: Awaited<ReturnType<typeof writeIndex>>;
  created: string;
  warnings: string[];
}> {
  const meta = sampleMeta(s.name, s.description);
  const created = meta.created.toISOString();
  const layoutDir = join(dir, 'images', s.name);
  const layout = await OciLayoutTarget.open(layoutDir, { create: true });
  const tags = meta.meta.tagNames;
  const built = await writeIndex(
    layout,
    cache,
    serviceImageSpecs(s, created, meta.labels),
    tags,
    meta.annotations,
  );
  const version = meta.meta.version.main!;
  const description = await describe(layout, version, { ...(signal ? { signal } : {}) });
  return {
    service: {
      name: s.name,
      description: s.description,
      port: s.port,
      health: s.health,
      image: sampleImageName(s.name),
      layout: layoutDir,
      reference: `oci:${layoutDir}:${version}`,
      digest: built.desc.digest,
      tags,
      platforms: description.platforms ?? [],
    },
    layout,
    built,
    created,
    warnings: meta.meta.warnings,
  };
}

async function copyAll(
  built: readonly { service: { name: string; layout: string; tags: string[] }; layout: OciLayoutTarget }[],
  mirrorDir: string,
  signal: AbortSignal | undefined,
): Promise<DemoCopy[]> {
  const copies: DemoCopy[] = [];
  for (const b of built) {
    const tag = b.service.tags[0]!;
    const dst = await OciLayoutTarget.open(join(mirrorDir, b.service.name), { create: true });
    const collector = new SummaryCollector();
    await copyImage(b.layout, dst, tag, tag, { onEvent: collector.listener, ...(signal ? { signal } : {}) });
    copies.push({
      service: b.service.name,
      source: `oci:${b.service.layout}:${tag}`,
      destination: `oci:${dst.dir}:${tag}`,
      summary: collector.finish(),
    });
  }
  return copies;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const dir = resolve(opts.dir);
  const signal = opts.signal;
  await prepareDemoDir(dir);

  // 1-2. Images and tags.
  const cache = new LayerCache();
  const built = [];
  for (const s of SAMPLE_SERVICES) built.push(await buildService(s, dir, cache, signal));

  // 3. A copy to a mirror through the transfer engine, then the same copy again.
  const mirrorDir = join(dir, 'mirror');
  const copies = await copyAll(built, mirrorDir, signal);
  const recopies = await copyAll(built, mirrorDir, signal);

  // 4. Analysis, recommendations and an offline HTML report per service.
  const services: DemoService[] = [];
  const analyses = [];
  for (const b of built) {
    const a = await analyzeImage(b.layout, b.service.tags[0]!, {
      platform: ANALYSED_PLATFORM,
      ...(signal ? { signal } : {}),
    });
    analyses.push(a);
    const htmlReport = join(dir, 'reports', `${b.service.name}.html`);
    await ensureDir(join(dir, 'reports'));
    await writeFileAtomic(
      htmlReport,
      renderHtmlReport(b.service.reference, a, { generator: 'ghcr-optimize demo (sample images)' }),
    );
    services.push({
      ...b.service,
      analysis: analysisSummary(a),
      recommendations: recommend(a),
      htmlReport,
    });
  }

  // 5. Retention over a sample history of the backend repository, ending with today's build.
  const backend = built[0]!;
  const repository = backend.service.image;
  const facts = sampleHistory(repository, {
    digest: backend.built.desc.digest,
    bytes: backend.built.bytes,
    images: backend.built.images.map((i) => ({ manifest: i.manifest, config: i.config })),
    created: backend.created,
    tags: backend.service.tags,
  });
  const plan = planRetention(buildInventory(facts), defaultPolicy(), new Date(HISTORY_NOW));

  // 6. All of it into the demo's own SQLite store (never the user's), then back out as insights.
  const now = opts.now ?? new Date();
  const storePath = join(dir, 'insights.db');
  const store = await openStoreLocation({ kind: 'sqlite', path: storePath });
  let insights: Insights;
  let sampleBuilds = 0;
  const counts: Partial<Record<EventKind, number>> = {};
  try {
    for (const c of [...copies, ...recopies]) {
      await store.recordTransfer(c.summary, {
        source: c.source,
        destination: c.destination,
        command: SAMPLE_EVENT_COMMAND,
      });
    }
    for (const [i, s] of services.entries()) {
      const a = analyses[i]!;
      await store.recordAnalysis(...analysisFigures(a, s.reference, SAMPLE_EVENT_COMMAND));
      for (const e of sampleBuildEvents(SAMPLE_SERVICES[i]!.name, s.reference, now)) {
        await store.record(e);
        sampleBuilds++;
      }
    }
    await store.recordRetention(plan.summary, [], {
      repository,
      dryRun: true,
      command: SAMPLE_EVENT_COMMAND,
    });
    // The events above were stamped as they were written, after `now` was taken.
    const until = new Date(Math.max(now.getTime(), Date.now()) + 1);
    const events = await store.events({ until });
    for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    insights = computeInsights(events, { now: until, top: 5 });
  } finally {
    await store.close();
  }

  const ctx = sampleCiContext();
  return {
    dir,
    ci: {
      event: ctx.eventName,
      ref: ctx.ref,
      sha: SAMPLE_SHA,
      sourceDateEpoch: Number(SAMPLE_SOURCE_DATE_EPOCH),
      rules: [...SAMPLE_TAG_RULES],
      warnings: [...new Set(built.flatMap((b) => b.warnings))],
    },
    services,
    copies,
    recopies,
    retention: { repository, now: HISTORY_NOW, policy: 'default', plan },
    store: { path: storePath, events: counts, sampleBuilds },
    insights,
  };
}
