import type { Frame } from '../core/frame.ts';
import type { OnnxModel, OnnxModelOptions } from './onnx-model.ts';
import { letterboxRoi, roiToFrame, roiToTensor, type Point, type Roi } from './roi.ts';
import { decodeSsd, ssdAnchors, weightedNms, type RawDetection } from './ssd-detections.ts';
import { loadZooModel } from './zoo.ts';

/** A face in frame pixels. Keypoints: right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion (the person's right and left). */
export interface FaceDetection {
  score: number;
  box: { xMin: number; yMin: number; width: number; height: number };
  keypoints: Point[];
}

/** Options of `FaceDetector.load`. */
export interface FaceDetectorOptions extends OnnxModelOptions {
  modelsDir?: string;
  /** Faces scoring below this are ignored (default 0.5, MediaPipe's). */
  minScore?: number;
  /** Overlap above which detections merge (default 0.3). */
  suppressionThreshold?: number;
}

const SIZE = 128;

/**
 * Face detection with MediaPipe's BlazeFace short-range model: the frame is letterboxed to 128x128, boxes and
 * keypoints are regressed from 896 anchors, and overlapping detections are merged by weighted non-maximum
 * suppression. Made for faces within about 2 m of a camera.
 */
export class FaceDetector {
  private readonly anchors = ssdAnchors(SIZE, [8, 16, 16, 16]);

  private constructor(
    private readonly model: OnnxModel,
    private readonly minScore: number,
    private readonly threshold: number,
  ) {}

  /** Build (on first use) and load the model. */
  static async load(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
    return new FaceDetector(await loadZooModel('face-detector', options), options.minScore ?? 0.5, options.suppressionThreshold ?? 0.3);
  }

  /** Which execution provider runs the model. */
  get provider(): string {
    return this.model.provider;
  }

  /** The faces in `frame` (or in `roi` of it), best first. */
  async detect(frame: Frame, roi: Roi = letterboxRoi(frame)): Promise<FaceDetection[]> {
    roiToTensor(frame, roi, this.model.inputData, SIZE, SIZE, [-1, 1]);
    const output = await this.model.run();
    const data = output[this.model.outputNames[0] ?? '']?.data ?? new Float32Array();
    const raw = decodeSsd(data, this.anchors, { scale: SIZE, keypoints: 6, minScore: this.minScore, scoreColumn: 0, boxColumn: 1 });
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
