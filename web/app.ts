import { LatencyMeter, type MeterReading } from './latency-meter.ts';
import { type LinkStats, linkStats } from './rtc-stats.ts';
import { frameIdBandHeight } from '../src/core/frame-id.ts';
import { EffectPicker } from './effect-picker.ts';
import { FrameStamper } from './stamper.ts';
import { WhipRefused, WhipSession } from './whip-session.ts';
import { AvatarView, type AvatarReading } from './avatar-view.ts';

/** The demo page: camera -> frame-ID stamp -> WHIP -> Framewise -> back on the same connection -> HUD. */

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
  whip: WhipSession;
  meter: LatencyMeter;
  avatar: AvatarView;
  timer: number;
  startedAtMs: number;
}

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
let lastReading: (MeterReading & { serverP95Ms: number | null; sessionId: string | null; link: LinkStats }) | null = null;

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
  const whip = new WhipSession(WHIP_URL ?? `${location.origin}/whip?effect=${encodeURIComponent(picker.spec())}`, token);
  try {
    setState('connecting', 'Connecting to the server...');
    await whip.start(stamper.track);
  } catch (err) {
    whip.stop();
    stamper.stop();
    for (const track of camera.getTracks()) track.stop();
    ui.local.srcObject = null;
    ui.start.disabled = false;
    if (err instanceof WhipRefused && err.status === 503)
      setState('full', `The server is full: every live slot is taken. Try again${err.retryAfterS ? ` in ${err.retryAfterS} s` : ' shortly'}. (${err.message})`);
    else if (err instanceof WhipRefused) setState('error', `The server refused the session (${err.status}): ${err.message}`);
    else setState('lost', `The server cannot be reached: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  ui.remote.srcObject = await whip.remote;
  const meter = new LatencyMeter(ui.remote, stamper);
  const avatar = new AvatarView(ui.avatarCanvas, whip.avatarChannel, stamper, () => lookOf(picker.spec()));
  const timer = window.setInterval(() => void tick(), 1000);
  running = { camera, stamper, whip, meter, avatar, timer, startedAtMs: performance.now() };
  avatarLatencies = [];
  latencies = [];
  whip.pc.addEventListener('connectionstatechange', () => {
    const state = whip.pc.connectionState;
    if (running?.whip !== whip) return;
    if (state === 'failed' || state === 'closed') lose('The connection to the server was lost.');
    else if (state === 'disconnected') setState('connecting', 'The connection is unstable: waiting for it to come back...');
    else if (state === 'connected') setState('live', `live, session ${whip.id ?? '?'}`);
  });
  ui.stop.disabled = false;
  setState('live', `live, session ${whip.id ?? '?'}`);
}

/** The session is gone (the network, or the server ended it): release everything and say so. */
function lose(why: string): void {
  stop();
  setState('lost', `${why} Press Start camera to reconnect.`);
}

async function tick(): Promise<void> {
  if (!running) return;
  const { meter, whip, startedAtMs } = running;
  const lastFrameAtMs = meter.lastFrameAtMs || startedAtMs;
  if (performance.now() - lastFrameAtMs > LOST_AFTER_MS) {
    lose(`No video has come back for ${Math.round((performance.now() - lastFrameAtMs) / 1000)} s: the server ended the session or the network dropped.`);
    return;
  }
  const reading = meter.tick();
  const samples = meter.takeSamples();
  avatarLatencies.push(...running.avatar.takeSamples());
  const avatar = running.avatar.reading();
  ui.avatarBox.hidden = avatar.messages === 0;
  element('avatar-g2g').textContent = avatar.messages === 0 ? '-' : `${ms(avatar.p50Ms)} / ${ms(avatar.p95Ms)}`;
  latencies.push(...samples);
  if (latencies.length > 20_000) latencies = latencies.slice(-10_000);
  let serverP95Ms: number | null = null;
  if (whip.id && !WHIP_URL) {
    if (samples.length > 0) {
      await request(`/sessions/${whip.id}/glass-to-glass`, {
        method: 'POST',
        headers: authHeaders({ 'content-type': 'application/json' }),
        body: JSON.stringify({ samplesMs: samples }),
      });
    }
    const info = await request(`/sessions/${whip.id}`).then((r) => (r.ok ? (r.json() as Promise<{ stats: { latencyMs: { p95: number } } }>) : null));
    serverP95Ms = info?.stats.latencyMs.p95 ?? null;
  }
  const link = await linkStats(whip.pc);
  lastReading = { ...reading, serverP95Ms, sessionId: whip.id, link };
  element('g2g-p50').textContent = ms(reading.p50Ms);
  element('g2g-p95').textContent = ms(reading.p95Ms);
  element('g2g-total').textContent = `${ms(reading.totalP50Ms)} / ${ms(reading.totalP95Ms)}`;
  element('fps').textContent = String(reading.fps);
  element('missing').textContent = String(reading.missing);
  element('server-p95').textContent = ms(serverP95Ms);
  const limited = link.qualityLimitation && link.qualityLimitation !== 'none' ? ` (${link.qualityLimitation}-limited)` : '';
  element('sent').textContent = link.sentFps === null ? '-' : `${link.sentFps} fps${link.sentWidth ? ` @${link.sentWidth}px` : ''}${limited}`;
  element('jitter').textContent = ms(link.jitterBufferMs);
}

function stop(): void {
  if (!running) return;
  const { camera, stamper, whip, meter, avatar, timer } = running;
  running = null;
  window.clearInterval(timer);
  meter.stop();
  avatar.stop();
  whip.stop();
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
  const id = running?.whip.id;
  if (!id) return;
  void request(`/sessions/${id}/effect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ effect: spec }),
  }).then(async (r) => (r.ok ? setState('live', `live, effect ${spec}`) : setState('error', `effect ${spec}: ${(await r.text()).trim()}`)));
};
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
    framewiseDemo: {
      start(): Promise<void>;
      stop(): void;
      reading(): typeof lastReading;
      latencies(): number[];
      state(): string;
      spec(): string;
      avatar(): (AvatarReading & { latencies: number[] }) | null;
    };
  }
}
window.framewiseDemo = {
  start,
  stop,
  reading: () => lastReading,
  latencies: () => latencies,
  state: () => ui.state.dataset.state ?? 'idle',
  spec: () => picker.spec(),
  avatar: () => (running ? { ...running.avatar.reading(), latencies: avatarLatencies } : null),
};

setState('idle', '');
picker.load(params.get('effect')).then(
  () => {
    if (params.has('autostart')) void start();
  },
  (err: unknown) => setState('error', err instanceof Error ? err.message : String(err)),
);
