import type { PipelineStats } from '../core/stats.ts';

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** A short human summary of a run's measurements. */
export function formatStats(stats: PipelineStats, mode: 'live' | 'render'): string {
  const l = stats.latencyMs;
  const drops = Object.entries(stats.dropsByReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const lines = [
    `mode        ${mode}`,
    `frames      ${stats.framesIn} in, ${stats.framesOut} out, ${stats.dropped} dropped${drops ? ` (${drops})` : ''}`,
    `duration    ${fmt(stats.durationS, 2)} s`,
    `fps         ${fmt(stats.fpsIn)} in, ${fmt(stats.fpsOut)} out`,
    `latency ms  p50 ${fmt(l.p50)}  p95 ${fmt(l.p95)}  p99 ${fmt(l.p99)}  max ${fmt(l.max)}  (${l.count} frames)`,
    `drift       ${fmt(stats.driftMsPerS, 2)} ms/s${mode === 'live' ? (Math.abs(stats.driftMsPerS) <= 2 ? ' (flat)' : ' (latency is moving: check the stage times)') : ''}`,
  ];
  for (const s of stats.stages) lines.push(`stage       ${s.name}: p50 ${fmt(s.p50, 2)} ms  p95 ${fmt(s.p95, 2)} ms  p99 ${fmt(s.p99, 2)} ms`);
  return lines.join('\n');
}
