/**
 * dive's `--json` export, field for field (wagoodman/dive `cmd/dive/cli/internal/command/export`):
 * `layer[] {index, id, digestId, sizeBytes, command, fileList}` and
 * `image {sizeBytes, inefficientBytes, efficiencyScore, fileReference[] {count, sizeBytes, file}}`.
 * `fileList` holds every node of the layer's tree, children before parents, as dive lists it
 * (parent directories missing from the tar appear as empty entries, as in dive). For a registry
 * image, `id` is the layer blob's hex digest and `digestId` its diff id. Pure.
 */
import type { ImageConfig } from '../oci/schema.js';
import { maskSecretAssignments } from './lint.js';
import { visitChildFirst, type DiveFileInfo, type DiveMetrics, type DiveTree } from './efficiency.js';

export interface DiveExport {
  layer: {
    index: number;
    id: string;
    digestId: string;
    sizeBytes: number;
    command: string;
    fileList: DiveFileInfo[];
  }[];
  image: {
    sizeBytes: number;
    inefficientBytes: number;
    efficiencyScore: number;
    fileReference: { count: number; sizeBytes: number; file: string }[];
  };
}

/**
 * The history entry of each layer, as dive pairs them: history entries marked `empty_layer` are
 * skipped; a layer without one gets "(missing)". dive strips the "/bin/sh -c " prefix. Unlike
 * dive, values of secret-looking assignments (`NPM_TOKEN=…` build args) are masked.
 */
export function layerCommands(config: ImageConfig | undefined, layerCount: number): string[] {
  const history = config?.history ?? [];
  const out: string[] = [];
  let h = 0;
  for (let i = 0; i < layerCount; i++) {
    while (h < history.length && history[h]?.empty_layer) h++;
    const entry = h < history.length ? history[h] : undefined;
    if (entry) h++;
    const createdBy = entry ? (entry.created_by ?? '') : '(missing)';
    const shown = createdBy.startsWith('/bin/sh -c ') ? createdBy.slice('/bin/sh -c '.length) : createdBy;
    out.push(maskSecretAssignments(shown));
  }
  return out;
}

export function diveExport(
  trees: readonly DiveTree[],
  metrics: DiveMetrics,
  layers: readonly { digest: string; diffId: string }[],
  commands: readonly string[],
): DiveExport {
  return {
    layer: trees.map((tree, i) => ({
      index: tree.index,
      id: (layers[i]?.digest ?? '').replace(/^[a-z0-9]+:/, ''),
      digestId: layers[i]?.diffId ?? '',
      sizeBytes: tree.sizeBytes,
      command: commands[i] ?? '(missing)',
      fileList: [...visitChildFirst(tree.root)].map(({ node }) => ({ ...node.info })),
    })),
    image: {
      sizeBytes: metrics.sizeBytes,
      inefficientBytes: metrics.wastedBytes,
      efficiencyScore: metrics.efficiency,
      fileReference: metrics.inefficiencies.map((x) => ({
        count: x.count,
        sizeBytes: x.cumulativeSize,
        file: x.path,
      })),
    },
  };
}
