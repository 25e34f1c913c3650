import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { fakeCameraFromPattern, fakeCameraFromVideo, launchWithFakeCamera } from './harness.ts';

let server: FramewiseServer;
const dir = scratchDir('browser');

before(async () => {
  server = await FramewiseServer.start({ port: 0, maxSessions: 2, mediaTimeoutMs: 3000 });
});

after(async () => {
  await server.close();
});

interface Reading {
  shown: number;
  sampled: number;
  identified: number;
  totalP50Ms: number | null;
  totalP95Ms: number | null;
  fps: number;
  sessionId: string | null;
}

/** Open the demo page with `query`, wait until it has measured `frames` frames, return the page and its reading. */
async function openDemo(browser: Browser, query: string, frames = 60): Promise<{ page: Page; reading: Reading }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}/?${query}&autostart`);
  try {
    await page.waitForFunction(`(window.framewiseDemo.reading()?.identified ?? 0) >= ${frames}`, undefined, { timeout: 120_000 });
  } catch (err) {
    const status = await page.textContent('#status');
    throw new Error(`the page measured too few frames (status "${status}", errors ${JSON.stringify(errors)}): ${String(err)}`);
  }
  const reading = await page.evaluate<Reading>('window.framewiseDemo.reading()');
  return { page, reading };
}

/**
 * Mean |R-G| + |G-B| below the code band of a video element, and its left-right luma balance. Runs in the page
 * (as text: this project's TypeScript has no DOM types).
 */
function videoColour(page: Page, selector: string): Promise<{ colour: number; leftMinusRight: number }> {
  return page.evaluate(`(() => {
    const v = document.querySelector(${JSON.stringify(selector)});
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(v, 0, 0);
    const top = Math.ceil(canvas.width / 36) + 4;
    const data = ctx.getImageData(0, top, canvas.width, canvas.height - top).data;
    const w = canvas.width;
    let colour = 0, left = 0, right = 0;
    for (let i = 0; i < data.length; i += 4) {
      colour += Math.abs(data[i] - data[i + 1]) + Math.abs(data[i + 1] - data[i + 2]);
      const x = (i / 4) % w;
      if (x < w / 4) left += data[i] + data[i + 1] + data[i + 2];
      else if (x >= (3 * w) / 4) right += data[i] + data[i + 1] + data[i + 2];
    }
    const pixels = data.length / 4;
    return { colour: colour / pixels, leftMinusRight: (left - right) / (pixels / 4) / 3 };
  })()`);
}

async function sessionGone(id: string, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (!server.registry.get(id)) return true;
    await sleep(100);
  }
  return false;
}

test('demo page with a fake camera (desk_person_again.mkv): processed frames come back, glass-to-glass on the page and in /metrics, leaving releases everything', async () => {
  const browser = await launchWithFakeCamera(await fakeCameraFromVideo(dir, testdata('videos/desk_person_again.mkv')));
  try {
    const { page, reading } = await openDemo(browser, 'effect=grayscale', 90);
    assert.ok(reading.sessionId, 'the page knows its session');
    const session = server.registry.get(reading.sessionId);
    assert.ok(session, 'the server runs the session');
    assert.ok(reading.totalP50Ms !== null && reading.totalP50Ms > 0 && reading.totalP50Ms < 1000, `glass-to-glass p50 ${reading.totalP50Ms} ms`);
    assert.ok(reading.identified / reading.sampled > 0.9, `frame ids read on ${reading.identified} of ${reading.sampled} sampled frames`);
    assert.ok(reading.shown > 90, `${reading.shown} frames shown`);
    assert.match((await page.textContent('#g2g-total')) ?? '', /^\d+ ms \/ \d+ ms$/);
    // The camera is in colour; what comes back is grayscale.
    const local = await videoColour(page, '#local');
    const remote = await videoColour(page, '#remote');
    assert.ok(local.colour > 8, `the desk video has colour (${local.colour.toFixed(1)})`);
    assert.ok(remote.colour < 3, `processed video still has colour (${remote.colour.toFixed(1)})`);
    await sleep(1200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const count = /^framewise_glass_to_glass_seconds_count (\d+)$/m.exec(metrics)?.[1];
    assert.ok(Number(count) > 30, `glass-to-glass samples in /metrics: ${count}`);
    assert.ok((session.info().glassToGlass?.p50Ms ?? 0) > 0);
    await page.close({ runBeforeUnload: true });
    assert.ok(await sessionGone(reading.sessionId, 10_000), 'the session outlived its page by 10 s');
    assert.deepEqual(session.resources(), { framesOutstanding: 0, tracks: 0, viewers: 0, connectionState: 'closed' });
  } finally {
    await browser.close();
  }
});

test('demo page with the test pattern: mirror flips the picture; a closed browser (no goodbye) is cleaned up', async () => {
  const browser = await launchWithFakeCamera(await fakeCameraFromPattern(dir));
  let sessionId: string | null = null;
  try {
    const { page, reading } = await openDemo(browser, 'effect=mirror', 45);
    sessionId = reading.sessionId;
    const local = await videoColour(page, '#local');
    const remote = await videoColour(page, '#remote');
    assert.ok(Math.abs(local.leftMinusRight) > 10, `pattern has a bright side (${local.leftMinusRight.toFixed(1)})`);
    assert.ok(Math.sign(local.leftMinusRight) === -Math.sign(remote.leftMinusRight), `mirrored: ${local.leftMinusRight} vs ${remote.leftMinusRight}`);
    assert.ok(remote.colour > 8, 'mirror keeps the colours');
  } finally {
    await browser.close();
  }
  assert.ok(sessionId);
  assert.ok(await sessionGone(sessionId, 15_000), 'the session of a closed browser was not released within 15 s');
  assert.equal(server.registry.size, 0);
});

test('demo page runs the AI effect: blur (with an argument from the URL) on the desk video', async () => {
  const browser = await launchWithFakeCamera(await fakeCameraFromVideo(dir, testdata('videos/desk_person_again.mkv')));
  try {
    const { page, reading } = await openDemo(browser, 'effect=blur:16', 30);
    assert.ok(reading.sessionId);
    assert.equal(server.registry.get(reading.sessionId)?.effect, 'blur:16');
    assert.equal(await page.evaluate('window.framewiseDemo.spec()'), 'blur:16');
    assert.equal(await page.inputValue('#effect'), 'blur');
    assert.equal(await page.inputValue('#arg-text'), '16');
    assert.ok(reading.totalP50Ms !== null && reading.totalP50Ms < 1000, `glass-to-glass p50 ${reading.totalP50Ms} ms`);
    await page.close({ runBeforeUnload: true });
  } finally {
    await browser.close();
  }
});
