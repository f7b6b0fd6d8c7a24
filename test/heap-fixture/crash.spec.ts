// A page that crashes while its snapshot is being taken: the capture fails at once with a clear
// error and leaves no file, instead of hanging until the test's timeout.
import { existsSync, readdirSync } from 'node:fs';
import { CaptureIncompleteError, expect, test } from 'heapscope/playwright';
import { serve, ORIGIN } from './pages.js';

test('the renderer dies mid-snapshot: CaptureIncompleteError in seconds, no file', async ({ page, heap }, testInfo) => {
  // 200,000 objects: V8 needs over a second to snapshot them, time enough to crash it meanwhile.
  await serve(page, { '/': '<!doctype html><title>big</title><script>window.big = Array.from({ length: 200_000 }, (_, i) => ({ i, s: "k" + i }));</script>' });
  await page.goto(`${ORIGIN}/`);
  await heap.baseline();
  const killer = await page.context().newCDPSession(page);
  const started = Date.now();
  const capture = heap.target();
  // Page.crash runs on the renderer's IO thread, so it lands while the main thread is busy snapshotting.
  await new Promise((r) => setTimeout(r, 400));
  void killer.send('Page.crash').catch(() => {});
  const err = await capture.then(() => undefined, (e: unknown) => e);
  const seconds = (Date.now() - started) / 1000;
  expect(err).toBeInstanceOf(CaptureIncompleteError);
  expect((err as Error).message).toMatch(/^capture from page http:\/\/heapscope\.test\/ incomplete: the page crashed \(its renderer process died\) \(.*; nothing was written\)$/);
  expect(seconds).toBeLessThan(15);
  expect(existsSync(testInfo.outputPath('heapscope-target.heapsnapshot'))).toBe(false);
  expect(readdirSync(testInfo.outputDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  // Later calls say the same, at once.
  await expect(heap.target()).rejects.toThrow(/the page crashed/);
});

test('a crash that nobody catches fails the test with that message', async ({ page, heap }) => {
  test.fail();
  await serve(page, { '/': '<!doctype html><title>big</title><script>window.big = Array.from({ length: 200_000 }, (_, i) => ({ i, s: "k" + i }));</script>' });
  await page.goto(`${ORIGIN}/`);
  await heap.baseline();
  const killer = await page.context().newCDPSession(page);
  setTimeout(() => { void killer.send('Page.crash').catch(() => {}); }, 400);
  await heap.target();
});
