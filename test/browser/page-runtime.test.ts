import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Frame } from '../../src/core/frame.ts';
import { createEffect } from '../../src/effects/registry.ts';
import { FaceDetector } from '../../src/models/face-detector.ts';
import { PersonSegmenter } from '../../src/models/person-segmenter.ts';
import { PoseEstimator } from '../../src/models/pose-estimator.ts';
import { readPicture } from '../../src/io/read-picture.ts';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { fakeCameraFromVideo, launchWithFakeCamera } from './harness.ts';

// Effects in the page (framewise/browser): the same models and effects as the server, in onnxruntime-web, fed by
// Chromium's fake camera. No frame may reach the server.

let server: FramewiseServer;
let camera: string;
const dir = scratchDir('browser-runtime');

before(async () => {
  const backgrounds = join(dir, 'backgrounds');
  mkdirSync(backgrounds, { recursive: true });
  copyFileSync(testdata('images/portrait.jpg'), join(backgrounds, 'beach.jpg'));
  server = await FramewiseServer.start({ port: 0, maxSessions: 2, backgroundsDir: backgrounds });
  camera = await fakeCameraFromVideo(dir, testdata('videos/desk_person_again.mkv'));
});

after(async () => {
  await server.close();
});

/** A picture as an I420 frame, and the same planes as base64 for the page. */
async function pictureFrame(name: string): Promise<{ frame: Frame; planes: string[]; width: number; height: number }> {
  const [y, u, v] = await readPicture(testdata(`images/${name}`));
  // Even sizes, as a camera gives.
  const width = y.width & ~1;
  const height = y.height & ~1;
  const crop = (plane: { width: number; data: Uint8Array }, w: number, h: number): Uint8Array => {
    const out = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) out.set(plane.data.subarray(r * plane.width, r * plane.width + w), r * w);
    return out;
  };
  const planes = [crop(y, width, height), crop(u, width / 2, height / 2), crop(v, width / 2, height / 2)];
  return { frame: new Frame({ width, height, format: 'i420' }, planes), planes: planes.map((p) => Buffer.from(p).toString('base64')), width, height };
}

interface PageResults {
  mask: string;
  faces: { box: { xMin: number; yMin: number; width: number; height: number }; score: number }[];
  pose: { x: number; y: number; visibility: number }[] | null;
  blurred: string[];
  replaced: Record<string, string[]>;
  provider: string;
}

/** Run the segmenter, the face detector, the pose estimator and the blur effect on one picture inside the page. */
function analyseInPage(page: Page, planes: string[], width: number, height: number): Promise<PageResults> {
  // A string, not a function: the test runner's transform would add helpers the page does not have.
  return page.evaluate(`(async ({ planes, width, height }) => {
    const fw = window.framewise;
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const frame = () => new fw.Frame({ width, height, format: 'i420' }, planes.map(bytes));
    const b64 = (a) => {
      let s = '';
      for (let i = 0; i < a.length; i += 0x8000) s += String.fromCharCode(...a.subarray(i, i + 0x8000));
      return btoa(s);
    };
    const runtime = await fw.runtime();
    const segmenter = await fw.PersonSegmenter.load({ runtime });
    const mask = await segmenter.segment(frame());
    const faces = await (await fw.FaceDetector.load({ runtime })).detect(frame());
    const pose = await (await fw.PoseEstimator.load({ runtime, track: false })).detect(frame());
    const blur = fw.buildEffect('blur:16', { pictures: fw.noPictures, runtime });
    await blur.open({});
    const out = await blur.process(frame(), {});
    const replaced = {};
    const pictures = new fw.PagePictures();
    for (const spec of ['replace:green', 'replace:beach']) {
      const stage = fw.buildEffect(spec, { pictures, runtime });
      await stage.open({});
      replaced[spec] = (await stage.process(frame(), {})).planes.map(b64);
      await stage.close();
    }
    return {
      replaced,
      mask: b64(mask.data),
      faces: faces.map((f) => ({ box: f.box, score: f.score })),
      pose: pose ? pose.landmarks.map((p) => ({ x: p.x, y: p.y, visibility: p.visibility })) : null,
      blurred: out ? out.planes.map(b64) : [],
      provider: segmenter.provider,
    };
  })(${JSON.stringify({ planes, width, height })})`);
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const p = (a[i] as number) >= 128;
    const q = (b[i] as number) >= 128;
    if (p && q) both++;
    if (p || q) either++;
  }
  return either === 0 ? 1 : both / either;
}

