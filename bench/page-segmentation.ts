import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FramewiseServer } from '../src/server/framewise-server.ts';
import { fakeCameraFromVideo, launchWithFakeCamera } from '../test/browser/harness.ts';
import { table } from './stats-util.ts';

/** Files of MediaPipe's selfie segmentation package (a dev dependency: for this benchmark only), by name. */
function mediapipeFiles(): Map<string, string> {
  const dir = dirname(createRequire(import.meta.url).resolve('@mediapipe/selfie_segmentation/package.json'));
  return new Map(readdirSync(dir).map((name) => [name, join(dir, name)]));
}

const TYPES: Record<string, string> = { js: 'text/javascript', wasm: 'application/wasm' };

/**
 * What runs in the page: N camera frames, each kept both as a canvas (MediaPipe's input) and as an I420 frame
 * (Framewise's), then, alternating frame by frame, MediaPipe's selfie segmentation solution (its own WebAssembly
 * build, its own selfie model; WebGL on the CPU for its image steps) and Framewise's PersonSegmenter
 * (onnxruntime-web), each alone and as a whole blur frame drawn on a canvas: MediaPipe's mask composited by the
 * canvas over the frame blurred by a CSS filter (its own demo's way), Framewise's blur effect drawn by its
 * CanvasSink. Each whole frame ends with one pixel read back.
 */
const PAGE_SCRIPT = `(async ({ frames: count, rounds, threads }) => {
  const fw = window.framewise;
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 } });
  const track = stream.getVideoTracks()[0];
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  const canvases = [], frames = [];
  const images = new fw.ImageFrameReader();
  while (frames.length < count) {
    const { value } = await reader.read();
    const w = value.displayWidth, h = value.displayHeight;
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d').drawImage(value, 0, 0);
    value.close();
    const frame = new fw.Frame({ width: w, height: h, format: 'i420' }, [new Uint8Array(w * h), new Uint8Array((w / 2) * (h / 2)), new Uint8Array((w / 2) * (h / 2))]);
    images.read(canvas, frame);
    canvases.push(canvas);
    frames.push(frame);
  }
  reader.cancel();
  track.stop();
  const W = frames[0].width, H = frames[0].height;

  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/mp/selfie_segmentation.js';
    script.onload = resolve;
    script.onerror = () => reject(new Error('cannot load MediaPipe'));
    document.head.append(script);
  });
  const mp = new SelfieSegmentation({ locateFile: (file) => '/mp/' + file });
  mp.setOptions({ modelSelection: 0, selfieMode: false });
  const out = document.createElement('canvas');
  out.width = W;
  out.height = H;
  const og = out.getContext('2d', { willReadFrequently: true });
  let onResults = () => undefined;
  mp.onResults((results) => onResults(results));
  await mp.initialize();
  const mpSegment = async (i) => {
    onResults = () => undefined;
    await mp.send({ image: canvases[i] });
  };
  const mpBlur = async (i) => {
    onResults = (results) => {
      og.save();
      og.clearRect(0, 0, W, H);
      og.drawImage(results.segmentationMask, 0, 0, W, H);
      og.globalCompositeOperation = 'source-in';
      og.drawImage(results.image, 0, 0, W, H);
      og.globalCompositeOperation = 'destination-over';
      og.filter = 'blur(16px)';
      og.drawImage(results.image, 0, 0, W, H);
      og.restore();
    };
    await mp.send({ image: canvases[i] });
    return og.getImageData(0, 0, 1, 1).data[0];
  };

  const runtime = await fw.createBrowserRuntime(threads ? { providers: ['wasm'], threads } : { providers: ['wasm'] });
  const segmenter = await fw.PersonSegmenter.load({ runtime });
  const blur = fw.buildEffect('blur:16', { pictures: fw.noPictures, runtime });
  await blur.open({});
  const fwOut = document.createElement('canvas');
  const sink = new fw.CanvasSink(fwOut);
  const fg = fwOut.getContext('2d', { willReadFrequently: true });
  const fwSegment = async (i) => segmenter.probabilities(frames[i]);
  const fwBlur = async (i) => {
    const f = frames[i];
    const copy = new fw.Frame({ width: W, height: H, format: 'i420' }, f.planes.map((p) => p.slice()));
    const done = await blur.process(copy, {});
    sink.write(done);
    return fg.getImageData(0, 0, 1, 1).data[0];
  };

  const time = async (a, b) => {
    for (let i = 0; i < 10; i++) { await a(i % count); await b(i % count); }
    const am = [], bm = [];
    let ta = 0, tb = 0;
    for (let r = 0; r < rounds; r++) for (let i = 0; i < count; i++) {
      let t = performance.now(); await a(i); const da = performance.now() - t; am.push(da); ta += da;
      t = performance.now(); await b(i); const db = performance.now() - t; bm.push(db); tb += db;
    }
    const med = (v) => { const s = [...v].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
    const p95 = (v) => { const s = [...v].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]; };
    return { a: { p50: med(am), p95: p95(am), fps: (am.length * 1000) / ta }, b: { p50: med(bm), p95: p95(bm), fps: (bm.length * 1000) / tb } };
  };
  const segmentation = await time(mpSegment, fwSegment);
  const whole = await time(mpBlur, fwBlur);
  await mp.close();
  return { segmentation, whole, threads: runtime.threads, isolated: runtime.crossOriginIsolated, frames: count * rounds, width: W, height: H,
    gl: (() => { const g = document.createElement('canvas').getContext('webgl2'); return g ? g.getParameter(g.RENDERER) : 'none'; })() };
})`;

