import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FramewiseServer } from '../src/server/framewise-server.ts';
import { fakeCameraFromVideo, launchWithFakeCamera } from '../test/browser/harness.ts';
import { medianOf, percentileOf, table } from './stats-util.ts';
import { startWebRtcEcho } from './webrtc-echo.ts';

interface Variant {
  label: string;
  query: (server: string, echo: string) => string;
  /** Break its p50 down by what the stats of both ends say (server paths). */
  breakdown?: boolean;
}

/** Where a server path's time goes, from the WebRTC stats of the page and of the server (means, ms). */
interface Breakdown {
  pageEncode: number | null;
  serverJitterBuffer: number | null;
  serverDecode: number | null;
  pipelineP50: number | null;
  serverEncode: number | null;
  serverPacer: number | null;
  pageJitterBuffer: number | null;
  pageDecode: number | null;
}

interface SessionLink {
  stats: { latencyMs: { p50: number } };
  link: {
    receiver: { jitterBufferDelayMeanMs: number | null; decodeMeanMs: number | null } | null;
    sender: { encodeMeanMs: number | null; packetSendDelayMeanMs: number | null } | null;
  };
}

/** The breakdown of the session the page runs on `server`, read at the end of a measurement. */
async function breakdownOf(serverUrl: string, page: import('playwright-core').Page): Promise<Breakdown | null> {
  const sessions = (await (await fetch(`${serverUrl}/sessions`)).json()) as { id: string }[];
  const id = sessions[0]?.id;
  if (!id) return null;
  const info = (await (await fetch(`${serverUrl}/sessions/${id}`)).json()) as SessionLink;
  const link = await page.evaluate<{ encodeMeanMs: number | null; decodeMeanMs: number | null; jitterBufferMs: number | null } | null>(
    'window.framewiseDemo.reading()?.link ?? null',
  );
  return {
    pageEncode: link?.encodeMeanMs ?? null,
    serverJitterBuffer: info.link.receiver?.jitterBufferDelayMeanMs ?? null,
    serverDecode: info.link.receiver?.decodeMeanMs ?? null,
    pipelineP50: info.stats.latencyMs.p50,
    serverEncode: info.link.sender?.encodeMeanMs ?? null,
    serverPacer: info.link.sender?.packetSendDelayMeanMs ?? null,
    pageJitterBuffer: link?.jitterBufferMs ?? null,
    pageDecode: link?.decodeMeanMs ?? null,
  };
}

const VARIANTS: Variant[] = [
  { label: 'WebRTC echo floor (no pipeline)', query: (_s, echo) => `whip=${encodeURIComponent(echo)}` },
  { label: 'capture -> display floor (page only)', query: () => 'run=floor' },
  { label: 'WebRTC echo, default jitter buffer', query: (_s, echo) => `whip=${encodeURIComponent(echo)}&jitter=default` },
  { label: 'server passthrough', query: () => 'effect=passthrough', breakdown: true },
  { label: 'server passthrough, default jitter buffer', query: () => 'effect=passthrough&jitter=default', breakdown: true },
  { label: 'server grayscale', query: () => 'effect=grayscale' },
  { label: 'server blur', query: () => 'effect=blur', breakdown: true },
  { label: 'server passthrough, direct transport', query: () => 'effect=passthrough&transport=direct', breakdown: true },
  { label: 'server blur, direct transport', query: () => 'effect=blur&transport=direct', breakdown: true },
  { label: 'browser blur (in the page)', query: () => 'run=browser&effect=blur' },
];

/**
 * Glass-to-glass in headless Chromium (fake camera: desk_person_again.mkv, 640x480 30 fps): the demo page stamps
 * each frame, sends it over WHIP, and times it when the processed frame is displayed. Variants run interleaved,
 * `rounds` times each, against a pure WebRTC echo measured in the same run.
 */
