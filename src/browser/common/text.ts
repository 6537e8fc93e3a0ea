// Text the webviews fit into small boxes. Ids, times and counts come from src/core/format.ts,
// states and icons from src/shared/icons.ts, as on the host side.

/** The last path segment of a pointer name. */
export const baseName = (name: string): string =>
  name.slice(name.replace(/\/+$/, '').lastIndexOf('/') + 1) || name;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
