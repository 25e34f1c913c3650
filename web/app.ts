import { LatencyMeter, type MeterReading } from './latency-meter.ts';
import type { LinkStats } from './rtc-stats.ts';
import { frameIdBandHeight } from '../src/core/frame-id.ts';
import { Histogram } from '../src/core/histogram.ts';
import { EffectPicker } from './effect-picker.ts';
import { FrameStamper } from './stamper.ts';
import { WhipRefused } from './whip-session.ts';
import type { AvatarReading } from './avatar-view.ts';
import type { ProcessingPath, RunIn } from './processing-path.ts';
import { ServerPath } from './server-path.ts';
import { BrowserPath, pageRuntime } from './browser-path.ts';
import { FloorPath } from './floor-path.ts';
import * as framewise from '../src/browser/index.ts';

/**
 * The demo page: camera -> frame-ID stamp -> processing (on the server over WHIP, back on the same connection; or in
 * this page with framewise/browser) -> the processed video -> HUD. Both are measured the same way: the stamp read
 * back from the video that is displayed.
 */

const params = new URLSearchParams(location.search);
const token = params.get('token');
const WIDTH = Number(params.get('width') ?? 640);
const HEIGHT = Number(params.get('height') ?? 480);
/** Any WHIP endpoint that sends the video back on the same connection (default: this server). */
const WHIP_URL = params.get('whip');

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page is missing #${id}`);
  return found as T;
}

const ui = {
  effect: element<HTMLSelectElement>('effect'),
  runIn: element<HTMLSelectElement>('run-in'),
  remoteCaption: element<HTMLElement>('remote-caption'),
  start: element<HTMLButtonElement>('start'),
  stop: element<HTMLButtonElement>('stop'),
  status: element<HTMLSpanElement>('status'),
  state: element<HTMLDivElement>('state'),
  local: element<HTMLVideoElement>('local'),
  remote: element<HTMLVideoElement>('remote'),
  remoteBox: element<HTMLDivElement>('remote-box'),
  showBand: element<HTMLInputElement>('show-band'),
  avatarCanvas: element<HTMLCanvasElement>('avatar-canvas'),
  avatarBox: element<HTMLElement>('avatar-box'),
};

/** What the page is doing, shown as a banner (and in data-state, for automation). */
type PageState = 'idle' | 'opening' | 'connecting' | 'live' | 'stopped' | 'denied' | 'no-camera' | 'full' | 'lost' | 'error';

/** A frame that has not changed on screen for this long means the session is gone. */
const LOST_AFTER_MS = 4000;

function setState(state: PageState, text: string): void {
  ui.state.dataset.state = state;
  ui.state.textContent = text;
  ui.state.hidden = state === 'live' || state === 'idle';
  setStatus(state === 'live' ? text : state, ['denied', 'no-camera', 'full', 'lost', 'error'].includes(state));
}

const request = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(path, { ...init, headers: authHeaders((init.headers as Record<string, string> | undefined) ?? {}) });

/** The server's backgrounds and uploads, for replace:<picture> when the effect runs in this page. */
const pagePictures = new framewise.PagePictures({ headers: authHeaders() });

const picker = new EffectPicker(
  {
    effect: ui.effect,
    argText: element<HTMLInputElement>('arg-text'),
    argTextLabel: element<HTMLLabelElement>('arg-text-label'),
    replaceBox: element<HTMLSpanElement>('replace-box'),
    bgKind: element<HTMLSelectElement>('bg-kind'),
    bgColour: element<HTMLInputElement>('bg-colour'),
    bgPicture: element<HTMLSelectElement>('bg-picture'),
    bgFile: element<HTMLInputElement>('bg-file'),
  },
  request,
  (message) => setState('error', message),
);

interface Running {
  camera: MediaStream;
  stamper: FrameStamper;
  path: ProcessingPath;
  meter: LatencyMeter;
  timer: number;
  startedAtMs: number;
}

