/**
 * The dashboard's views in tab order, shared by the renderer (tab bar, Ctrl/⌘+1..7) and the
 * desktop app's View menu, so the menu can never list a view the tabs do not have.
 */
export type ViewName = 'summary' | 'comparison' | 'weak' | 'retainers' | 'graph' | 'dominators' | 'leaks';

/** The tab order (Ctrl/⌘+1..7 follow it). */
export const VIEWS: readonly { name: ViewName; label: string }[] = [
  { name: 'summary', label: 'Summary' },
  { name: 'comparison', label: 'Comparison' },
  { name: 'weak', label: 'Weak references' },
  { name: 'retainers', label: 'Retainers' },
  { name: 'graph', label: 'Retention graph' },
  { name: 'dominators', label: 'Dominators' },
  { name: 'leaks', label: 'Leaks' },
];

export function isViewName(value: unknown): value is ViewName {
  return VIEWS.some((v) => v.name === value);
}
