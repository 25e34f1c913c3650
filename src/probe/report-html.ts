import type { PhaseMetrics } from './analysis.ts';
import type { ProbeReport } from './run-probe.ts';
import { describeMatching } from './recorder.ts';
import { escapeHtml, svgChart } from '../report/svg-chart.ts';
import type { Category } from './verdict.ts';

const PHASE_COLORS: Record<string, string> = { warmup: '#9aa5b1', sustain: '#2563eb', overload: '#d97706' };
const CATEGORY_COLORS: Record<Category, string> = { LIVE: '#15803d', 'NEAR-LIVE': '#b45309', GENERATION: '#b91c1c', INCONCLUSIVE: '#6b7280' };

const MEANING: Record<Category, string> = {
  LIVE: 'Every frame came back within the live latency budget, at a steady latency that did not grow while the stream ran. This system can sit in a live video path (calls, avatars, coaching, broadcast effects).',
  'NEAR-LIVE':
    'The system keeps up with the stream, but with seconds of delay or in chunks. Fine for monitoring, captions or "almost live" playback; not for anything a person reacts to in real time.',
  GENERATION:
    'The system renders clips as jobs: its latency is in seconds or grows the longer the stream runs. Use it for content pipelines, not for live video.',
  INCONCLUSIVE: 'Too little could be measured to decide: the output could not be matched to the input frames, or too few frames came back.',
};

