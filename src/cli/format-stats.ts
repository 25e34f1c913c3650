import type { PipelineStats } from '../core/stats.ts';

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** A short human summary of a run's measurements. */
export function formatStats(
  stats: PipelineStats,
  mode: 'live' | 'render',
  decoderReorderMs: { p50: number; p95: number; counted: boolean } | null = null,
): string {
  const l = stats.latencyMs;
  const drops = Object.entries(stats.dropsByReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const lines = [
    `mode        ${mode}`,
    `frames      ${stats.framesIn} in, ${stats.framesOut} out, ${stats.dropped} dropped${drops ? ` (${drops})` : ''}`,
    ...(stats.dropped > 0
      ? [
          `dropped at  ${Object.entries(stats.dropsByStage)
            .map(([stage, n]) => `${stage} ${n}`)
            .join(', ')}`,
        ]
      : []),
    `duration    ${fmt(stats.durationS, 2)} s`,
    `fps         ${fmt(stats.fpsIn)} in, ${fmt(stats.fpsOut)} out`,
    `latency ms  p50 ${fmt(l.p50)}  p95 ${fmt(l.p95)}  p99 ${fmt(l.p99)}  max ${fmt(l.max)}  (${l.count} frames)`,
    `drift       ${fmt(stats.driftMsPerS, 2)} ms/s${mode === 'live' ? (Math.abs(stats.driftMsPerS) <= 2 ? ' (flat)' : ' (latency is moving: check the stage times)') : ''}`,
  ];
  if (decoderReorderMs && decoderReorderMs.p95 > 0)
    lines.push(
      `decoder     B-frame reorder delay p50 ${fmt(decoderReorderMs.p50)} ms  p95 ${fmt(decoderReorderMs.p95)} ms (${decoderReorderMs.counted ? 'counted in latency: packets are released at their decode time' : 'not in latency: pictures are released at their presentation time, as a camera gives them; --pacing packet counts it'})`,
    );
  for (const s of stats.stages) lines.push(`stage       ${s.name}: p50 ${fmt(s.p50, 2)} ms  p95 ${fmt(s.p95, 2)} ms  p99 ${fmt(s.p99, 2)} ms`);
  return lines.join('\n');
}
