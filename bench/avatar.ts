import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCanvas } from '@napi-rs/canvas';
import { nowNs } from '../src/core/clock.ts';
import { AvatarSolver } from '../src/avatar/avatar-solver.ts';
import { drawCharacter, drawScene } from '../src/avatar/draw-character.ts';
import { BUILT_IN_LOOKS } from '../src/avatar/looks.ts';
import { blendRgba } from '../src/effects/rgba-blend.ts';
import { MediaSource } from '../src/io/media-source.ts';
import { FaceLandmarker } from '../src/models/face-landmarker.ts';
import { FramewiseServer } from '../src/server/framewise-server.ts';
import { fakeCameraFromVideo, launchWithFakeCamera } from '../test/browser/harness.ts';
import { percentileOf, table } from './stats-util.ts';

/** Per-frame cost of each part of the avatar on a 640x480 camera clip (3 passes), ms. */
async function stageCosts(video: string): Promise<string> {
  const landmarker = await FaceLandmarker.load();
  const solver = new AvatarSolver();
  const look = BUILT_IN_LOOKS.get('fox');
  if (!look) throw new Error('no fox look');
  const times = { mesh: [] as number[], solve: [] as number[], face: [] as number[], scene: [] as number[] };
  const small = createCanvas(400, 400).getContext('2d');
  const full = createCanvas(640, 480).getContext('2d');
  try {
    for (let pass = 0; pass < 3; pass++) {
      const source = new MediaSource({ input: video });
      await source.open();
      for (let frame = await source.read(); frame; frame = await source.read()) {
        let t = nowNs();
        const mesh = await landmarker.detect(frame);
        times.mesh.push((nowNs() - t) / 1e6);
        t = nowNs();
        const p = solver.next(mesh?.landmarks ?? null, frame.width, frame.height, frame.ptsUs / 1e6);
        times.solve.push((nowNs() - t) / 1e6);
        // Over the face: a canvas just around the character, read back and blended.
        t = nowNs();
        const side = Math.min(400, Math.ceil(p.size * frame.width * 6));
        small.clearRect(0, 0, side, side);
        drawCharacter(small, look, p, side / 2, side / 2, p.size * frame.width);
        blendRgba(
          frame,
          small.getImageData(0, 0, side, side).data,
          side,
          side,
          Math.round(p.x * frame.width - side / 2),
          Math.round(p.y * frame.height - side / 2),
        );
        times.face.push((nowNs() - t) / 1e6);
        // The whole picture.
        t = nowNs();
        drawScene(full, look, p, frame.width, frame.height);
        blendRgba(frame, full.getImageData(0, 0, frame.width, frame.height).data, frame.width, frame.height, 0, 0);
        times.scene.push((nowNs() - t) / 1e6);
        frame.release();
      }
      await source.close();
    }
  } finally {
    await landmarker.close();
  }
  const row = (name: string, v: number[]): (string | number)[] => [name, v.length, percentileOf(v, 50).toFixed(2), percentileOf(v, 95).toFixed(2)];
  const avatarFace = times.solve.map((s, i) => s + (times.face[i] as number));
  const avatarScene = times.solve.map((s, i) => s + (times.scene[i] as number));
  return table(
    ['part (640x480 camera clip)', 'frames', 'p50 ms', 'p95 ms'],
    [
      row('face models (BlazeFace + Face Mesh, tracked)', times.mesh),
      row('solver (rigid fit, expressions, One Euro)', times.solve),
      row('drawing over the face + blend (Skia)', times.face),
      row('drawing the whole picture + blend (Skia)', times.scene),
      row('avatar stage beside the models: solver + face drawing', avatarFace),
      row('avatar stage beside the models: solver + scene', avatarScene),
    ],
  );
}

/** Glass-to-glass in Chromium: passthrough, the avatar on the video, and the same avatar drawn in the page from the data channel. */
async function glassToGlass(video: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-avatar-g2g-'));
  const server = await FramewiseServer.start({ port: 0 });
  const browser = await launchWithFakeCamera(await fakeCameraFromVideo(dir, video));
  const rows: (string | number)[][] = [];
  const collect = { passthrough: [] as number[], face: [] as number[], sceneVideo: [] as number[], sceneData: [] as number[] };
  try {
    for (let round = 0; round < 2; round++) {
      for (const [key, effect] of [
        ['passthrough', 'passthrough'],
        ['face', 'avatar:fox'],
        ['scene', 'avatar:fox+scene'],
      ] as const) {
        const page = await browser.newPage();
        await page.goto(`${server.url}/?effect=${encodeURIComponent(effect)}&autostart`);
        await page.waitForFunction('window.framewiseDemo.reading() !== null', undefined, { timeout: 30_000 });
        await sleep(4000);
        const skipVideo = (await page.evaluate<number[]>('window.framewiseDemo.latencies()')).length;
        const skipData = (await page.evaluate<{ latencies: number[] } | null>('window.framewiseDemo.avatar()'))?.latencies.length ?? 0;
        await sleep(10_000);
        const videoSamples = (await page.evaluate<number[]>('window.framewiseDemo.latencies()')).slice(skipVideo);
        const dataSamples = ((await page.evaluate<{ latencies: number[] } | null>('window.framewiseDemo.avatar()'))?.latencies ?? []).slice(skipData);
        if (key === 'passthrough') collect.passthrough.push(...videoSamples);
        else if (key === 'face') collect.face.push(...videoSamples);
        else {
          collect.sceneVideo.push(...videoSamples);
          collect.sceneData.push(...dataSamples);
        }
        await page.close({ runBeforeUnload: true });
        await sleep(500);
      }
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = percentileOf(collect.passthrough, 50);
  const row = (name: string, v: number[]): (string | number)[] => [
    name,
    v.length,
    percentileOf(v, 50).toFixed(0),
    percentileOf(v, 95).toFixed(0),
    (percentileOf(v, 50) / base).toFixed(2),
  ];
  rows.push(
    row('passthrough (video path, the floor)', collect.passthrough),
    row('avatar:fox over the face (video path)', collect.face),
    row('avatar:fox+scene (video path)', collect.sceneVideo),
    row('avatar:fox+scene drawn in the page from the data channel', collect.sceneData),
  );
  return table(['path (desk_person_again.mkv fake camera, 640x480 30 fps)', 'samples', 'p50 ms', 'p95 ms', 'p50 vs passthrough'], rows);
}

/** The avatar's cost per frame and its glass-to-glass latency, video path and data path. */
export async function avatarBench(video: string): Promise<string> {
  return ['### Avatar: cost per frame and glass-to-glass (video path and data path)', '', await stageCosts(video), '', await glassToGlass(video)].join('\n');
}
