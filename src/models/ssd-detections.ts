/**
 * Decoding for MediaPipe's single-shot detectors (BlazeFace, the BlazePose detector): SSD anchors, box and keypoint
 * regression relative to each anchor, sigmoid scores, and weighted non-maximum suppression, as MediaPipe's
 * SsdAnchorsCalculator, TensorsToDetectionsCalculator and NonMaxSuppressionCalculator define them.
 */

/** An anchor centre in normalised input coordinates (all anchors here have a fixed size of 1). */
export interface Anchor {
  x: number;
  y: number;
}

/** A detection in normalised input coordinates (0-1 across the model's input square). */
export interface RawDetection {
  score: number;
  xMin: number;
  yMin: number;
  width: number;
  height: number;
  /** Keypoints as [x0, y0, x1, y1, ...]. */
  keypoints: number[];
}

/**
 * Anchors for layers with these strides; consecutive layers of one stride share a grid (`perLayer` anchors per layer:
 * 2 when MediaPipe's interpolated scale adds one, 1 when it is off, as in BlazeFace full range).
 */
export function ssdAnchors(inputSize: number, strides: readonly number[], perLayer = 2): Anchor[] {
  const anchors: Anchor[] = [];
  for (let layer = 0; layer < strides.length;) {
    const stride = strides[layer] as number;
    let perCell = 0;
    while (layer < strides.length && strides[layer] === stride) {
      perCell += perLayer;
      layer++;
    }
    const grid = Math.ceil(inputSize / stride);
    for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) for (let k = 0; k < perCell; k++) anchors.push({ x: (x + 0.5) / grid, y: (y + 0.5) / grid });
  }
  return anchors;
}

/** How to read one detector's output rows. */
export interface SsdDecodeOptions {
  /** Regression scale (the model's input size). */
  scale: number;
  keypoints: number;
  minScore: number;
  /** Column of the score in a row, and the column where the box starts (then keypoints follow). */
  scoreColumn: number;
  boxColumn: number;
}

function sigmoid(v: number): number {
  const clipped = v < -100 ? -100 : v > 100 ? 100 : v;
  return 1 / (1 + Math.exp(-clipped));
}

/** Rows of `data` (one per anchor, `stride` values each) -> detections above the minimum score. */
export function decodeSsd(data: Float32Array, anchors: readonly Anchor[], options: SsdDecodeOptions): RawDetection[] {
  const stride = data.length / anchors.length;
  const out: RawDetection[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const row = i * stride;
    const score = sigmoid(data[row + options.scoreColumn] as number);
    if (score < options.minScore) continue;
    const a = anchors[i] as Anchor;
    const b = row + options.boxColumn;
    const xc = (data[b] as number) / options.scale + a.x;
    const yc = (data[b + 1] as number) / options.scale + a.y;
    const w = (data[b + 2] as number) / options.scale;
    const h = (data[b + 3] as number) / options.scale;
    const keypoints: number[] = [];
    for (let k = 0; k < options.keypoints; k++) {
      keypoints.push((data[b + 4 + k * 2] as number) / options.scale + a.x, (data[b + 5 + k * 2] as number) / options.scale + a.y);
    }
    out.push({ score, xMin: xc - w / 2, yMin: yc - h / 2, width: w, height: h, keypoints });
  }
  return out;
}

/** Intersection over union of two boxes. */
export function iou(a: RawDetection, b: RawDetection): number {
  const x0 = Math.max(a.xMin, b.xMin);
  const y0 = Math.max(a.yMin, b.yMin);
  const x1 = Math.min(a.xMin + a.width, b.xMin + b.width);
  const y1 = Math.min(a.yMin + a.height, b.yMin + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Weighted non-maximum suppression: detections overlapping the best remaining one by more than `threshold` are
 * merged into it, box and keypoints averaged by score; the merged detection keeps the best score.
 */
export function weightedNms(detections: readonly RawDetection[], threshold: number, maxDetections = Infinity): RawDetection[] {
  let remaining = [...detections].sort((a, b) => b.score - a.score);
  const out: RawDetection[] = [];
  while (remaining.length > 0 && out.length < maxDetections) {
    const best = remaining[0] as RawDetection;
    const rest = remaining.slice(1);
    const cluster = [best, ...rest.filter((d) => iou(best, d) > threshold)];
    remaining = rest.filter((d) => iou(best, d) <= threshold);
    const total = cluster.reduce((s, d) => s + d.score, 0);
    const avg = (f: (d: RawDetection) => number): number => cluster.reduce((s, d) => s + f(d) * d.score, 0) / total;
    out.push({
      score: best.score,
      xMin: avg((d) => d.xMin),
      yMin: avg((d) => d.yMin),
      width: avg((d) => d.width),
      height: avg((d) => d.height),
      keypoints: best.keypoints.map((_, k) => avg((d) => d.keypoints[k] as number)),
    });
  }
  return out;
}
