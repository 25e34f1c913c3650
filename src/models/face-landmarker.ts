import type { Frame } from '../core/frame.ts';
import { FaceDetector, type FaceDetection, type FaceDetectorOptions } from './face-detector.ts';
import type { InferenceModel } from './inference-model.ts';
import { alignedRoi, boundsOf } from './roi-from-points.ts';
import { roiToFrame, roiToTensor, type Roi } from './roi.ts';
import { RoiTracker } from './roi-tracker.ts';
import { loadRuntimeModel } from './model-runtime.ts';

/** A 3-D landmark in frame pixels (z: depth, same scale as x, smaller is closer to the camera). */
export interface Landmark3d {
  x: number;
  y: number;
  z: number;
}

/** The face mesh of one face. */
export interface FaceLandmarks {
  /** 468 points in MediaPipe's face-mesh order. */
  landmarks: Landmark3d[];
  /** Probability that the crop held a face. */
  score: number;
  /** The crop the landmarks were read from. */
  roi: Roi;
}

/** Options of `FaceLandmarker.load`. */
export interface FaceLandmarkerOptions extends FaceDetectorOptions {
  /** Follow the face from the previous frame's landmarks instead of detecting it again (video; default true). */
  track?: boolean;
  /** Below this face score the face counts as lost and the detector runs again (default 0.5). */
  minPresence?: number;
}

const SIZE = 192;
const POINTS = 468;

/**
 * MediaPipe's face mesh: BlazeFace finds the face, a crop turned so the eyes are level (1.5x the face box) goes to
 * the 192x192 landmark model, and its 468 points come back in frame pixels. On video the next crop follows the
 * landmarks, so the detector only runs when the face is lost.
 */
export class FaceLandmarker {
  private readonly tracker: RoiTracker;

  private constructor(
    private readonly detector: FaceDetector,
    private readonly model: InferenceModel,
    track: boolean,
    minPresence: number,
  ) {
    this.tracker = new RoiTracker(track, minPresence);
  }

  /** Build (on first use) and load both models. */
  static async load(options: FaceLandmarkerOptions = {}): Promise<FaceLandmarker> {
    const detector = await FaceDetector.load(options);
    try {
      return new FaceLandmarker(detector, await loadRuntimeModel('face-landmarks', options), options.track ?? true, options.minPresence ?? 0.5);
    } catch (err) {
      await detector.close();
      throw err;
    }
  }

  /** Which execution provider runs the landmark model. */
  get provider(): string {
    return this.model.provider;
  }

  /** The mesh of the most prominent face, or null when there is none. */
  async detect(frame: Frame): Promise<FaceLandmarks | null> {
    return this.tracker.next(
      async (roi) => {
        const mesh = await this.landmarks(frame, roi);
        return { result: mesh, score: mesh.score, next: meshRoi(mesh.landmarks) };
      },
      async () => {
        const face = (await this.detector.detect(frame))[0];
        return face ? faceRoi(face) : null;
      },
    );
  }

  /** Forget the tracked face (the next frame is unrelated to the last). */
  reset(): void {
    this.tracker.reset();
  }

  /** Run the landmark model on `roi` of `frame`. */
  async landmarks(frame: Frame, roi: Roi): Promise<FaceLandmarks> {
    roiToTensor(frame, roi, this.model.inputData, SIZE, SIZE, [0, 1]);
    const output = await this.model.run();
    const [meshName, scoreName] = this.model.outputNames;
    const mesh = output[meshName ?? '']?.data ?? new Float32Array(POINTS * 3);
    const landmarks: Landmark3d[] = [];
    for (let i = 0; i < POINTS; i++) {
      const p = roiToFrame(roi, (mesh[i * 3] as number) / SIZE, (mesh[i * 3 + 1] as number) / SIZE);
      landmarks.push({ x: p.x, y: p.y, z: ((mesh[i * 3 + 2] as number) / SIZE) * roi.width });
    }
    return { landmarks, score: output[scoreName ?? '']?.data[0] ?? 0, roi };
  }

  /** Release both models. Safe to call twice. */
  async close(): Promise<void> {
    await Promise.all([this.detector.close(), this.model.close()]);
  }
}

/** The crop MediaPipe takes around a detected face: level eyes, 1.5x the box, square. */
export function faceRoi(face: FaceDetection): Roi {
  const [rightEye, leftEye] = face.keypoints;
  const center = { x: face.box.xMin + face.box.width / 2, y: face.box.yMin + face.box.height / 2 };
  return alignedRoi(center, Math.max(face.box.width, face.box.height) * 1.5, rightEye ?? center, leftEye ?? center, 0);
}

/** The crop around a face mesh for the next frame: its bounds, eye corners 33 and 263 level, 1.5x, square. */
function meshRoi(landmarks: readonly Landmark3d[]): Roi {
  const b = boundsOf(landmarks);
  const center = { x: b.xMin + b.width / 2, y: b.yMin + b.height / 2 };
  return alignedRoi(center, Math.max(b.width, b.height) * 1.5, landmarks[33] ?? center, landmarks[263] ?? center, 0);
}
