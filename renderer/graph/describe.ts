/**
 * Hover text of a graph node: plain lines the tooltip renders as text nodes (never markup), the
 * class name cut to LABEL_MAX characters.
 */
import { cut, formatBytes, formatDistance } from '../lib/format.js';
import { LABEL_MAX, type ViewLink, type ViewNode } from './model.js';
import { EDGE_KINDS, STATUS_COLORS } from './style.js';

export function describeNode(node: ViewNode, focused: boolean): string[] {
  const lines = [
    cut(node.name, LABEL_MAX).text || '(no name)',
    `@${node.id} · ${node.type}${focused ? ' · selected' : ''}`,
    `Self size: ${formatBytes(node.selfSize)}`,
    `Retained size: ${formatBytes(node.retainedSize)}`,
    `Distance: ${node.distance >= 0 ? formatDistance(node.distance) : `${formatDistance(node.distance)} (held only weakly)`}`,
  ];
  if (node.detached) lines.push('Detached DOM: no longer in any document, yet kept alive');
  if (node.status) lines.push(`Status: ${STATUS_COLORS[node.status].label}`);
  return lines;
}

/** One line per link into or out of the node, for the tooltip's tail (at most `max`). */
export function describeLinks(index: number, nodes: readonly ViewNode[], links: readonly ViewLink[], max = 4): string[] {
  const out: string[] = [];
  let more = 0;
  for (const l of links) {
    if (l.target !== index) continue;
    if (out.length >= max) {
      more++;
      continue;
    }
    const from = nodes[l.source]!;
    out.push(`← ${cut(l.edge, 40).text} (${EDGE_KINDS[l.kind].label}${l.status ? `, ${l.status}` : ''}) from ${cut(from.name, 40).text} @${from.id}`);
  }
  if (more > 0) out.push(`… ${more} more retainers`);
  return out;
}