export async function glassToGlass(video: string, options: { warmupS?: number; measureS?: number; rounds?: number } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-g2g-'));
  const server = await FramewiseServer.start({ port: 0 });
  const echo = await startWebRtcEcho();
  const browser = await launchWithFakeCamera(await fakeCameraFromVideo(dir, video));
  const samples = new Map<string, number[]>();
  const fps = new Map<string, number[]>();
  const breakdowns = new Map<string, Breakdown>();
  try {
    for (let round = 0; round < (options.rounds ?? 2); round++) {
      for (const variant of VARIANTS) {
        const page = await browser.newPage();
        await page.goto(`${server.url}/?${variant.query(server.url, echo.url)}&autostart`);
        await page.waitForFunction('window.framewiseDemo.reading() !== null', undefined, { timeout: 20_000 });
        await sleep((options.warmupS ?? 4) * 1000);
        const skip = (await page.evaluate<number[]>('window.framewiseDemo.latencies()')).length;
        const shownBefore = (await page.evaluate<{ shown: number }>('window.framewiseDemo.reading()')).shown;
        await sleep((options.measureS ?? 10) * 1000);
        const all = await page.evaluate<number[]>('window.framewiseDemo.latencies()');
        const shownAfter = (await page.evaluate<{ shown: number }>('window.framewiseDemo.reading()')).shown;
        const breakdown = variant.breakdown ? await breakdownOf(server.url, page) : null;
        if (breakdown) breakdowns.set(variant.label, breakdown);
        samples.set(variant.label, [...(samples.get(variant.label) ?? []), ...all.slice(skip)]);
        fps.set(variant.label, [...(fps.get(variant.label) ?? []), (shownAfter - shownBefore) / (options.measureS ?? 10)]);
        await page.close({ runBeforeUnload: true });
        await sleep(500);
      }
    }
  } finally {
    await browser.close();
    await echo.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const floor = samples.get(VARIANTS[0]?.label ?? '') ?? [];
  const floorP95 = percentileOf(floor, 95);
  const capture = medianOf(samples.get(VARIANTS[1]?.label ?? '') ?? []);
  const rows = VARIANTS.map((v) => {
    const s = samples.get(v.label) ?? [];
    const p50 = medianOf(s);
    const p95 = percentileOf(s, 95);
    return [
      v.label,
      s.length,
      p50.toFixed(1),
      p95.toFixed(1),
      (p50 - capture).toFixed(1),
      medianOf(fps.get(v.label) ?? []).toFixed(1),
      (p95 / floorP95).toFixed(2),
    ];
  });
  const ms = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
  const parts: [string, keyof Breakdown][] = [
    ['page encode (VP8)', 'pageEncode'],
    ["server jitter buffer (from a frame's first packet, so it holds the page pacer's spread)", 'serverJitterBuffer'],
    ['server decode', 'serverDecode'],
    ['server pipeline p50 (effect)', 'pipelineP50'],
    ['server encode', 'serverEncode'],
    ["page jitter buffer (from a frame's first packet, so it holds the server pacer's spread)", 'pageJitterBuffer'],
    ['page decode', 'pageDecode'],
  ];
  const broken = VARIANTS.filter((v) => breakdowns.has(v.label));
  const breakdownRows = parts.map(([name, key]) => [name, ...broken.map((v) => ms(breakdowns.get(v.label)?.[key] ?? null))]);
  breakdownRows.splice(5, 0, [
    '(held in the next row: the server pacer, mean per packet)',
    ...broken.map((v) => ms(breakdowns.get(v.label)?.serverPacer ?? null)),
  ]);
  breakdownRows.push([
    'the rest: capture of the stamped canvas, loopback, display (sum of the steps above, pacer not counted twice)',
    ...broken.map((v) => {
      const b = breakdowns.get(v.label);
      const known = parts.reduce((sum, [, key]) => sum + (b?.[key] ?? 0), 0);
      return ms(medianOf(samples.get(v.label) ?? []) - known);
    }),
  ]);
  breakdownRows.push(['glass-to-glass p50', ...broken.map((v) => ms(medianOf(samples.get(v.label) ?? [])))]);
  return [
    `### Glass-to-glass in headless Chromium (640x480, 30 fps fake camera, VP8, ${options.rounds ?? 2} interleaved rounds of ${options.measureS ?? 10} s)`,
    '',
    table(['path', 'frames', 'p50 ms', 'p95 ms', 'p50 over capture floor', 'fps shown', 'p95 / echo floor p95'], rows),
    '',
    'Page stamp -> encode -> server -> effect -> encode -> decode -> displayed (requestVideoFrameCallback); "in the page": stamp -> ' +
      'the effect in onnxruntime-web -> MediaStreamTrackGenerator -> displayed; the capture floor: the stamped camera displayed as it is. ' +
      'The page asks for a receive jitter buffer target of 0 unless "default jitter buffer". "direct transport": the server on werift with ' +
      'no jitter buffer or pacer, its packets marked for immediate playout (the server\'s "jitter buffer" there is the time a frame\'s packets ' +
      'take to arrive). Chromium, the server and the echo share the same cores.',
    '',
    "#### Where a server path's milliseconds go (means from both ends' WebRTC stats over the last round, ms)",
    '',
    table(['step', ...broken.map((v) => v.label)], breakdownRows),
  ].join('\n');
}