test("in the page, segmentation, faces, pose and the blur effect give the server's results on the same picture", { timeout: 180_000 }, async () => {
  const browser = await launchWithFakeCamera(camera);
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.url}/`);
    for (const name of ['three_people.jpg', 'portrait.jpg']) {
      const { frame, planes, width, height } = await pictureFrame(name);
      const inPage = await analyseInPage(page, planes, width, height);
      assert.equal(inPage.provider, 'wasm');
      // The server, on the same planes.
      const segmenter = await PersonSegmenter.load();
      const mask = await segmenter.segment(frame);
      const faces = await (await FaceDetector.load()).detect(frame);
      const pose = await (await PoseEstimator.load({ track: false })).detect(frame);
      const blur = createEffect('blur:16');
      await blur.open?.({} as never);
      const copy = new Frame(
        { width, height, format: 'i420' },
        frame.planes.map((p) => p.slice()),
      );
      const blurred = await blur.process(copy, {} as never);
      await blur.close?.();
      const replaced: Record<string, Uint8Array[]> = {};
      for (const spec of ['replace:green', 'replace:beach']) {
        const stage = createEffect(spec, { pictures: server.pictures });
        await stage.open?.({} as never);
        const copy = new Frame(
          { width, height, format: 'i420' },
          frame.planes.map((p) => p.slice()),
        );
        replaced[spec] = (await stage.process(copy, {} as never))?.planes ?? [];
        await stage.close?.();
      }

      const maskIou = iou(mask.data, Buffer.from(inPage.mask, 'base64'));
      assert.ok(maskIou > 0.98, `${name}: person mask IoU page vs server ${maskIou.toFixed(4)}`);
      assert.equal(inPage.faces.length, faces.length, `${name}: faces found`);
      let boxOff = 0;
      let poseOff = 0;
      let blurOff = 0;
      for (const [i, f] of faces.entries()) {
        const g = inPage.faces[i];
        assert.ok(g, `${name}: face ${i}`);
        const d = Math.max(Math.abs(f.box.xMin - g.box.xMin), Math.abs(f.box.yMin - g.box.yMin), Math.abs(f.box.width - g.box.width));
        assert.ok(d < 2, `${name}: face ${i} box within 2 px (off by ${d.toFixed(2)})`);
        boxOff = Math.max(boxOff, d);
      }
      assert.equal(inPage.pose === null, pose === null, `${name}: pose found in both or neither`);
      if (pose && inPage.pose) {
        const visible = pose.landmarks.filter((p) => p.visibility > 0.5);
        const off = pose.landmarks
          .map((p, i) => Math.hypot(p.x - (inPage.pose?.[i]?.x ?? 0), p.y - (inPage.pose?.[i]?.y ?? 0)))
          .filter((_, i) => (pose.landmarks[i]?.visibility ?? 0) > 0.5);
        const mean = off.reduce((a, b) => a + b, 0) / Math.max(1, off.length);
        poseOff = mean;
        assert.ok(visible.length > 5 && mean < 2, `${name}: ${visible.length} visible pose landmarks, mean ${mean.toFixed(2)} px apart`);
      }
      // The whole blur frame: the same pixels but for rounding along the person's outline.
      for (let i = 0; i < 3; i++) {
        const a = blurred?.planes[i] as Uint8Array;
        const b = Buffer.from(inPage.blurred[i] ?? '', 'base64');
        let sum = 0;
        for (let k = 0; k < a.length; k++) sum += Math.abs((a[k] as number) - (b[k] as number));
        assert.ok(sum / a.length < 1, `${name}: blur plane ${i} mean difference ${(sum / a.length).toFixed(3)} levels`);
        blurOff = Math.max(blurOff, sum / a.length);
      }
      // Replaced backgrounds: a colour the same; a picture decoded by the browser instead of FFmpeg, a few levels apart.
      const replaceOff: string[] = [];
      for (const [spec, limit] of [
        ['replace:green', 1],
        ['replace:beach', 3],
      ] as const) {
        for (let i = 0; i < 3; i++) {
          const a = replaced[spec]?.[i] as Uint8Array;
          const b = Buffer.from(inPage.replaced[spec]?.[i] ?? '', 'base64');
          let sum = 0;
          for (let k = 0; k < a.length; k++) sum += Math.abs((a[k] as number) - (b[k] as number));
          assert.ok(sum / a.length < limit, `${name}: ${spec} plane ${i} mean difference ${(sum / a.length).toFixed(3)} levels`);
          if (i === 0) replaceOff.push(`${spec} luma within ${(sum / a.length).toFixed(2)}`);
        }
      }
      console.log(
        `${name}: ${replaceOff.join(', ')}; mask IoU ${maskIou.toFixed(4)}, ${faces.length} faces (boxes within ${boxOff.toFixed(3)} px), pose ${pose ? `mean ${poseOff.toFixed(3)} px apart` : 'none'}, blur frame within ${blurOff.toFixed(3)} levels`,
      );
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

interface DemoReading {
  identified: number;
  totalP50Ms: number | null;
  totalP95Ms: number | null;
  runIn: string;
  engine: string | null;
}
interface PageDetails {
  threads: number;
  isolated: boolean;
  providers: string[];
  models: string[];
  modes: { source: string; sink: string };
  stats: { framesOut: number; latencyMs: { p50: number; p95: number } };
}

/** Open the demo page with `query`, recording every request it makes and every RTCPeerConnection it creates. */
async function openDemo(
  browser: Awaited<ReturnType<typeof launchWithFakeCamera>>,
  query: string,
): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  page.on('pageerror', (err) => errors.push(err.message));
  await page.addInitScript(`(() => {
    const Original = window.RTCPeerConnection;
    window.__peerConnections = 0;
    window.RTCPeerConnection = function (...args) { window.__peerConnections++; return new Original(...args); };
    window.RTCPeerConnection.prototype = Original.prototype;
  })()`);
  await page.goto(`${server.url}/?${query}`);
  return { page, requests, errors };
}

const reading = (page: Page): Promise<DemoReading> => page.evaluate<DemoReading>('window.framewiseDemo.reading()');
const details = (page: Page): Promise<PageDetails> => page.evaluate<PageDetails>('window.framewiseDemo.page()');

test('the demo page runs blur in the page: measured glass-to-glass, no frame sent, threads when cross-origin isolated', { timeout: 600_000 }, async () => {
  const browser = await launchWithFakeCamera(camera);
  try {
    // Isolated with two threads asked for, isolated with the default (a core fewer than the machine has), not isolated.
    for (const [isolation, threads] of [
      ['on', 2],
      ['on', null],
      ['off', 2],
    ] as const) {
      const query = `effect=blur&run=browser&autostart${isolation === 'off' ? '&isolation=off' : ''}${threads ? `&threads=${threads}` : ''}`;
      const { page, requests, errors } = await openDemo(browser, query);
      await page.waitForFunction('(window.framewiseDemo.reading()?.identified ?? 0) >= 60', undefined, { timeout: 180_000 });
      const r = await reading(page);
      const d = await details(page);
      const cores = await page.evaluate<number>('navigator.hardwareConcurrency');
      console.log(
        `isolation ${isolation}, threads ${threads ?? 'default'}: ${d.threads} thread(s) of ${cores} cores, ${d.providers.join('/')}, source ${d.modes.source}, sink ${d.modes.sink}; ` +
          `page pipeline p50 ${d.stats.latencyMs.p50.toFixed(1)} ms; glass-to-glass p50 ${r.totalP50Ms?.toFixed(1)} ms p95 ${r.totalP95Ms?.toFixed(1)} ms`,
      );
      assert.equal(r.runIn, 'browser');
      assert.equal(d.isolated, isolation === 'on');
      assert.equal(d.threads, isolation === 'off' ? 1 : (threads ?? Math.max(1, Math.min(4, cores - 1))));
      if (isolation === 'on' && threads) assert.ok(d.threads > 1, 'WebAssembly threads in an isolated page');
      assert.deepEqual(d.models, ['selfie'], 'the selfie model was fetched and checked');
      assert.ok(d.stats.framesOut >= 60);
      // Nothing went to the server: no WebRTC connection, no WHIP or session request, no session there.
      assert.equal(await page.evaluate<number>('window.__peerConnections'), 0);
      assert.deepEqual(
        requests.filter((q) => /\/(whip|whep|sessions)/.test(q)),
        [],
      );
      assert.equal(server.registry.size, 0);
      assert.deepEqual(errors, []);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

test('switching browser <-> server while running keeps the stream (the camera stays open, frames keep coming back)', { timeout: 400_000 }, async () => {
  const browser = await launchWithFakeCamera(camera);
  try {
    const { page, errors } = await openDemo(browser, 'effect=blur&run=browser&autostart');
    await page.waitForFunction('(window.framewiseDemo.reading()?.identified ?? 0) >= 30', undefined, { timeout: 180_000 });
    const cameraId = await page.evaluate<string>("document.getElementById('local').srcObject.id");
    const states: string[] = [];
    const watch = setInterval(
      () =>
        void page.evaluate<string>('window.framewiseDemo.state()').then(
          (s) => states.push(s),
          () => undefined,
        ),
      100,
    );
    try {
      for (const place of ['server', 'browser'] as const) {
        const before = (await reading(page)).identified;
        await page.evaluate(`window.framewiseDemo.runIn('${place}')`);
        await page.waitForFunction(
          `window.framewiseDemo.reading()?.runIn === '${place}' && window.framewiseDemo.reading().identified >= ${before + 45}`,
          undefined,
          { timeout: 60_000 },
        );
        assert.equal(server.registry.size, place === 'server' ? 1 : 0, `sessions on the server with the effect in the ${place}`);
        assert.equal(await page.evaluate<string>("document.getElementById('local').srcObject.id"), cameraId, 'the same camera stream');
      }
    } finally {
      clearInterval(watch);
    }
    assert.ok(!states.some((s) => ['lost', 'error', 'stopped', 'denied'].includes(s)), `states while switching: ${[...new Set(states)].join(', ')}`);
    const hud = await page.evaluate<{ server: string; browser: string }>(
      "({ server: document.getElementById('g2g-server').textContent, browser: document.getElementById('g2g-browser').textContent })",
    );
    console.log(`glass-to-glass p50 / p95 side by side: server ${hud.server}, browser ${hud.browser}`);
    assert.match(hud.server, /^\d+ ms \/ \d+ ms$/);
    assert.match(hud.browser, /^\d+ ms \/ \d+ ms$/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a model file whose sha256 does not match what the server recorded is refused with a clear message on the page', { timeout: 240_000 }, async () => {
  const browser = await launchWithFakeCamera(camera);
  try {
    const page = await browser.newPage();
    // A proxy or a stale cache changes one byte of the model on the way.
    await page.route('**/models/selfie.onnx', async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[body.length >> 1] = (body[body.length >> 1] as number) ^ 0xff;
      await route.fulfill({ response, body });
    });
    await page.goto(`${server.url}/?effect=blur&run=browser&autostart`);
    await page.waitForFunction("['error', 'live'].includes(window.framewiseDemo.state())", undefined, { timeout: 180_000 });
    assert.equal(await page.evaluate<string>('window.framewiseDemo.state()'), 'error');
    const text = await page.evaluate<string>("document.getElementById('state').textContent");
    assert.match(text, /model selfie\.onnx was refused: its sha256 is [0-9a-f]{16}\.\.\., the server recorded [0-9a-f]{16}\.\.\./);
    assert.match(text, /reload the page/);
    assert.equal(await page.evaluate<string>("document.getElementById('start').disabled ? 'disabled' : 'enabled'"), 'enabled', 'the user can try again');
  } finally {
    await browser.close();
  }
});
