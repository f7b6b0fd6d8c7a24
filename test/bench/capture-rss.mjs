// Peak RSS of `heapscope capture` while it captures a big snapshot (budget: 100 MB for 300 MB).
//
//   npm run build && node test/bench/capture-rss.mjs [SIZE_MB=300] [OUT_DIR=os.tmpdir()]
//
// Starts fixtures/targets/generator.mjs SIZE_MB with the inspector on a free loopback port, runs
// the built CLI as a child process, and reads the child's peak RSS from /proc/PID/status VmHWM
// (polled every 20 ms; VmHWM is the kernel's own high-water mark, so polling can read it late
// but never miss a peak), or from /usr/bin/time -v when /proc is missing. Prints one JSON line;
// exits 1 when the peak is over the budget.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const sizeMb = Number(process.argv[2] ?? 300);
const outDir = mkdtempSync(path.join(process.argv[3] ?? os.tmpdir(), 'heapscope-rss-'));
const budgetMb = 100;

const target = spawn(process.execPath, ['--inspect=127.0.0.1:0', path.join(repo, 'fixtures/targets/generator.mjs'), String(sizeMb)],
  { stdio: ['ignore', 'pipe', 'pipe'] });
const stopTarget = () => { if (target.exitCode === null) target.kill('SIGKILL'); };
process.on('exit', stopTarget);

try {
  const port = await new Promise((resolve, reject) => {
    let out = '', err = '', port;
    const check = () => { if (port && /heapscope-fixture phase 0/.test(out)) resolve(port); };
    target.stdout.setEncoding('utf8').on('data', (s) => { out += s; check(); });
    target.stderr.setEncoding('utf8').on('data', (s) => {
      err += s;
      const m = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) port = Number(m[1]);
      check();
    });
    target.once('exit', (code) => reject(new Error(`generator exited (${code}): ${err}`)));
  });

  const file = path.join(outDir, 'big.heapsnapshot');
  const useTime = !existsSync('/proc/self/status') && existsSync('/usr/bin/time');
  const cli = [path.join(repo, 'dist/cli/main.js'), 'capture', String(port), '-o', file, '--quiet'];
  const started = Date.now();
  const child = useTime
    ? spawn('/usr/bin/time', ['-v', process.execPath, ...cli], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, cli, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch { /* exited */ }
  }, 20);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  if (useTime) peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
  if (code !== 0) throw new Error(`capture exited ${code}: ${stderr}`);
  const bytes = statSync(file).size;
  const result = {
    sizeMbRequested: sizeMb,
    snapshotMb: +(bytes / 1e6).toFixed(1),
    seconds: +((Date.now() - started) / 1000).toFixed(1),
    peakRssMb: +(peakKb / 1024).toFixed(1),
    budgetMb,
    method: useTime ? '/usr/bin/time -v' : '/proc/PID/status VmHWM',
  };
  console.log(JSON.stringify(result));
  process.exitCode = result.peakRssMb <= budgetMb ? 0 : 1;
} finally {
  stopTarget();
  rmSync(outDir, { recursive: true, force: true });
}
