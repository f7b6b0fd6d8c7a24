/**
 * Files dropped on a drop zone, folders included where the browser lets a page walk them
 * (`webkitGetAsEntry`, Chromium, Firefox and Safari): a dropped Playwright `test-results/`
 * folder becomes its files, each named by its path inside the drop.
 */
import type { ReportFileLike } from './report-files.js';

export interface Dropped {
  files: ReportFileLike[];
  /** At least one folder was dropped: its files are searched for reports, not each taken as one. */
  fromFolder: boolean;
}

/**
 * Must be called during the drop event: a DataTransfer's items are gone once its handler returns,
 * so the entries are taken first and walked afterwards.
 */
export function takeDrop(data: DataTransfer): () => Promise<Dropped> {
  const entries: FileSystemEntry[] = [];
  const plain: File[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plain.push(f);
    }
  }
  if (entries.length === 0 && plain.length === 0) plain.push(...Array.from(data.files));
  return async () => {
    const files: ReportFileLike[] = plain.map((f) => named(f));
    let fromFolder = false;
    for (const entry of entries) {
      if (entry.isDirectory) fromFolder = true;
      await walk(entry, files);
    }
    return { files, fromFolder };
  };
}

function named(file: File, path = file.name): ReportFileLike {
  return { name: path, size: file.size, text: () => file.text() };
}

/** Depth first, iteratively: a deep folder must not overflow. */
async function walk(root: FileSystemEntry, out: ReportFileLike[]): Promise<void> {
  const pending = [root];
  while (pending.length > 0) {
    const entry = pending.pop()!;
    const path = entry.fullPath.replace(/^\/+/, '');
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push(named(file, path));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries answers in batches (100 in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        pending.push(...batch);
      }
    }
  }
}
