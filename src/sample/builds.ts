/**
 * Sample build history for the demo's insights store, so the dashboard's build view has
 * something to draw: five builds per service over the last ten days. Every event is recorded
 * with the command `demo` — sample data, never mistaken for a real build. One cold-cache
 * frontend build and auth's poor cache reuse give the insights something to recommend. Pure.
 */
import { buildEvent } from '../store/events.js';
import type { NewEvent } from '../store/types.js';
import type { SampleServiceName } from './services.js';

export const SAMPLE_EVENT_COMMAND = 'demo';

const DAY = 86_400_000;

interface BuildShape {
  seconds: number[];
  hits: number[];
  misses: number[];
}

const BUILDS: Record<SampleServiceName, BuildShape> = {
  backend: { seconds: [64, 58, 71, 60, 62], hits: [11, 12, 10, 12, 12], misses: [1, 0, 2, 0, 0] },
  // The third build ran without a cache: five times slower than the others.
  frontend: { seconds: [96, 88, 412, 91, 94], hits: [9, 10, 0, 10, 9], misses: [1, 0, 10, 0, 1] },
  // Sources are copied before `npm ci`, so almost every build reinstalls dependencies.
  auth: { seconds: [141, 135, 152, 138, 144], hits: [3, 2, 3, 3, 2], misses: [8, 9, 8, 8, 9] },
};

/** The sample builds of `service` (its image as `image`), dated relative to `now`. */
export function sampleBuildEvents(service: SampleServiceName, image: string, now: Date): NewEvent[] {
  const shape = BUILDS[service];
  return shape.seconds.map((seconds, i) => ({
    ...buildEvent({
      image,
      durationMs: seconds * 1000,
      ok: true,
      platform: 'linux/amd64,linux/arm64',
      cacheHits: shape.hits[i]!,
      cacheMisses: shape.misses[i]!,
      command: SAMPLE_EVENT_COMMAND,
    }),
    at: new Date(now.getTime() - (10 - 2 * i) * DAY - 3_600_000),
  }));
}