interface Timing {
  p50: number;
  p95: number;
  fps: number;
}
interface PageResult {
  segmentation: { a: Timing; b: Timing };
  whole: { a: Timing; b: Timing };
  gl: string;
  threads: number;
  isolated: boolean;
  frames: number;
  width: number;
  height: number;
}

/**
 * In-page selfie segmentation and the whole blur frame: Framewise (onnxruntime-web) against MediaPipe tasks-vision
 * with its own selfie model, in the same Chromium on the same camera frames, cross-origin isolated (Framewise with
 * WebAssembly threads) and not (one thread each).
 */
export async function pageSegmentationBench(video: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-page-seg-'));
  const server = await FramewiseServer.start({ port: 0 });
  // MediaPipe's legacy solution needs WebGL: SwiftShader gives it one on the CPU (this machine has no GPU).
  const browser = await launchWithFakeCamera(await fakeCameraFromVideo(dir, video), { softwareGl: true });
  const files = mediapipeFiles();
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  try {
    for (const [isolation, threads] of [
      ['on', 2],
      ['on', null],
      ['off', null],
    ] as const) {
      const page = await browser.newPage();
      await page.route('**/mp/**', async (route) => {
        const name = new URL(route.request().url()).pathname.replace(/^\/mp\//, '');
        const path = files.get(name);
        if (!path) return route.fulfill({ status: 404, body: 'not here' });
        return route.fulfill({
          status: 200,
          body: readFileSync(path),
          headers: {
            'content-type': TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
            'cross-origin-embedder-policy': 'require-corp',
            'cross-origin-resource-policy': 'same-origin',
          },
        });
      });
      await page.goto(`${server.url}/${isolation === 'off' ? '?isolation=off' : ''}`);
      const r = await page.evaluate<PageResult>(`${PAGE_SCRIPT}({ frames: 30, rounds: 4, threads: ${threads ?? 'null'} })`);
      await page.close();
      const label = `isolated ${isolation}, Framewise ${r.threads} thread${r.threads === 1 ? '' : 's'}${threads ? ' (asked)' : ' (default)'}`;
      const row = (what: string, t: { a: Timing; b: Timing }): (string | number)[] => [
        label,
        what,
        t.a.p50.toFixed(1),
        t.b.p50.toFixed(1),
        t.a.fps.toFixed(0),
        t.b.fps.toFixed(0),
        (t.b.fps / t.a.fps).toFixed(2),
      ];
      rows.push(row('selfie segmentation', r.segmentation), row('whole blur frame', r.whole));
      notes.push(`${label}: ${r.frames} frames of ${r.width}x${r.height} each, WebGL renderer ${r.gl}`);
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    "### In the page: Framewise (onnxruntime-web) vs MediaPipe's selfie segmentation, the segmentation and the whole blur frame (headless Chromium, CPU)",
    '',
    table(['page', 'what', 'MediaPipe p50 ms', 'Framewise p50 ms', 'MediaPipe fps', 'Framewise fps', 'Framewise / MediaPipe fps'], rows),
    '',
    'Same Chromium, same camera frames (desk_person_again.mkv through the fake camera, 640x480), calls alternating frame by frame. ' +
      "MediaPipe: @mediapipe/selfie_segmentation's own solution (its WebAssembly build and selfie_segmentation.tflite, the 256x256 general model; " +
      'WebGL through SwiftShader for its image steps), input a canvas per frame; its whole frame is send() + the mask composited by the canvas over ' +
      "the frame blurred by a CSS filter (its demo's way). tasks-vision's ImageSegmenter refuses this .tflite (no NormalizationOptions metadata), " +
      'so the solution package runs it. ' +
      "Framewise: PersonSegmenter.probabilities (the zoo's ONNX conversion of the same MediaPipe model); its whole frame is the blur:16 effect " +
      '(segmentation, temporal mask smoothing, blur and blend on I420) drawn by CanvasSink. Each call ends with one pixel read back. ' +
      notes.join('; ') +
      '.',
  ].join('\n');
}
