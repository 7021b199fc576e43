/**
 * Which builder runs: docker buildx when its plugin answers, else buildah. Detection runs the
 * tools (`docker buildx version`, `buildah --version`): a docker CLI without the buildx plugin,
 * as on machines with only the client installed, does not count.
 */
import { MissingToolError, UsageError } from '../errors.js';
import { toolWorks } from './exec.js';
import type { Builder } from './plan.js';

export const BUILDER_CHOICES = ['auto', 'buildx', 'buildah'] as const;
export type BuilderChoice = (typeof BUILDER_CHOICES)[number];

const INSTALL_HINT =
  'install Docker with the buildx plugin (docker/setup-buildx-action in GitHub Actions) or buildah (apt-get install buildah)';

export interface Probe {
  buildx(): Promise<boolean>;
  buildah(): Promise<boolean>;
}

export const systemProbe: Probe = {
  buildx: () => toolWorks('docker', ['buildx', 'version']),
  buildah: () => toolWorks('buildah', ['--version']),
};

/** The builder to use, or MissingToolError naming what to install. */
export async function detectBuilder(choice: BuilderChoice, probe: Probe = systemProbe): Promise<Builder> {
  if (!(BUILDER_CHOICES as readonly string[]).includes(choice)) {
    throw new UsageError(`--builder must be auto, buildx or buildah, got "${choice}"`);
  }
  if (choice === 'buildx' || choice === 'auto') {
    if (await probe.buildx()) return 'buildx';
    if (choice === 'buildx') {
      throw new MissingToolError('docker buildx is not available', { hint: INSTALL_HINT });
    }
  }
  if (await probe.buildah()) return 'buildah';
  throw new MissingToolError(
    choice === 'buildah'
      ? 'buildah is not installed'
      : 'no image builder found: neither docker buildx nor buildah is installed',
    { hint: INSTALL_HINT },
  );
}