/** Glass-to-glass of each place the effect ran in this page's life, measured the same way (µs histograms). */
const byPlace: Record<RunIn, Histogram> = { server: new Histogram(), browser: new Histogram(), floor: new Histogram() };
/** `?jitter=default` leaves the browser's receive buffer as it is (to measure what the low-latency hint saves). */
const LOW_LATENCY = params.get('jitter') !== 'default';
/** `?transport=direct` asks the server for its low-latency WebRTC transport (no jitter buffer or pacer). */
const TRANSPORT = params.has('transport') ? `&transport=${encodeURIComponent(params.get('transport') ?? '')}` : '';

let running: Running | null = null;
/** Every data-path sample of the current session (camera frame stamped -> its avatar drawn here, ms). */
let avatarLatencies: number[] = [];

/** The look an `avatar[:look[+scene]]` spec names (fox when none). */
function lookOf(spec: string): string {
  const arg = spec.startsWith('avatar:') ? spec.slice('avatar:'.length) : '';
  return arg.split('+')[0] || 'fox';
}
/** Every glass-to-glass sample of the current session (ms), newest last, for benchmarks and automation. */
let latencies: number[] = [];
/** The latest HUD reading, for automation (tests read it through `window.framewiseDemo`). */
let lastReading: (MeterReading & { serverP95Ms: number | null; sessionId: string | null; link: LinkStats | null; runIn: RunIn; engine: string | null }) | null =
  null;
/** Set while switching between server and browser, so a second switch waits. */
let switching: Promise<void> | null = null;

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
}

