import { Command } from '@commander-js/extra-typings';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { OciLayoutTarget } from '../../content/oci-layout.js';
import { describe } from '../../inspect/describe.js';
import { writeSampleImages } from '../../sample/sample-images.js';
import { renderDescription } from './inspect.js';
import type { Runner } from '../context.js';

export function demoCommand(run: Runner) {
  return new Command('demo')
    .description('write sample images to a local OCI layout and inspect them (no registry, no credentials)')
    .option('--dir <dir>', 'where to write the layout', join(tmpdir(), 'ghcr-optimize-demo'))
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize demo
  ghcr-optimize demo --dir ./layout && ghcr-optimize inspect oci:./layout:latest --platform linux/arm64`,
    )
    .action((opts) =>
      run(async (ctx) => {
        // Fresh every time: the demo shows exactly what it wrote.
        await rm(opts.dir, { recursive: true, force: true });
        const layout = await OciLayoutTarget.open(opts.dir, { create: true });
        const sample = await writeSampleImages(layout);
        const tags = await layout.tags();
        const index = await describe(layout, 'latest', { signal: ctx.signal });
        const arm = await describe(layout, 'latest', {
          platform: { os: 'linux', architecture: 'arm64' },
          signal: ctx.signal,
        });
        const tools = await describe(layout, 'tools-1.0', { signal: ctx.signal });
        const result = {
          layout: opts.dir,
          tags,
          index: sample.index,
          images: { latest: index, 'latest@linux/arm64': arm, 'tools-1.0': tools },
        };
        ctx.out.result(result, () =>
          [
            `Wrote sample images to the OCI layout ${opts.dir}`,
            `Tags: ${tags.join(', ')}`,
            '',
            renderDescription(`oci:${opts.dir}:latest`, index, ctx.out),
            '',
            renderDescription(`oci:${opts.dir}:latest (linux/arm64)`, arm, ctx.out),
            '',
            renderDescription(`oci:${opts.dir}:tools-1.0`, tools, ctx.out),
            '',
            'Next: ghcr-optimize inspect oci:' + opts.dir + ':latest --raw',
            '      ghcr-optimize tags ghcr.io/OWNER/IMAGE',
          ].join('\n'),
        );
      }),
    );
}
