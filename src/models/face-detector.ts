import type { Frame } from '../core/frame.ts';
import type { InferenceModel } from './inference-model.ts';
import { letterboxRoi, roiToFrame, roiToTensor, type Point, type Roi } from './roi.ts';
import { decodeSsd, ssdAnchors, weightedNms, type RawDetection } from './ssd-detections.ts';
import { loadRuntimeModel, type ModelWrapperOptions } from './model-runtime.ts';

/** A face in frame pixels. Keypoints: right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion (the person's right and left). */
export interface FaceDetection {
  score: number;
  box: { xMin: number; yMin: number; width: number; height: number };
  keypoints: Point[];
}

/** Options of `FaceDetector.load`. */
export interface FaceDetectorOptions extends ModelWrapperOptions {
  modelsDir?: string;
  /** Faces scoring below this are ignored (default 0.5, MediaPipe's). */
  minScore?: number;
  /** Overlap above which detections merge (default 0.3). */
  suppressionThreshold?: number;
  /** `short` (default): faces within ~2 m of the camera; `full`: faces up to ~5 m, group photos (a bigger model). */
  range?: FaceRange;
}

/** Which BlazeFace model: short range (a webcam) or full range (people far from the camera). */
export type FaceRange = 'short' | 'full';

/** Each BlazeFace's input size and anchor layout, as MediaPipe's face detection graphs configure them. */
const RANGES: Record<FaceRange, { model: string; size: number; strides: readonly number[]; perLayer: number; minScore: number }> = {
  short: { model: 'face-detector', size: 128, strides: [8, 16, 16, 16], perLayer: 2, minScore: 0.5 },
  full: { model: 'face-detector-full', size: 192, strides: [4], perLayer: 1, minScore: 0.6 },
};

/**
 * Face detection with MediaPipe's BlazeFace (short range: 128x128, 896 anchors; full range: 192x192, 2304 anchors):
 * the frame is letterboxed to the model's input, boxes and keypoints are regressed from the anchors, and overlapping
 * detections are merged by weighted non-maximum suppression.
 */
export class FaceDetector {
  private readonly anchors: ReturnType<typeof ssdAnchors>;
  private readonly size: number;

  private constructor(
    private readonly model: InferenceModel,
    private readonly minScore: number,
    private readonly threshold: number,
    readonly range: FaceRange,
  ) {
    const config = RANGES[range];
    this.size = config.size;
    this.anchors = ssdAnchors(config.size, config.strides, config.perLayer);
  }

  /** Build (on first use) and load the model. */
  static async load(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
    const range = options.range ?? 'short';
    const config = RANGES[range];
    return new FaceDetector(await loadRuntimeModel(config.model, options), options.minScore ?? config.minScore, options.suppressionThreshold ?? 0.3, range);
  }

  /** Which execution provider runs the model. */
  get provider(): string {
    return this.model.provider;
  }

  /** The faces in `frame` (or in `roi` of it), best first. */
  async detect(frame: Frame, roi: Roi = letterboxRoi(frame)): Promise<FaceDetection[]> {
    roiToTensor(frame, roi, this.model.inputData, this.size, this.size, [-1, 1]);
    const output = await this.model.run();
    const data = output[this.model.outputNames[0] ?? '']?.data ?? new Float32Array();
    const raw = decodeSsd(data, this.anchors, { scale: this.size, keypoints: 6, minScore: this.minScore, scoreColumn: 0, boxColumn: 1 });
    return weightedNms(raw, this.threshold).map((d) => toFrame(d, roi));
  }

  close(): Promise<void> {
    return this.model.close();
  }
}

/** A detection in the ROI's normalised coordinates -> frame pixels (an axis-aligned box around the turned one). */
export function toFrame(d: RawDetection, roi: Roi): FaceDetection {
  const corners = [
    roiToFrame(roi, d.xMin, d.yMin),
    roiToFrame(roi, d.xMin + d.width, d.yMin),
    roiToFrame(roi, d.xMin, d.yMin + d.height),
    roiToFrame(roi, d.xMin + d.width, d.yMin + d.height),
  ];
  const xs = corners.map((c) => c.x);
  const ys = corners.map((c) => c.y);
  const xMin = Math.min(...xs);
  const yMin = Math.min(...ys);
  const keypoints: Point[] = [];
  for (let k = 0; k + 1 < d.keypoints.length; k += 2) keypoints.push(roiToFrame(roi, d.keypoints[k] as number, d.keypoints[k + 1] as number));
  return { score: d.score, box: { xMin, yMin, width: Math.max(...xs) - xMin, height: Math.max(...ys) - yMin }, keypoints };
}
