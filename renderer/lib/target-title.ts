/**
 * A target's title as the sidebar shows it. Node reports a process's title as its script's path
 * (`/home/me/app/server.js`): cut from the left, every such title would read `/home/me/ap…`, so a
 * path shows its last part, and the full title stays in the tooltip. Anything else (a page's
 * title, a command line) is shown as it is.
 */
export function shortTitle(title: string): string {
  const text = title.trim();
  if (/\s/.test(text) || !/^(file:\/\/|\/|[A-Za-z]:[\\/])/.test(text)) return title;
  const parts = text.replace(/[\\/]+$/, '').split(/[\\/]/);
  return parts.at(-1) || title;
}
