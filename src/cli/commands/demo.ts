import { Command } from '@commander-js/extra-typings';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { OciLayoutTarget } from '../../content/oci-layout.js';
import { describe } from '../../inspect/describe.js';
import { writeSampleImages } from '../../sample/sample-images.js';
import { copyImage } from '../../transfer/copy.js';
import { SummaryCollector } from '../../transfer/events.js';
import { renderDescription } from './inspect.js';
import { formatBytes } from '../output.js';
import type { Runner } from '../context.js';

export function demoCommand(run: Runner) {
  return new Command('demo')
    .description('run the main jobs on sample images: OCI layout, inspect, copy, analysis, SQLite insights')
    .option(
      '--dir <dir>',
      'where to write the demo (layouts and its own insights.db)',
      join(tmpdir(), 'ghcr-optimize-demo'),
    )
    .addHelpText(
      'after',
      `
Needs no registry, no credentials and no server: the images live in local OCI layouts and the
insights go to a SQLite file inside --dir (your own store is not touched).

Examples:
  ghcr-optimize demo
  ghcr-optimize demo --dir ./demo && ghcr-optimize inspect oci:./demo/layout:latest --platform linux/arm64`,
    )
    .action((opts) =>
      run(async (ctx) => {
        // Fresh every time: the demo shows exactly what it wrote.
        await rm(opts.dir, { recursive: true, force: true });
        const layoutDir = join(opts.dir, 'layout');
        const layout = await OciLayoutTarget.open(layoutDir, { create: true });
        const sample = await writeSampleImages(layout);
        const tags = await layout.tags();
        const index = await describe(layout, 'latest', { signal: ctx.signal });
        const arm = await describe(layout, 'latest', {
          platform: { os: 'linux', architecture: 'arm64' },
          signal: ctx.signal,
        });

        // A copy through the transfer engine, then the same copy again (everything skipped).
        const mirror = await OciLayoutTarget.open(join(opts.dir, 'mirror'), { create: true });
        const first = new SummaryCollector();
        await copyImage(layout, mirror, 'latest', 'latest', { onEvent: first.listener, signal: ctx.signal });
        const second = new SummaryCollector();
        await copyImage(layout, mirror, '1.0.0', '1.0.0', { onEvent: second.listener, signal: ctx.signal });
        const copies = [first.finish(), second.finish()];

        // Layer analysis (dive's metrics) of the single-platform sample.
        const { analyzeImage, analysisSummary } = await import('../../analyze/analyze.js');
        const analysis = analysisSummary(await analyzeImage(layout, 'tools-1.0', { signal: ctx.signal }));

        // Everything above goes into a SQLite insights store, then comes back out as insights.
        const { openStore } = await import('../../store/open.js');
        const { computeInsights } = await import('../../store/insights.js');
        const { renderInsights } = await import('../../store/render.js');
        const store = await openStore({ store: { url: `sqlite:${join(opts.dir, 'insights.db')}` } });
        let insights;
        try {
          for (const [i, s] of copies.entries()) {
            await store.recordTransfer(s, {
              source: `oci:${layoutDir}:${i ? '1.0.0' : 'latest'}`,
              destination: `oci:${join(opts.dir, 'mirror')}`,
              command: 'demo',
            });
          }
          await store.recordAnalysis(
            { bytes: analysis.sizeBytes, layers: analysis.layers.length },
            {
              bytes: analysis.wastedBytes,
              reclaimableBytes: analysis.reclaimableBytes,
              efficiency: analysis.efficiency,
            },
            { image: `oci:${layoutDir}:tools-1.0`, command: 'demo' },
          );
          const now = new Date();
          insights = computeInsights(await store.events({ until: new Date(now.getTime() + 1) }), {
            now,
            top: 5,
          });
        } finally {
          await store.close();
        }

        const result = {
          dir: opts.dir,
          tags,
          index: sample.index,
          images: { latest: index, 'latest@linux/arm64': arm },
          copies,
          analysis,
          insights,
        };
        ctx.out.result(result, () =>
          [
            `Wrote sample images to the OCI layout ${layoutDir}`,
            `Tags: ${tags.join(', ')}`,
            '',
            renderDescription(`oci:${layoutDir}:latest`, index, ctx.out),
            '',
            renderDescription(`oci:${layoutDir}:latest (linux/arm64)`, arm, ctx.out),
            '',
            `Copied latest to oci:${join(opts.dir, 'mirror')}: ${copies[0]!.blobs.copied} blobs, ${formatBytes(copies[0]!.bytes)}; the second copy skipped ${copies[1]!.blobs.skipped + copies[1]!.manifests.skipped} already-present objects.`,
            `Analysis of tools-1.0: ${formatBytes(analysis.sizeBytes)} of files, efficiency ${(analysis.efficiency * 100).toFixed(1)}%, ${formatBytes(analysis.reclaimableBytes)} reclaimable.`,
            '',
            `Insights recorded in ${join(opts.dir, 'insights.db')} (SQLite):`,
            renderInsights(insights, ctx.out.c),
            '',
            `Next: ghcr-optimize inspect oci:${layoutDir}:latest --raw`,
            '      ghcr-optimize tags ghcr.io/OWNER/IMAGE',
          ].join('\n'),
        );
      }),
    );
}