function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(0)} ms`;
}

async function start(): Promise<void> {
  if (running) return;
  ui.start.disabled = true;
  setState('opening', 'Opening the camera...');
  let camera: MediaStream;
  try {
    camera = await navigator.mediaDevices.getUserMedia({ video: { width: WIDTH, height: HEIGHT, frameRate: 30 }, audio: false });
  } catch (err) {
    const name = err instanceof DOMException ? err.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError')
      setState(
        'denied',
        'Camera access was denied. Allow the camera for this site in the browser (the icon in the address bar), then press Start camera again.',
      );
    else if (name === 'NotFoundError' || name === 'OverconstrainedError')
      setState('no-camera', 'No camera was found. Connect one (or close the app that holds it) and press Start camera again.');
    else setState('error', `The camera could not be opened: ${err instanceof Error ? err.message : String(err)}`);
    ui.start.disabled = false;
    return;
  }
  ui.local.srcObject = camera;
  const stamper = new FrameStamper(ui.local, WIDTH, HEIGHT);
  const place = ui.runIn.value as RunIn;
  let path: ProcessingPath;
  try {
    setState('connecting', { server: 'Connecting to the server...', browser: 'Loading the models into this page...', floor: 'Showing the camera...' }[place]);
    path = await openPath(place, stamper);
  } catch (err) {
    stamper.stop();
    for (const track of camera.getTracks()) track.stop();
    ui.local.srcObject = null;
    ui.start.disabled = false;
    refused(err);
    return;
  }
  const meter = new LatencyMeter(ui.remote, stamper);
  const timer = window.setInterval(() => void tick(), 1000);
  running = { camera, stamper, path, meter, timer, startedAtMs: performance.now() };
  avatarLatencies = [];
  latencies = [];
  show(path);
  ui.stop.disabled = false;
}

/** Start processing the stamped camera `place` says, wired to the page's lost/unstable handling. */
async function openPath(place: RunIn, stamper: FrameStamper): Promise<ProcessingPath> {
  const path: ProcessingPath =
    place === 'floor'
      ? new FloorPath(stamper.track)
      : place === 'browser'
        ? await BrowserPath.start(stamper.track, picker.spec(), pagePictures)
        : await ServerPath.start(stamper.track, WHIP_URL ?? `${location.origin}/whip?effect=${encodeURIComponent(picker.spec())}${TRANSPORT}`, token, {
            request,
            external: WHIP_URL !== null,
            avatarCanvas: ui.avatarCanvas,
            stamper,
            look: () => lookOf(picker.spec()),
            lowLatency: LOW_LATENCY,
          });
  path.onLost = (why) => {
    if (running?.path === path) lose(why);
  };
  if (path instanceof ServerPath)
    path.onUnstable = (unstable) => {
      if (running?.path !== path) return;
      if (unstable) setState('connecting', 'The connection is unstable: waiting for it to come back...');
      else setState('live', `live, ${path.label}`);
    };
  return path;
}

/** Show `path`'s output as the processed video. */
function show(path: ProcessingPath): void {
  ui.remote.srcObject = path.output;
  ui.remoteCaption.textContent = {
    server: 'Processed by the server',
    browser: 'Processed in this page (no frame leaves it)',
    floor: 'The camera as stamped, not processed (the floor)',
  }[path.kind];
  element('runs-in').textContent = path.kind;
  element('pipeline-label').textContent = path.kind === 'server' ? 'server pipeline' : 'page pipeline';
  setState('live', `live, ${path.label}`);
}

/** Say why a path could not start. */
function refused(err: unknown): void {
  if (err instanceof WhipRefused && err.status === 503)
    setState('full', `The server is full: every live slot is taken. Try again${err.retryAfterS ? ` in ${err.retryAfterS} s` : ' shortly'}. (${err.message})`);
  else if (err instanceof WhipRefused) setState('error', `The server refused the session (${err.status}): ${err.message}`);
  else if (err instanceof TypeError) setState('lost', `The server cannot be reached: ${err.message}`);
  else setState('error', err instanceof Error ? err.message : String(err));
}

/** Move the running stream to the server or into the page: the camera keeps running, the new path starts before the old one stops. */
async function switchTo(place: RunIn): Promise<void> {
  while (switching) await switching;
  const current = running;
  if (!current || current.path.kind === place) return;
  const step = (async () => {
    setState(
      'connecting',
      { server: 'Moving the effect to the server...', browser: 'Moving the effect into this page...', floor: 'Showing the camera unprocessed...' }[place],
    );
    let next: ProcessingPath;
    try {
      next = await openPath(place, current.stamper);
    } catch (err) {
      ui.runIn.value = current.path.kind;
      refused(err);
      return;
    }
    if (running !== current) {
      next.stop();
      return;
    }
    const previous = current.path;
    current.path = next;
    show(next);
    previous.stop();
  })();
  switching = step;
  try {
    await step;
  } finally {
    switching = null;
  }
}

/** The session is gone (the network, or the server ended it): release everything and say so. */
function lose(why: string): void {
  stop();
  setState('lost', `${why} Press Start camera to reconnect.`);
}

async function tick(): Promise<void> {
  if (!running) return;
  const { meter, path, startedAtMs } = running;
  const lastFrameAtMs = meter.lastFrameAtMs || startedAtMs;
  if (performance.now() - lastFrameAtMs > LOST_AFTER_MS) {
    lose(`No video has come back for ${Math.round((performance.now() - lastFrameAtMs) / 1000)} s: the server ended the session or the network dropped.`);
    return;
  }
  const reading = meter.tick();
  const samples = meter.takeSamples();
  const avatar = path instanceof ServerPath ? path.avatar : null;
  avatarLatencies.push(...(avatar?.takeSamples() ?? []));
  const avatarReading = avatar?.reading();
  ui.avatarBox.hidden = !avatarReading || avatarReading.messages === 0;
  element('avatar-g2g').textContent = !avatarReading || avatarReading.messages === 0 ? '-' : `${ms(avatarReading.p50Ms)} / ${ms(avatarReading.p95Ms)}`;
  latencies.push(...samples);
  for (const sample of samples) byPlace[path.kind].record(sample * 1000);
  if (latencies.length > 20_000) latencies = latencies.slice(-10_000);
  const { pipelineP95Ms: serverP95Ms, link, engine } = await path.tick(samples);
  lastReading = { ...reading, serverP95Ms, sessionId: path instanceof ServerPath ? path.whip.id : null, link, runIn: path.kind, engine };
  for (const place of ['server', 'browser', 'floor'] as const) {
    const h = byPlace[place];
    element(`g2g-${place}`).textContent = h.count === 0 ? '-' : `${ms(h.percentile(50) / 1000)} / ${ms(h.percentile(95) / 1000)}`;
  }
  element('engine').textContent = engine ?? '-';
  element('g2g-p50').textContent = ms(reading.p50Ms);
  element('g2g-p95').textContent = ms(reading.p95Ms);
  element('g2g-total').textContent = `${ms(reading.totalP50Ms)} / ${ms(reading.totalP95Ms)}`;
  element('fps').textContent = String(reading.fps);
  element('missing').textContent = String(reading.missing);
  element('server-p95').textContent = ms(serverP95Ms);
  const limited = link?.qualityLimitation && link.qualityLimitation !== 'none' ? ` (${link.qualityLimitation}-limited)` : '';
  element('sent').textContent = !link || link.sentFps === null ? 'nothing' : `${link.sentFps} fps${link.sentWidth ? ` @${link.sentWidth}px` : ''}${limited}`;
  element('jitter').textContent = link ? ms(link.jitterBufferMs) : '-';
}

function stop(): void {
  if (!running) return;
  const { camera, stamper, path, meter, timer } = running;
  running = null;
  window.clearInterval(timer);
  meter.stop();
  path.stop();
  stamper.stop();
  for (const track of camera.getTracks()) track.stop();
  ui.local.srcObject = null;
  ui.remote.srcObject = null;
  ui.start.disabled = false;
  ui.stop.disabled = true;
  setState('stopped', 'Stopped.');
}

ui.start.addEventListener('click', () => void start());
ui.stop.addEventListener('click', stop);
picker.onChange = (spec) => {
  const path = running?.path;
  if (!path) return;
  path.setEffect(spec).then(
    () => setState('live', `live, effect ${spec}`),
    (err: unknown) => setState('error', `effect ${spec}: ${err instanceof Error ? err.message : String(err)}`),
  );
};
ui.runIn.addEventListener('change', () => void switchTo(ui.runIn.value as RunIn));
// Every frame sent carries a frame-ID code in a band at its top: that is what measures glass-to-glass latency. The
// picture the user sees is cropped below it (the meter reads the band from the video itself, not from the screen).
const applyBand = (): void => {
  const w = ui.remote.videoWidth || WIDTH;
  const h = ui.remote.videoHeight || HEIGHT;
  // A quarter of the band more: the encoder smears the code's high-contrast cells a few rows below it.
  const visible = ui.showBand.checked ? h : h - Math.ceil(frameIdBandHeight(w) * 1.25);
  ui.remoteBox.style.setProperty('--visible-aspect', `${w} / ${visible}`);
};
ui.showBand.addEventListener('change', applyBand);
ui.remote.addEventListener('resize', applyBand);
ui.remote.addEventListener('loadedmetadata', applyBand);
applyBand();
// Leaving the page ends the session at once (DELETE with keepalive) instead of waiting for the server to notice.
window.addEventListener('pagehide', stop);

declare global {
  interface Window {
    /** framewise/browser itself, for experiments from the console (and the parity tests). */
    framewise: typeof framewise & { runtime: typeof pageRuntime };
    framewiseDemo: {
      start(): Promise<void>;
      stop(): void;
      reading(): typeof lastReading;
      latencies(): number[];
      state(): string;
      spec(): string;
      avatar(): (AvatarReading & { latencies: number[] }) | null;
      /** Move the running stream (or the next one) to the server or into the page. */
      runIn(place: RunIn): Promise<void>;
      /** The in-page pipeline's stats, modes and engine, when the effect runs in the page. */
      page(): ReturnType<BrowserPath['details']> | null;
    };
  }
}
window.framewise = { ...framewise, runtime: pageRuntime };
window.framewiseDemo = {
  start,
  stop,
  reading: () => lastReading,
  latencies: () => latencies,
  state: () => ui.state.dataset.state ?? 'idle',
  spec: () => picker.spec(),
  avatar: () => (running?.path instanceof ServerPath ? { ...running.path.avatar.reading(), latencies: avatarLatencies } : null),
  runIn: async (place) => {
    ui.runIn.value = place;
    await switchTo(place);
  },
  page: () => (running?.path instanceof BrowserPath ? running.path.details() : null),
};

setState('idle', '');
if (['browser', 'server', 'floor'].includes(params.get('run') ?? '')) ui.runIn.value = params.get('run') as RunIn;
picker.load(params.get('effect')).then(
  () => {
    if (params.has('autostart')) void start();
  },
  (err: unknown) => setState('error', err instanceof Error ? err.message : String(err)),
);
