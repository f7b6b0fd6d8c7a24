import { listInspectorTargets, type TargetList } from '../inspector/list.js';
import { printable } from '../inspector/errors.js';
import { table } from './format.js';

export interface ListFlags {
  pick?: string;
  allowRemote?: boolean;
  json?: boolean;
}

/**
 * `heapscope capture TARGET --list`: what TARGET's port offers, as `--pick` and `--worker` see it.
 * Never prints a WebSocket URL (its path is the target's only secret).
 */
export async function runCaptureList(target: string, flags: ListFlags): Promise<TargetList> {
  const list = await listInspectorTargets({ target, pick: flags.pick, allowRemote: flags.allowRemote });
  process.stdout.write(flags.json ? `${JSON.stringify(list)}\n` : formatList(list));
  return list;
}

export function formatList(list: TargetList): string {
  const n = list.targets.length;
  const head = `${list.address} · ${printable(list.browser)} · ${n} target${n === 1 ? '' : 's'}\n`;
  if (n === 0) return `${head}(none)\n`;
  const rows: string[][] = [];
  for (const t of list.targets) {
    rows.push([t.type, t.title, t.url]);
    for (const w of t.workers ?? []) rows.push([`  worker ${w.workerId}`, w.title, w.url]);
  }
  const hint = list.targets.some((t) => t.workers?.length) ? '\n--worker ID (or text of its title or URL) captures a worker thread.\n' : '';
  return `${head}\n${table(['TYPE', 'TITLE', 'URL'], rows, ['l', 'l', 'l'], 100)}\n${n > 1 ? '\n--pick TEXT chooses by title or URL.\n' : ''}${hint}`;
}
