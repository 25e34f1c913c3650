import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Frame } from '../../src/core/frame.ts';
import { readFrameId } from '../../src/core/frame-id.ts';
import { decodePictureBytes } from '../../src/io/picture-bytes.ts';
import { WebRtcClient } from '../../src/io/webrtc/webrtc-client.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { CHROMIUM, fakeCameraFromVideo, launchWithFakeCamera } from './harness.ts';
import { sendPattern } from '../server/webrtc-helpers.ts';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

// The demo page as a product: the picture the user sees has no measuring band, every effect and its argument can be
// chosen (colour picker, the server's pictures, an upload), and each failure has its own clear state.

const dir = scratchDir('demo-states');
let server: FramewiseServer;
let camera: string;

before(async () => {
  const backgrounds = join(dir, 'backgrounds');
  mkdirSync(backgrounds);
  copyFileSync(testdata('images/three_people.jpg'), join(backgrounds, 'office.jpg'));
  server = await FramewiseServer.start({ port: 0, maxSessions: 2, mediaTimeoutMs: 3000, backgroundsDir: backgrounds });
  camera = await fakeCameraFromVideo(dir, testdata('videos/desk_person_again.mkv'));
});

after(async () => {
  await server.close();
});

async function live(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(`(window.framewiseDemo.reading()?.identified ?? 0) >= 20`, undefined, { timeout: 120_000 });
  return page;
}

const sessionOf = async (page: Page): Promise<string> => (await page.evaluate<{ sessionId: string }>('window.framewiseDemo.reading()')).sessionId;

/** The frame-ID code in a screenshot of the processed picture as the user sees it, or null. */
async function codeOnScreen(page: Page): Promise<number | null> {
  const png = await page.locator('#remote-box').screenshot();
  const [y, u, v] = await decodePictureBytes(png, { maxPixels: 4096 * 4096 });
  return readFrameId(new Frame({ width: y.width, height: y.height, format: 'i420' }, [y.data, u.data, v.data]));
}

test('the picture shown carries no frame-ID band (the meter still reads it); the band can be shown on demand', async () => {
  const browser = await launchWithFakeCamera(camera);
  try {
    const page = await live(browser, `${server.url}/?effect=grayscale&autostart`);
    assert.equal(await codeOnScreen(page), null, 'no code visible in the displayed picture');
    const reading = await page.evaluate<{ identified: number; sampled: number }>('window.framewiseDemo.reading()');
    assert.ok(reading.identified / reading.sampled > 0.9, 'latency is still measured on every frame');
    await page.check('#show-band');
    await sleep(300);
    assert.notEqual(await codeOnScreen(page), null, 'with the band shown the code is on screen (so the check above can see one)');
    await page.close({ runBeforeUnload: true });
  } finally {
    await browser.close();
  }
});

test('every effect is reachable: replace with a colour from the picker, a server background, an uploaded picture', async () => {
  const browser = await launchWithFakeCamera(camera);
  try {
    const page = await live(browser, `${server.url}/?effect=passthrough&autostart`);
    const id = await sessionOf(page);
    const effects = await page.$$eval('#effect option', (options) => options.map((o) => (o as unknown as { value: string }).value));
    assert.deepEqual(
      effects.sort(),
      ((await (await fetch(`${server.url}/effects`)).json()) as { effects: { name: string }[] }).effects.map((e) => e.name).sort(),
    );
    const effectIs = async (expected: RegExp): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!expected.test(server.registry.get(id)?.effect ?? '') && Date.now() < deadline) await sleep(100);
      assert.match(server.registry.get(id)?.effect ?? '', expected);
    };
    await page.selectOption('#effect', 'replace');
    await effectIs(/^replace:#00b140$/);
    await page.fill('#bg-colour', '#0000ff');
    await page.dispatchEvent('#bg-colour', 'change');
    await effectIs(/^replace:#0000ff$/);
    await page.selectOption('#bg-kind', 'picture');
    await page.selectOption('#bg-picture', 'office.jpg');
    await effectIs(/^replace:office\.jpg$/);
    await page.selectOption('#bg-kind', 'upload');
    await page.setInputFiles('#bg-file', testdata('images/sergey.png'));
    await effectIs(/^replace:upload:[0-9a-f]{24}$/);
    await page.selectOption('#effect', 'blur');
    await page.fill('#arg-text', '12');
    await page.dispatchEvent('#arg-text', 'change');
    await effectIs(/^blur:12$/);
    await page.selectOption('#effect', 'delay');
    await effectIs(/^delay:50$/);
    assert.equal(await page.evaluate('window.framewiseDemo.state()'), 'live');
    await page.close({ runBeforeUnload: true });
  } finally {
    await browser.close();
  }
});

test('clear states: camera denied, server full (503), connection lost', async () => {
  // Denied: no fake-UI flag, so the permission prompt is refused.
  const denying = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--deny-permission-prompts',
    ],
  });
  try {
    const page = await denying.newPage();
    await page.goto(`${server.url}/?autostart`);
    await page.waitForFunction(`window.framewiseDemo.state() === 'denied'`, undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#state')) ?? '', /Camera access was denied.*press Start camera again/);
    assert.equal(await page.isEnabled('#start'), true);
  } finally {
    await denying.close();
  }
  const browser = await launchWithFakeCamera(camera);
  try {
    // Full: both slots taken by other publishers. They keep sending: a session without video ends after
    // mediaTimeoutMs, and a loaded machine can take longer than that to bring the page up.
    const others = await Promise.all([
      WebRtcClient.publish(`${server.url}/whip`, { receive: false }),
      WebRtcClient.publish(`${server.url}/whip`, { receive: false }),
    ]);
    const sending = new AbortController();
    const senders = others.map((o) => sendPattern(o, sending.signal, { width: 160, height: 120 }));
    const page = await browser.newPage();
    await page.goto(`${server.url}/?autostart`);
    await page.waitForFunction(`window.framewiseDemo.state() === 'full'`, undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#state')) ?? '', /The server is full.*Try again in 5 s/);
    sending.abort();
    await Promise.all(senders);
    await Promise.all(others.map((o) => o.close()));
    // Lost: the server ends the session under the page.
    await page.click('#start');
    await page.waitForFunction(`(window.framewiseDemo.reading()?.identified ?? 0) >= 10`, undefined, { timeout: 120_000 });
    await server.registry.get(await sessionOf(page))?.close('ended by the test');
    await page.waitForFunction(`window.framewiseDemo.state() === 'lost'`, undefined, { timeout: 60_000 });
    assert.match((await page.textContent('#state')) ?? '', /Press Start camera to reconnect/);
    assert.equal(await page.isEnabled('#start'), true);
  } finally {
    await browser.close();
  }
});
