/** Commander helper for repeatable options (`--from a --from b`): each value is appended. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
