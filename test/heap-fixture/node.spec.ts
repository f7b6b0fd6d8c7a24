// nodeHeap: the same baseline/target/final API for a Node program (a server under test).
import path from 'node:path';
import { expect, NodeOutputError, test } from 'heapscope/playwright';

const SERVER = path.resolve(import.meta.dirname, '../../fixtures/targets/session-server.mjs');

// `Connection: close`: a keep-alive connection from the test's own HTTP client would still be open
// in the server at the final snapshot (its Socket, parser and idle timer), which is the test's doing.
const CLOSE = { headers: { connection: 'close' } };

async function logins(port: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await (await fetch(`http://127.0.0.1:${port}/login`, CLOSE)).text());
  return ids;
}

async function logouts(port: string, ids: string[]): Promise<void> {
  for (const id of ids) expect((await fetch(`http://127.0.0.1:${port}/logout?id=${id}`, CLOSE)).status).toBe(200);
}

test('a server that forgets to end sessions fails with the Session cluster', async ({ nodeHeap }, testInfo) => {
  test.fail();
  const server = await nodeHeap.launch([SERVER, '--leak']);
  testInfo.annotations.push({ type: 'pid', description: String(server.pid) });
  const [, port] = await server.waitForOutput(/listening on (\d+)/);
  await logouts(port!, await logins(port!, 1)); // warm-up: lazy initialisation is not a leak
  await server.baseline();
  const ids = await logins(port!, 10);
  await server.target();
  await logouts(port!, ids);
  await server.final();
  await expect(server).toHaveNoLeaks();
});

test('the fixed server passes, with heap.check', async ({ nodeHeap }, testInfo) => {
  const server = await nodeHeap.launch([SERVER]);
  testInfo.annotations.push({ type: 'pid', description: String(server.pid) });
  const line = await server.waitForOutput('listening on');
  expect(line[0]).toBe('listening on');
  const p = /listening on (\d+)/.exec(server.output.join('\n'))![1]!;
  let ids: string[] = [];
  await server.check(async () => { ids = await logins(p, 10); }, () => logouts(p, ids));
  const report = await server.leaks();
  expect(report.source).toMatch(/^node .*session-server\.mjs \(pid \d+\)$/);
  expect(report.candidates).toBeGreaterThan(0);
});

test('a program that exits before printing: waitForOutput says so, with its output', async ({ nodeHeap }) => {
  const program = await nodeHeap.launch(['-e', 'process.stdout.write("starting\\n"); setTimeout(() => process.exit(3), 200)']);
  await expect(program.waitForOutput(/listening/, { timeout: 20_000 })).rejects.toThrow(NodeOutputError);
  await expect(program.waitForOutput(/listening/)).rejects.toThrow(/exited with code 3 before printing a line matching \/listening\/; its last output:\n {2}\| starting/);
});
