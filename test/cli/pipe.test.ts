import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/cli.js';

describe('a reader that goes away', () => {
  // `heapscope serve --help | head -1`: head exits after one line and the pipe closes under us.
  it('ends quietly with the exit code it had, not an unhandled EPIPE', async () => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    // Our end is closed before the help is written (as when `head` has already exited).
    child.stdout.destroy();
    const [code] = await once(child, 'exit');
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
