import { readFile, readdir, readlink } from 'node:fs/promises';
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Linux /proc readers for attaching by pid. Every function answers `undefined` where /proc is not
 * there or not readable (macOS, hidepid mounts), so callers fall back to the documented defaults.
 */

/** True when the process has a handler for SIGUSR1 installed: Node's inspector trigger. Default action of SIGUSR1 is to terminate. */
export async function catchesSigusr1(pid: number): Promise<boolean | undefined> {
  const status = await readText(`/proc/${pid}/status`);
  const m = status && /^SigCgt:\s*([0-9a-f]+)$/im.exec(status);
  if (!m) return undefined;
  const SIGUSR1 = 10; // Linux on every architecture Node supports except MIPS/Alpha/SPARC, which Node does not ship for
  return (BigInt(`0x${m[1]}`) >> BigInt(SIGUSR1 - 1)) & 1n ? true : false;
}

/** The executable's base name (`node`, `electron`, ...), for messages. */
export async function processName(pid: number): Promise<string | undefined> {
  return (await readText(`/proc/${pid}/comm`))?.trim();
}

/**
 * TCP ports the process listens on at a loopback address: its socket inodes (/proc/PID/fd) matched
 * against the LISTEN rows of its network namespace's /proc/PID/net/tcp{,6}. This finds the inspector
 * port whatever --inspect-port said, 0 included.
 */
export async function loopbackListenPorts(pid: number): Promise<number[] | undefined> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const inodes = new Set<string>();
  await Promise.all(fds.map(async (fd) => {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch { /* the fd closed meanwhile */ }
  }));
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readText(`/proc/${pid}/net/${table}`);
    if (!text) continue;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
      if (cols.length < 10 || cols[3] !== '0A' /* LISTEN */ || !inodes.has(cols[9]!)) continue;
      const [addr, portHex] = cols[1]!.split(':');
      if (addr && portHex && isLoopbackHex(addr)) ports.add(parseInt(portHex, 16));
    }
  }
  return [...ports];
}

/**
 * The process that listens on 127.0.0.1:PORT (or another loopback address), found by the socket's
 * inode in /proc/net/tcp{,6} and a scan of /proc/PID/fd. Only processes of our own user can be
 * read, which is also the only kind heapscope attaches to by pid. Undefined when not found.
 */
export async function pidListeningOn(port: number): Promise<number | undefined> {
  const inodes = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readText(`/proc/net/${table}`);
    if (!text) continue;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' /* LISTEN */) continue;
      const [addr, portHex] = cols[1]!.split(':');
      if (addr && portHex && parseInt(portHex, 16) === port && isLoopbackHex(addr) && cols[9] !== '0') inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of await listPids()) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return pid;
      } catch { /* the fd closed meanwhile */ }
    }
  }
  return undefined;
}

/** Resident set size in bytes (VmRSS of /proc/PID/status), or undefined. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await readText(`/proc/${pid}/status`);
  const m = status && /^VmRSS:\s*(\d+)\s*kB$/im.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Pids of every process, in increasing order; [] without /proc. */
export async function listPids(): Promise<number[]> {
  try {
    return (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** /proc/net/tcp prints addresses as host-order hex words: 0100007F is 127.0.0.1 on little-endian. */
function isLoopbackHex(addr: string): boolean {
  if (addr.length === 8) return LITTLE_ENDIAN ? addr.endsWith('7F') : addr.startsWith('7F');
  if (addr.length === 32) {
    // Four host-order words: ::1 and ::ffff:127.x.y.z.
    if (addr === (LITTLE_ENDIAN ? '00000000000000000000000001000000' : '00000000000000000000000000000001')) return true;
    if (addr.slice(0, 24) === (LITTLE_ENDIAN ? '0000000000000000FFFF0000' : '00000000000000000000FFFF')) return isLoopbackHex(addr.slice(24));
  }
  return false;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
