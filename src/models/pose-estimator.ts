import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { toFrame } from './face-detector.ts';
import type { InferenceModel } from './inference-model.ts';
import { alignedRoi } from './roi-from-points.ts';
import { RoiTracker, type Tracked } from './roi-tracker.ts';
import { letterboxRoi, roiToFrame, roiToTensor, type Point, type Roi } from './roi.ts';
import { decodeSsd, ssdAnchors, weightedNms } from './ssd-detections.ts';
import { loadRuntimeModel, type ModelWrapperOptions } from './model-runtime.ts';

/** One body landmark in frame pixels, with the model's confidence that it is visible and inside the frame. */
export interface PoseLandmark {
  x: number;
  y: number;
  /** Depth relative to the hips, same scale as x (smaller is closer to the camera). */
  z: number;
  visibility: number;
  presence: number;
}

/** The pose of one person. */
export interface Pose {
  /** 33 landmarks in BlazePose order (0 nose ... 11/12 shoulders, 23/24 hips, 27/28 ankles ...). */
  landmarks: PoseLandmark[];
  /** Probability that the crop held a person. */
  score: number;
  roi: Roi;
}

/** BlazePose landmark names, in model order. */
export const POSE_LANDMARKS = [
  'nose',
  'left_eye_inner',
  'left_eye',
  'left_eye_outer',
  'right_eye_inner',
  'right_eye',
  'right_eye_outer',
  'left_ear',
  'right_ear',
  'mouth_left',
  'mouth_right',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_pinky',
  'right_pinky',
  'left_index',
  'right_index',
  'left_thumb',
  'right_thumb',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
  'left_heel',
  'right_heel',
  'left_foot_index',
  'right_foot_index',
] as const;

/** Options of `PoseEstimator.load`. */
export interface PoseEstimatorOptions extends ModelWrapperOptions {
  modelsDir?: string;
  /** Follow the person from the previous frame's landmarks (video; default true). */
  track?: boolean;
  /** Below this the person counts as lost and the detector runs again (default 0.5). */
  minPresence?: number;
  /** Landmark model: 'full' (default) or 'lite' (about half the cost, less precise). */
  variant?: 'full' | 'lite';
}

const DETECTOR_SIZE = 224;
const SIZE = 256;
const POINTS = 33;
/** The model also returns two alignment points per person (hip centre, body scale) after the 33 landmarks. */
const WITH_AUX = 39;

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/**
 * MediaPipe BlazePose (full, or lite): a detector finds the person and two alignment points (hip centre and a point that
 * gives the body's size and lean), a crop turned upright (1.25x) goes to the 256x256 landmark model, and its 33
 * landmarks come back in frame pixels. On video the next crop follows the previous landmarks.
 */
export class PoseEstimator {
  private readonly anchors = ssdAnchors(DETECTOR_SIZE, [8, 16, 32, 32, 32]);
  private readonly tracker: RoiTracker;

  private constructor(
    private readonly detector: InferenceModel,
    private readonly model: InferenceModel,
    track: boolean,
    minPresence: number,
  ) {
    this.tracker = new RoiTracker(track, minPresence);
  }

  /** Build (on first use) and load both models. */
  static async load(options: PoseEstimatorOptions = {}): Promise<PoseEstimator> {
    const detector = await loadRuntimeModel('pose-detector', options);
    try {
      const landmarks = await loadRuntimeModel(options.variant === 'lite' ? 'pose-landmarks-lite' : 'pose-landmarks', options);
      return new PoseEstimator(detector, landmarks, options.track ?? true, options.minPresence ?? 0.5);
    } catch (err) {
      await detector.close();
      throw err;
    }
  }

  /** Which execution provider runs the landmark model. */
  get provider(): string {
    return this.model.provider;
  }

  /** The pose of the most prominent person, or null when there is none. */
  async detect(frame: Frame): Promise<Pose | null> {
    return this.tracker.next(
      (roi) => this.run(frame, roi),
      () => this.findPerson(frame),
    );
  }

  /** Forget the tracked person. */
  reset(): void {
    this.tracker.reset();
  }

  /** The detector's crop for the best person in `frame`, or null. */
  async findPerson(frame: Frame): Promise<Roi | null> {
    const letterbox = letterboxRoi(frame);
    roiToTensor(frame, letterbox, this.detector.inputData, DETECTOR_SIZE, DETECTOR_SIZE, [-1, 1]);
    const output = await this.detector.run();
    const data = output[this.detector.outputNames[0] ?? '']?.data ?? new Float32Array();
    const raw = decodeSsd(data, this.anchors, { scale: DETECTOR_SIZE, keypoints: 4, minScore: 0.5, scoreColumn: 0, boxColumn: 1 });
    const best = weightedNms(raw, 0.3, 1)[0];
    if (!best) return null;
    const [hip, scale] = toFrame(best, letterbox).keypoints;
    return hip && scale ? bodyRoi(hip, scale) : null;
  }

  /** Run the landmark model on `roi` of `frame`. */
  async landmarks(frame: Frame, roi: Roi): Promise<Pose> {
    return (await this.run(frame, roi)).result;
  }

  /** The pose in `roi`, and the crop its alignment points give for the next frame. */
  private async run(frame: Frame, roi: Roi): Promise<Tracked<Pose>> {
    roiToTensor(frame, roi, this.model.inputData, SIZE, SIZE, [0, 1]);
    const output = await this.model.run();
    const raw = output.Identity_2?.data;
    if (!raw || raw.length < WITH_AUX * 5)
      throw new FramewiseError('unsupported-format', `the pose model returned ${raw?.length ?? 0} values, expected ${WITH_AUX * 5}`);
    const all: PoseLandmark[] = [];
    for (let i = 0; i < WITH_AUX; i++) {
      const o = i * 5;
      const p = roiToFrame(roi, (raw[o] as number) / SIZE, (raw[o + 1] as number) / SIZE);
      all.push({
        x: p.x,
        y: p.y,
        z: ((raw[o + 2] as number) / SIZE) * roi.width,
        visibility: sigmoid(raw[o + 3] as number),
        presence: sigmoid(raw[o + 4] as number),
      });
    }
    const pose: Pose = { landmarks: all.slice(0, POINTS), score: output.Identity_3?.data[0] ?? 0, roi };
    return { result: pose, score: pose.score, next: bodyRoi(all[POINTS] as Point, all[POINTS + 1] as Point) };
  }

  /** Release both models. Safe to call twice. */
  async close(): Promise<void> {
    await Promise.all([this.detector.close(), this.model.close()]);
  }
}

/** The crop around a body: centred on the hips, upright, 2.5x the hip-to-scale-point distance, square. */
function bodyRoi(hip: Point, scale: Point): Roi {
  return alignedRoi(hip, 2 * Math.hypot(scale.x - hip.x, scale.y - hip.y) * 1.25, hip, scale, 90);
}
