/** A series on a chart: dots (scatter), a line, or bars. */
export interface ChartSeries {
  label: string;
  color: string;
  kind: 'dots' | 'line' | 'bars';
  points: [number, number][];
}

/** A horizontal reference line (a threshold or the target rate). */
export interface ChartRule {
  y: number;
  label: string;
  color: string;
}

/** A shaded stretch of the x axis (a chosen clip), with a label at its top. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  rules?: ChartRule[];
  bands?: ChartBand[];
  /** Vertical marks across the plot (shot boundaries). */
  marks?: { x: number; color: string }[];
  /** Fixed top of the y axis (default: from the data). */
  yMax?: number;
  width?: number;
  height?: number;
}

/** Escape text for HTML and SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

/** A self-contained SVG chart with axes, ticks, a legend and optional reference lines. */
export function svgChart(spec: ChartSpec): string {
  const W = spec.width ?? 720;
  const H = spec.height ?? 260;
  const m = { left: 64, right: 16, top: 28, bottom: 44 };
  const all = spec.series.flatMap((s) => s.points);
  const xMax = niceMax(Math.max(1e-9, ...all.map((p) => p[0]), ...(spec.bands ?? []).map((b) => b.to)));
  const yMax = spec.yMax ?? niceMax(Math.max(1e-9, ...all.map((p) => p[1]), ...(spec.rules ?? []).map((r) => r.y)));
  const x = (v: number): number => m.left + (v / xMax) * (W - m.left - m.right);
  const y = (v: number): number => H - m.bottom - (v / yMax) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<text x="${m.left}" y="16" class="t">${escapeHtml(spec.title)}</text>`);
  for (const b of spec.bands ?? []) {
    const x0 = x(b.from);
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${m.top}" width="${Math.max(1, x(b.to) - x0).toFixed(1)}" height="${H - m.top - m.bottom}" fill="${b.color}" opacity="0.18"/><text x="${(x0 + 2).toFixed(1)}" y="${m.top + 22}" fill="${b.color}">${escapeHtml(b.label)}</text>`,
    );
  }
  for (const mark of spec.marks ?? [])
    parts.push(
      `<line x1="${x(mark.x).toFixed(1)}" x2="${x(mark.x).toFixed(1)}" y1="${m.top}" y2="${H - m.bottom}" stroke="${mark.color}" stroke-dasharray="2 3"/>`,
    );
  for (let i = 0; i <= 4; i++) {
    const yv = (yMax * i) / 4;
    const xv = (xMax * i) / 4;
    parts.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${y(yv)}" y2="${y(yv)}" class="g"/><text x="${m.left - 6}" y="${y(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`,
    );
    parts.push(`<text x="${x(xv)}" y="${H - m.bottom + 16}" text-anchor="middle">${fmt(xv)}</text>`);
  }
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`);
  for (const s of spec.series) {
    if (s.kind === 'dots') parts.push(...s.points.map(([px, py]) => `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="1.6" fill="${s.color}"/>`));
    if (s.kind === 'line' && s.points.length > 0) {
      const d = s.points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
    }
    if (s.kind === 'bars') {
      // Bars are one x unit wide (one second), centred on their point.
      const bw = Math.max(1, ((W - m.left - m.right) / xMax) * 0.85);
      parts.push(
        ...s.points.map(
          ([px, py]) =>
            `<rect x="${(x(px) - bw / 2).toFixed(1)}" y="${y(py).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(py)).toFixed(1)}" fill="${s.color}"/>`,
        ),
      );
    }
  }
  for (const r of spec.rules ?? []) {
    parts.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${y(r.y)}" y2="${y(r.y)}" stroke="${r.color}" stroke-dasharray="5 4"/><text x="${W - m.right - 4}" y="${y(r.y) - 4}" text-anchor="end" fill="${r.color}">${escapeHtml(r.label)}</text>`,
    );
  }
  // Each legend entry as wide as its label (about 6.5 px a character at 11 px), at least 130 px.
  let legendX = m.left + 8;
  const legend = spec.series.map((s) => {
    const at = legendX;
    legendX += Math.max(130, 24 + s.label.length * 6.5);
    return `<rect x="${at}" y="${m.top - 6}" width="10" height="10" fill="${s.color}"/><text x="${at + 14}" y="${m.top + 3}">${escapeHtml(s.label)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" class="chart">${parts.join('')}${legend.join('')}</svg>`;
}
