import { LatencyMeter, type MeterReading } from './latency-meter.ts';
import { type LinkStats, linkStats } from './rtc-stats.ts';
import { FrameStamper } from './stamper.ts';
import { WhipSession } from './whip-session.ts';

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
  local: element<HTMLVideoElement>('local'),
  remote: element<HTMLVideoElement>('remote'),
};

interface Running {
  camera: MediaStream;
  stamper: FrameStamper;
  whip: WhipSession;
  meter: LatencyMeter;
  timer: number;
}

let running: Running | null = null;
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

async function loadEffects(): Promise<void> {
  const response = await fetch('/effects');
  const { default: fallback, effects } = (await response.json()) as {
    default: string;
    effects: { name: string; usage: string; summary: string; argument: { name: string; required: boolean; help: string } | null }[];
  };
  for (const effect of effects) {
    if (effect.argument?.required) continue;
    const option = new Option(effect.name, effect.name);
    option.title = `${effect.usage}: ${effect.summary}`;
    ui.effect.add(option);
  }
  // An effect with arguments asked for in the URL (blur:32, replace:green) gets its own entry.
  const wanted = params.get('effect') ?? fallback;
  if (![...ui.effect.options].some((o) => o.value === wanted)) ui.effect.add(new Option(wanted, wanted));
  ui.effect.value = wanted;
}

async function start(): Promise<void> {
  if (running) return;
  ui.start.disabled = true;
  setStatus('opening camera');
  try {
    const camera = await navigator.mediaDevices.getUserMedia({ video: { width: WIDTH, height: HEIGHT, frameRate: 30 }, audio: false });
    ui.local.srcObject = camera;
    const stamper = new FrameStamper(ui.local, WIDTH, HEIGHT);
    const whip = new WhipSession(WHIP_URL ?? `${location.origin}/whip?effect=${encodeURIComponent(ui.effect.value)}`, token);
    setStatus('connecting');
    await whip.start(stamper.track);
    ui.remote.srcObject = await whip.remote;
    const meter = new LatencyMeter(ui.remote, stamper);
    const timer = window.setInterval(() => void tick(), 1000);
    running = { camera, stamper, whip, meter, timer };
    latencies = [];
    whip.pc.addEventListener('connectionstatechange', () => {
      if (whip.pc.connectionState === 'failed') setStatus('connection failed', true);
    });
    ui.stop.disabled = false;
    setStatus(`live, session ${whip.id ?? '?'}`);
  } catch (err) {
    setStatus(err instanceof Error ? err.message : String(err), true);
    ui.start.disabled = false;
  }
}

async function tick(): Promise<void> {
  if (!running) return;
  const { meter, whip } = running;
  const reading = meter.tick();
  const samples = meter.takeSamples();
  latencies.push(...samples);
  if (latencies.length > 20_000) latencies = latencies.slice(-10_000);
  let serverP95Ms: number | null = null;
  if (whip.id && !WHIP_URL) {
    if (samples.length > 0) {
      await fetch(`/sessions/${whip.id}/glass-to-glass`, {
        method: 'POST',
        headers: authHeaders({ 'content-type': 'application/json' }),
        body: JSON.stringify({ samplesMs: samples }),
      });
    }
    const info = await fetch(`/sessions/${whip.id}`).then((r) => (r.ok ? (r.json() as Promise<{ stats: { latencyMs: { p95: number } } }>) : null));
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
  const { camera, stamper, whip, meter, timer } = running;
  running = null;
  window.clearInterval(timer);
  meter.stop();
  whip.stop();
  stamper.stop();
  for (const track of camera.getTracks()) track.stop();
  ui.local.srcObject = null;
  ui.remote.srcObject = null;
  ui.start.disabled = false;
  ui.stop.disabled = true;
  setStatus('stopped');
}

ui.start.addEventListener('click', () => void start());
ui.stop.addEventListener('click', stop);
ui.effect.addEventListener('change', () => {
  const id = running?.whip.id;
  if (!id) return;
  void fetch(`/sessions/${id}/effect`, {
    method: 'POST',
    headers: authHeaders({ 'content-type': 'application/json' }),
    body: JSON.stringify({ effect: ui.effect.value }),
  }).then(async (r) => setStatus(r.ok ? `effect: ${ui.effect.value}` : await r.text(), !r.ok));
});
// Leaving the page ends the session at once (DELETE with keepalive) instead of waiting for the server to notice.
window.addEventListener('pagehide', stop);

declare global {
  interface Window {
    framewiseDemo: { start(): Promise<void>; stop(): void; reading(): typeof lastReading; latencies(): number[] };
  }
}
window.framewiseDemo = { start, stop, reading: () => lastReading, latencies: () => latencies };

void loadEffects().then(() => {
  if (params.has('autostart')) void start();
});
