/** How the action makes names acceptable to Docker: it only lowercases images and replaces runs of bad tag characters. */

/** Image names are lowercased; nothing else is changed. */
export function sanitizeImageName(name: string): string {
  return name.toLowerCase();
}

/** Every run of characters outside `[a-zA-Z0-9._-]` becomes one `-` (no truncation, no trimming). */
export function sanitizeTag(tag: string): string {
  return tag.replace(/[^a-zA-Z0-9._-]+/g, '-');
}