function phaseRow(p: PhaseMetrics): string {
  const cells = [
    p.phase,
    `${p.targetFps.toFixed(1)}`,
    `${p.durationS.toFixed(1)} s`,
    `${p.sent}`,
    `${p.received}`,
    p.lost === null ? 'unknown (no readable codes)' : `${p.lost}`,
    `${p.medianFps}`,
    `${p.latencyMs.p50.toFixed(1)}`,
    `${p.latencyMs.p95.toFixed(1)}`,
    `${p.latencyMs.p99.toFixed(1)}`,
    `${p.jitterMs.toFixed(1)}`,
    p.driftCi ? `${p.driftMsPerS.toFixed(2)} [${p.driftCi[0].toFixed(2)}, ${p.driftCi[1].toFixed(2)}]` : `${p.driftMsPerS.toFixed(2)} [too short]`,
    p.chunkPeriodS === null ? '-' : `${p.chunkPeriodS.toFixed(2)} s`,
    p.freezes.count === 0 ? '0' : `${p.freezes.count} (${(p.freezes.totalMs / 1000).toFixed(1)})`,
    p.gapMs.std.toFixed(1),
    `${(p.identifiedFraction * 100).toFixed(0)} %`,
  ];
  return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

function jobSection(report: ProbeReport): string {
  const job = report.job;
  if (!job) return '';
  const rows = job.submissions.map((j) => {
    const states = j.states.map((st) => `${st.state} at ${(st.atMs / 1000).toFixed(2)} s`).join(' → ');
    const cells = [
      `${j.index + 1}${j.index === 0 ? ' (cold)' : ''}`,
      states || '-',
      j.playableMs === null ? '-' : `${(j.playableMs / 1000).toFixed(2)} s`,
      j.realTimeFactor === null ? '-' : j.realTimeFactor.toFixed(2),
      `${j.framesIdentified}/${j.framesBack}`,
      j.error ?? '',
    ];
    return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  const chart = svgChart({
    title: 'Real-time factor per submitted clip',
    xLabel: 'submission',
    yLabel: 'time to playable result / clip length',
    series: [
      {
        label: 'real-time factor',
        color: '#b91c1c',
        kind: 'bars',
        points: job.submissions.map((j) => [j.index + 1, j.realTimeFactor ?? 0] as [number, number]),
      },
    ],
    rules: [{ y: 1, label: 'real time', color: '#15803d' }],
  });
  return `<h2>Jobs</h2><p>Each submission sent a ${job.clipDurationS} s clip (${job.clipFrames} frames with frame-ID codes) and followed the job's states until the result could be downloaded and played.</p>
<table><tr><th>clip</th><th>states</th><th>playable after</th><th>real-time factor</th><th>frames identified</th><th>error</th></tr>${rows.join('')}</table>${chart}`;
}

function streamSection(report: ProbeReport): string {
  const sustain = report.phases.find((p) => p.phase === 'sustain');
  const byPhase = ['warmup', 'sustain', 'overload'].map((phase) => ({
    label: phase,
    color: PHASE_COLORS[phase] as string,
    kind: 'dots' as const,
    points: report.samples.filter((s) => s.phase === phase).map((s) => [s.tS, s.latencyMs] as [number, number]),
  }));
  const sorted = report.samples
    .filter((s) => s.phase === 'sustain')
    .map((s) => s.latencyMs)
    .sort((a, b) => a - b);
  const cdf = sorted.map((l, i) => [l, ((i + 1) / sorted.length) * 100] as [number, number]);
  let offset = 0;
  const fpsBars = report.phases.map((p) => {
    const bars = p.windows.map((w) => [offset + w.startS + 0.5, w.fps] as [number, number]);
    offset += p.windows.length;
    return { label: `${p.phase} fps`, color: PHASE_COLORS[p.phase] as string, kind: 'bars' as const, points: bars };
  });
  const maxLatency = Math.max(1, ...report.samples.map((s) => s.latencyMs));
  const charts = [
    svgChart({
      title: 'Latency of every matched frame over time',
      xLabel: 'time since the first frame was due (s)',
      yLabel: 'latency (ms)',
      series: byPhase,
      rules: [{ y: report.thresholds.liveP95Ms, label: `live p95 limit ${report.thresholds.liveP95Ms} ms`, color: '#b91c1c' }].filter(
        (r) => r.y <= maxLatency * 3,
      ),
    }),
    svgChart({
      title: 'Latency distribution (sustain phase)',
      xLabel: 'latency (ms)',
      yLabel: '% of frames at or below',
      series: [{ label: 'CDF', color: '#2563eb', kind: 'line', points: cdf }],
    }),
    svgChart({
      title: 'Frames returned per second',
      xLabel: 'second of the run (warm-up, sustain, overload)',
      yLabel: 'fps',
      series: fpsBars,
      rules: [{ y: report.stimulus.fps, label: `sent at ${report.stimulus.fps} fps`, color: '#111827' }],
    }),
  ];
  return `<h2>Measurements</h2>
<table><tr><th>phase</th><th>fps sent</th><th>length</th><th>sent</th><th>received</th><th>dropped</th><th>median fps</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>jitter ms</th><th>drift ms/s [95 %]</th><th>chunks</th><th>freezes (s)</th><th>gap sd ms</th><th>matched</th></tr>
${report.phases.map(phaseRow).join('\n')}</table>
${report.matching ? `<p><b>Matching</b>: ${escapeHtml(describeMatching(report.matching))}.</p>` : ''}
<p class="muted">Latency counts from when each frame was due to be sent to when it came back, matched by the frame-ID code burned into its pixels (or, when the code did not survive, by the beacon flashes: pulses of whole-picture change, whatever the system does to colours or geometry, tied to the flash schedule by a chain of consistent latencies). Drift is the Theil-Sen slope of per-second median latency; a live system stays near 0, a queue grows. ${sustain ? `The verdict uses the sustain phase (${sustain.durationS} s).` : ''}</p>
${charts.join('\n')}`;
}

/** A self-contained HTML report: the verdict in plain words, the numbers that decided it, and the plots. */
export function renderReportHtml(report: ProbeReport): string {
  const v = report.verdict;
  const s = report.setup;
  const setup =
    report.kind === 'job'
      ? `<li>job accepted after ${s.readyMs} ms</li><li>first result playable (cold): ${s.coldFirstFrameMs === null ? 'none' : `${(s.coldFirstFrameMs / 1000).toFixed(2)} s`}</li><li>first result playable (warm): ${s.warmFirstFrameMs === null ? 'not measured' : `${(s.warmFirstFrameMs / 1000).toFixed(2)} s`}</li>`
      : `<li>ready after ${s.readyMs} ms</li><li>first frame back (cold start): ${s.coldFirstFrameMs === null ? 'none' : `${s.coldFirstFrameMs} ms`}</li><li>first frame back (warm start): ${s.warmFirstFrameMs === null ? 'not measured' : `${s.warmFirstFrameMs} ms`}</li>${report.refused > 0 ? `<li>${report.refused} frames could not be sent (the target's input was full)</li>` : ''}${webrtcItem(report)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Framewise probe: ${escapeHtml(report.target)} is ${v.category}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:780px;margin:24px auto;padding:0 16px;color:#111827}
h1{font-size:22px;margin:0 0 4px} .verdict{font-size:40px;font-weight:700;color:${CATEGORY_COLORS[v.category]};margin:8px 0}
table{border-collapse:collapse;font-size:11px;margin:12px 0;width:100%} td,th{border:1px solid #d1d5db;padding:3px 6px;text-align:right} th{background:#f3f4f6}
.chart text{font:11px system-ui,sans-serif;fill:#374151} .chart .t{font-weight:600;font-size:13px} .chart .g{stroke:#e5e7eb}
.muted{color:#6b7280;font-size:13px} li{margin:2px 0}
</style></head><body>
<h1>Probe of <code>${escapeHtml(report.target)}</code></h1>
<div class="muted">${escapeHtml(report.startedAt)} · stimulus ${report.stimulus.width}x${report.stimulus.height} at ${report.stimulus.fps} fps with frame-ID codes${report.kind === 'stream' ? ' and a beacon flash' : ''}</div>
<div class="verdict">${v.category}</div>
<p>${escapeHtml(MEANING[v.category])}</p>
<h2>Why</h2><ul>${v.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
${v.flags.length > 0 ? `<h2>Also</h2><ul>${v.flags.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` : ''}
<h2>Setup</h2><ul>${setup}</ul>
${report.kind === 'job' ? jobSection(report) : streamSection(report)}
</body></html>
`;
}

/** One list item with the WebRTC receiver's own view, for WHIP targets. */
function webrtcItem(report: ProbeReport): string {
  const w = report.webrtc;
  if (!w) return '';
  const jitter = w.jitterBufferDelayMeanMs === null ? '-' : `${w.jitterBufferDelayMeanMs.toFixed(1)} ms`;
  return `<li>WebRTC receiver (${escapeHtml(w.codec ?? 'unknown codec')}): mean jitter buffer delay ${jitter}, ${w.framesDropped} frames dropped by the decoder, ${w.freezeCount ?? 'no'} freezes reported, ${w.packetsLost} packets lost</li>`;
}
