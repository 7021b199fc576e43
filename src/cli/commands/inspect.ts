import { Command } from '@commander-js/extra-typings';
import { parseLocation, formatLocation } from '../../ref/index.js';
import { UsageError } from '../../errors.js';
import { openLocation } from '../../content/open.js';
import { describeMediaType } from '../../oci/media-types.js';
import { parsePlatform } from '../../oci/platform.js';
import {
  describe,
  fetchConfig,
  selectManifest,
  type Description,
  type ImageDetail,
} from '../../inspect/describe.js';
import { formatBytes, formatTable, shortDigest, type Output } from '../output.js';
import type { Runner } from '../context.js';

export function inspectCommand(run: Runner) {
  return new Command('inspect')
    .description('show an image or index: digest, platforms, sizes, layers and config')
    .argument('<reference>', 'e.g. ghcr.io/OWNER/IMAGE:TAG, IMAGE@sha256:…, oci:DIR:TAG')
    .option('--platform <os/arch[/variant]>', 'describe one child of a multi-platform index')
    .option('--raw', 'print the manifest bytes exactly as stored')
    .option('--config', 'print the image config JSON exactly as stored')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize inspect ghcr.io/OWNER/IMAGE:latest
  ghcr-optimize inspect ghcr.io/OWNER/IMAGE:latest --platform linux/arm64
  ghcr-optimize inspect oci:./layout:app --raw | sha256sum
  ghcr-optimize inspect alpine:3.20 --config --json`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        if (opts.raw && opts.config) throw new UsageError('use either --raw or --config, not both');
        const loc = parseLocation(reference);
        const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
        const registries = loc.transport === 'docker' ? [loc.ref.registry] : [];
        const opened = await openLocation(loc, () => ctx.client(registries));
        const ref = opened.reference;
        if (ref === undefined) {
          throw new UsageError(`"${reference}" names no tag or digest`, {
            hint: `try ${formatLocation(loc)}:latest`,
          });
        }
        if (opts.raw) {
          const m = await selectManifest(opened.target, ref, platform, { signal: ctx.signal });
          ctx.out.raw(m.bytes);
          return;
        }
        if (opts.config) {
          const bytes = await fetchConfig(opened.target, ref, platform, ctx.signal);
          ctx.out.raw(bytes);
          return;
        }
        const d = await describe(opened.target, ref, {
          ...(platform ? { platform } : {}),
          signal: ctx.signal,
        });
        ctx.out.result({ reference: formatLocation(loc), ...d }, () =>
          renderDescription(formatLocation(loc), d, ctx.out),
        );
      }),
    );
}

function renderImage(img: ImageDetail, out: Output): string[] {
  const lines: string[] = [];
  const c = img.config;
  if (img.platform) lines.push(`Platform:    ${img.platform}`);
  if (img.artifactType) lines.push(`Artifact:    ${img.artifactType}`);
  lines.push(`Image size:  ${formatBytes(img.totalSize)} (compressed, ${img.layers.length} layers)`);
  if ('os' in c || 'created' in c) {
    if (c.created) lines.push(`Created:     ${c.created}`);
    lines.push(`User:        ${c.user ?? out.c.yellow('(root)')}`);
    if (c.entrypoint) lines.push(`Entrypoint:  ${JSON.stringify(c.entrypoint)}`);
    if (c.cmd) lines.push(`Cmd:         ${JSON.stringify(c.cmd)}`);
    if (c.workingDir) lines.push(`WorkingDir:  ${c.workingDir}`);
    if (c.exposedPorts?.length) lines.push(`Ports:       ${c.exposedPorts.join(', ')}`);
    const labels = Object.entries(c.labels ?? {});
    if (labels.length > 0) {
      lines.push('Labels:');
      for (const [k, v] of labels) lines.push(`  ${k}=${v}`);
    }
  }
  lines.push(`Config:      ${c.digest}`);
  if (img.subject) lines.push(`Subject:     ${img.subject}`);
  if (img.layers.length > 0) {
    lines.push('', 'Layers:');
    lines.push(
      formatTable(
        ['#', 'DIGEST', 'SIZE', 'TYPE'],
        img.layers.map((l, i) => [
          String(i + 1),
          shortDigest(l.digest),
          formatBytes(l.size),
          l.mediaType.replace(/^application\//, ''),
        ]),
      )
        .split('\n')
        .map((s) => `  ${s}`)
        .join('\n'),
    );
  }
  return lines;
}

export function renderDescription(name: string, d: Description, out: Output): string {
  const lines = [
    `${out.c.bold(name)}`,
    `Digest:      ${d.digest}`,
    `Media type:  ${describeMediaType(d.mediaType)} (${d.mediaType})`,
  ];
  if (d.artifactType) lines.push(`Artifact:    ${d.artifactType}`);
  if (d.platforms) {
    lines.push('', 'Platforms:');
    const rows = d.platforms.map((p) => [
      p.attestation ? out.c.dim(`${p.platform} (attestation)`) : p.platform,
      shortDigest(p.digest),
      p.size === undefined ? '-' : formatBytes(p.size),
      p.layers === undefined ? '-' : String(p.layers),
    ]);
    lines.push(
      formatTable(['PLATFORM', 'DIGEST', 'SIZE', 'LAYERS'], rows)
        .split('\n')
        .map((s) => `  ${s}`)
        .join('\n'),
    );
  }
  if (d.image) {
    lines.push('');
    lines.push(...renderImage(d.image, out));
  }
  return lines.join('\n');
}
