import { type ChartSeries, escapeHtml, svgChart } from '../report/svg-chart.ts';
import type { ProbeReport } from './run-probe.ts';
import { requirementsFor, scope, type Scope, type UseCase } from './scope.ts';
import { type Category, decide, DEFAULT_THRESHOLDS } from './verdict.ts';

/** One target in a comparison, and whether it fits the use case's budget. */
export interface ComparedTarget {
  report: ProbeReport;
  /** The verdict again, under the use case's thresholds (null without a use case). */
  underUseCase: Category | null;
  /** True when that verdict is (at least) the category the use case needs; null without a use case. */
  fits: boolean | null;
  why: string;
}

/** Several targets probed alike, side by side. */
export interface Comparison {
  useCase: UseCase | null;
  scope: Scope | null;
  targets: ComparedTarget[];
}

/** LIVE satisfies a need for NEAR-LIVE, and either one a need for GENERATION. */
const RANK: Record<Category, number> = { LIVE: 3, 'NEAR-LIVE': 2, GENERATION: 1, INCONCLUSIVE: 0 };

/** Judge each report against a use case's budget (`framewise scope`), or only line them up. */
export function compareReports(reports: readonly ProbeReport[], useCase?: UseCase): Comparison {
  const s = useCase ? scope(requirementsFor(useCase, {})) : null;
  const targets = reports.map((report): ComparedTarget => {
    if (!s) return { report, underUseCase: null, fits: null, why: report.verdict.reasons[0] ?? '' };
    const thresholds = { ...DEFAULT_THRESHOLDS, ...report.thresholds, ...s.thresholds };
    const sustain = report.phases.find((p) => p.phase === 'sustain');
    let category: Category;
    let why: string;
    if (report.verdict.category === 'INCONCLUSIVE') {
      category = 'INCONCLUSIVE';
      why = report.verdict.reasons[0] ?? 'inconclusive';
    } else if (report.kind === 'job' || !sustain) {
      category = report.verdict.category;
      const playableS = (report.setup.warmFirstFrameMs ?? report.setup.coldFirstFrameMs ?? 0) / 1000;
      why = `a job API: a clip is playable after ${playableS.toFixed(1)} s`;
      if (s.category === 'GENERATION' && playableS * 1000 > s.requirements.budgetMs) category = 'INCONCLUSIVE';
    } else {
      const again = decide({ sustain, warmFirstFrameMs: report.setup.warmFirstFrameMs, coldFirstFrameMs: report.setup.coldFirstFrameMs }, thresholds);
      category = again.category;
      why = again.reasons[0] ?? '';
    }
    return { report, underUseCase: category, fits: RANK[category] >= RANK[s.category] && category !== 'INCONCLUSIVE', why };
  });
  return { useCase: useCase ?? null, scope: s, targets };
}

const PALETTE = ['#2563eb', '#d97706', '#15803d', '#9333ea', '#dc2626', '#0891b2', '#4b5563', '#be185d'];

/** A self-contained page: verdicts side by side, every target's latency CDF on one plot, and the use case's budget. */
export function renderComparisonHtml(c: Comparison): string {
  const series: ChartSeries[] = c.targets
    .filter((t) => t.report.kind === 'stream')
    .map((t, i) => {
      const sorted = t.report.samples
        .filter((s) => s.phase === 'sustain')
        .map((s) => s.latencyMs)
        .sort((a, b) => a - b);
      return {
        label: t.report.target.slice(0, 40),
        color: PALETTE[i % PALETTE.length] as string,
        kind: 'line' as const,
        points: sorted.map((l, k) => [l, ((k + 1) / sorted.length) * 100] as [number, number]),
      };
    });
  const budget = c.scope?.thresholds.liveP95Ms ?? c.scope?.thresholds.nearLiveP95Ms;
  const chart =
    series.length > 0
      ? svgChart({
          title: 'Latency distribution of each target (sustain phase)',
          xLabel: 'latency (ms)',
          yLabel: '% of frames at or below',
          width: 860,
          series,
          ...(budget !== undefined ? { marks: [{ x: budget, color: '#b91c1c' }] } : {}),
        })
      : '';
  const rows = c.targets.map((t) => {
    const r = t.report;
    const s = r.phases.find((p) => p.phase === 'sustain');
    const cells = [
      r.target,
      r.verdict.category,
      s ? `${s.latencyMs.p50.toFixed(0)} / ${s.latencyMs.p95.toFixed(0)}` : r.job?.realTimeFactor !== undefined ? `RTF ${r.job.realTimeFactor ?? '-'}` : '-',
      s ? `${s.medianFps}` : '-',
      s ? (s.lost === null ? 'unknown' : `${s.lost}`) : '-',
      s ? `${s.driftMsPerS.toFixed(2)}` : '-',
      r.verdict.flags.join('; ') || '-',
      c.scope ? `${t.fits ? 'fits' : 'does not fit'} (${t.underUseCase ?? '-'})` : '-',
    ];
    const colour = t.fits === null ? '' : t.fits ? ' style="background:#dcfce7"' : ' style="background:#fee2e2"';
    return `<tr${colour}>${cells.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`;
  });
  const scopeText = c.scope
    ? `<p>Use case <b>${escapeHtml(c.useCase ?? '')}</b> needs <b>${c.scope.category}</b> (${escapeHtml(c.scope.why)}); budget ${c.scope.requirements.budgetMs} ms glass to glass, so the probe allows p95 ${c.scope.thresholds.liveP95Ms ?? c.scope.thresholds.nearLiveP95Ms ?? '-'} ms and drift ${c.scope.thresholds.maxDriftMsPerS ?? '-'} ms/s. Each target's verdict is taken again under those thresholds.</p>`
    : '<p>No use case given: verdicts under the default thresholds (add <code>--use-case video-call</code> to judge against a budget).</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Framewise probe comparison</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:24px auto;padding:0 16px;color:#111827}
table{border-collapse:collapse;font-size:12px;margin:12px 0;width:100%} td,th{border:1px solid #d1d5db;padding:3px 6px;text-align:left;vertical-align:top} th{background:#f3f4f6}
.chart text{font:11px system-ui,sans-serif;fill:#374151} .chart .t{font-weight:600;font-size:13px} .chart .g{stroke:#e5e7eb}
</style></head><body>
<h1>${c.targets.length} targets compared</h1>
${scopeText}
<table><tr><th>target</th><th>verdict</th><th>p50 / p95 ms</th><th>median fps</th><th>dropped</th><th>drift ms/s</th><th>flags</th><th>use case</th></tr>
${rows.join('\n')}</table>
${chart}
<h2>Why</h2><ul>${c.targets.map((t) => `<li><b>${escapeHtml(t.report.target)}</b>: ${escapeHtml(t.why)}</li>`).join('')}</ul>
</body></html>
`;
}
