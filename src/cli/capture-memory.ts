import type { ProcessMemory } from '../inspector/capture.js';
import { formatBytes } from './format.js';

/** One line for stderr: the target's memory read before the snapshot. */
export function describeMemory(m: ProcessMemory): string {
  const parts = [`JS heap ${formatBytes(m.heapUsed)} used of ${formatBytes(m.heapTotal)}`];
  if (m.embedderHeapUsed !== undefined) parts.push(`Blink heap ${formatBytes(m.embedderHeapUsed)}`);
  if (m.rss !== undefined) parts.push(`process RSS ${formatBytes(m.rss)} (pid ${m.pid})`);
  if (m.dom) parts.push(`DOM ${m.dom.nodes} nodes, ${m.dom.jsEventListeners} listeners, ${m.dom.documents} documents`);
  return `memory before the snapshot: ${parts.join('; ')}`;
}
