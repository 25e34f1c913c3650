import { type ChartSeries, escapeHtml, svgChart } from '../report/svg-chart.ts';
import type { HighlightsReport } from './report.ts';
import { SIGNALS, type SignalName } from './signals.ts';

const COLORS: Record<SignalName | 'score', string> = { score: '#111827', motion: '#2563eb', audio: '#d97706', people: '#15803d', pose: '#9333ea' };
const CLIP_COLOR = '#dc2626';

const EXPLAIN: Record<SignalName, (r: HighlightsReport) => string> = {
  motion: (r) =>
    `mean absolute luma change between pictures (on a 64-pixel-wide copy); 0 at this video's 10th percentile (${r.normalisation.motion.zero.toFixed(4)}), 1 at ${r.normalisation.motion.one.toFixed(4)} (its 95th percentile)`,
  audio: (r) =>
    r.normalisation.audio
      ? `EBU R128 momentary loudness, peak of each second; 0 at ${r.normalisation.audio.zero.toFixed(1)} LUFS (3 LU under this video's 20th percentile, at least -50), 1 at ${r.normalisation.audio.one.toFixed(1)} LUFS`
      : 'not measured (no audio, or left out)',
  people: (r) => `people the object detector finds in pictures sampled at ${r.modelFps} per second; 1 at ${r.normalisation.people.one} or more`,
  pose: (r) => `how fast the main person's body moves (BlazePose lite landmarks between samples), in body heights per second; 1 at ${r.normalisation.pose.one}`,
};

/** A self-contained page explaining a highlights run: the timeline plot, each clip's score, and the rules. */
export function renderHighlightsHtml(report: HighlightsReport): string {
  const measured = SIGNALS.filter((name) => report.seconds.some((s) => s.signals[name] !== null));
  const series: ChartSeries[] = [
    ...measured.map((name): ChartSeries => ({
      label: `${name} (w ${report.weights[name].toFixed(2)})`,
      color: COLORS[name],
      kind: 'line',
      points: report.seconds.map((s) => [s.t + 0.5, s.signals[name] ?? 0]),
    })),
    { label: 'score', color: COLORS.score, kind: 'line', points: report.seconds.map((s) => [s.t + 0.5, s.score]) },
  ];
  const chart = svgChart({
    title: 'Score per second, its signals, shots and the chosen clips',
    xLabel: 'media time, s',
    yLabel: 'normalised 0..1',
    width: 960,
    height: 320,
    yMax: 1,
    series,
    bands: report.clips.map((c, i) => ({ from: c.startS, to: c.endS, label: `#${i + 1}`, color: CLIP_COLOR })),
    marks: report.shots.slice(1).map((s) => ({ x: s.startS, color: '#6b7280' })),
  });
  const clipRows = report.clips.map((c, i) => {
    const cells = [
      `#${i + 1}`,
      `${c.startS.toFixed(1)}-${c.endS.toFixed(1)} s`,
      `${c.coreStartS}-${c.coreEndS} s`,
      `${c.reelStartS.toFixed(1)} s`,
      `${c.lengthS.toFixed(1)} s`,
      `${c.shot + 1}`,
      c.score.toFixed(2),
      `${c.peakS} s`,
      c.why,
    ];
    return `<tr>${cells.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`;
  });
  const rules = SIGNALS.map(
    (name) =>
      `<li><b>${name}</b> (weight ${report.weights[name].toFixed(2)}${measured.includes(name) ? '' : ', not measured'}): ${escapeHtml(EXPLAIN[name](report))}</li>`,
  );
  const t = report.timings;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Highlights of ${escapeHtml(report.input)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827;max-width:1000px}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #d1d5db;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}.chart text{font:11px system-ui,sans-serif;fill:#374151}.chart .t{font-weight:600;font-size:13px}.chart .g{stroke:#e5e7eb}
.summary{font-size:16px}
</style></head><body>
<h1>Highlights of ${escapeHtml(report.input)}</h1>
<p class="summary">${report.clips.length} clips, ${report.reelS.toFixed(1)} s of ${report.targetS} s asked for, from ${report.durationS.toFixed(1)} s of ${report.width}x${report.height} video in ${report.shots.length} shot(s).
Analysed and rendered in ${t.totalS.toFixed(1)} s (real-time factor ${t.realTimeFactor.toFixed(2)}: analysis ${t.analysisS.toFixed(1)} s, render ${t.renderS.toFixed(1)} s).</p>
${chart}
<h2>Clips</h2>
<table><tr><th></th><th>plays</th><th>chosen core</th><th>in the reel at</th><th>length</th><th>shot</th><th>score</th><th>peak</th><th>why (signal mean, share of the score)</th></tr>
${clipRows.join('\n')}</table>
<h2>How seconds are scored</h2>
<p>Each second gets each measured signal in 0..1, and its score is their weighted mean (weights of signals not measured drop out):</p>
<ul>${rules.join('\n')}</ul>
<p>Clips are chosen by a knapsack over the shots: every clip lies inside one shot, and the set with the largest total score above the minimum fills the target length with each clip's margins counted. Each clip then starts and ends at the calmest moment within its margin, so it does not cut into an action.</p>
</body></html>
`;
}
