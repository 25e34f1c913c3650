import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';
import { FaceDetector, type FaceDetection, type FaceRange } from '../models/face-detector.ts';
import { FaceLandmarker, type FaceLandmarks } from '../models/face-landmarker.ts';
import { checkClasses, ObjectDetector, type ObjectDetection } from '../models/object-detector.ts';
import { PoseEstimator, type Pose } from '../models/pose-estimator.ts';
import { stageModelOptions as modelOptions, type StageModelOptions } from './effect.ts';
import { COLOURS, dot, line, number, requireI420, strokeRect } from './draw.ts';
import { SquatCounter } from './rep-counter.ts';

declare module '../core/frame.ts' {
  interface FrameMeta {
    /** Faces found by the `faces` effect, in frame pixels. */
    faces?: FaceDetection[];
    /** The face mesh found by the `face-mesh` effect. */
    faceMesh?: FaceLandmarks | null;
    /** The pose found by the `pose` effect, and the squats counted so far. */
    pose?: Pose | null;
    reps?: number;
    /** Objects found by the `objects` effect. */
    objects?: ObjectDetection[];
  }
}

/** Model options the overlay effects pass on. */
export type OverlayOptions = StageModelOptions;

/** Base of the overlay effects: a model loaded in open(), released in close(), i420 frames only. */
abstract class ModelStage<M extends { close(): Promise<void> }, O extends OverlayOptions = OverlayOptions> implements Stage {
  abstract readonly name: string;
  protected model: M | null = null;

  constructor(protected readonly options: O = {} as O) {}

  protected abstract load(): Promise<M>;

  async open(): Promise<void> {
    this.model = await this.load();
  }

  protected ready(frame: Frame): M {
    if (!this.model) throw new FramewiseError('invalid-state', `${this.name} was not opened`);
    requireI420(frame, this.name);
    return this.model;
  }

  abstract process(frame: Frame): Promise<Frame>;

  async close(): Promise<void> {
    const model = this.model;
    this.model = null;
    await model?.close();
  }
}

/** `faces[:far]`: boxes and the 6 keypoints of every face (BlazeFace short range, or full range), also in `frame.meta.faces`. */
export class FacesStage extends ModelStage<FaceDetector, OverlayOptions & { range?: FaceRange }> {
  readonly name = 'faces';
  protected load(): Promise<FaceDetector> {
    return FaceDetector.load({ ...modelOptions(this.options), ...(this.options.range ? { range: this.options.range } : {}) });
  }
  async process(frame: Frame): Promise<Frame> {
    const faces = await this.ready(frame).detect(frame);
    frame.meta.faces = faces;
    const t = Math.max(2, Math.round(frame.width / 320));
    for (const face of faces) {
      strokeRect(frame, face.box, t, COLOURS.green);
      for (const p of face.keypoints) dot(frame, p.x, p.y, t, COLOURS.yellow);
    }
    return frame;
  }
}

/** `face-mesh`: the 468 face-mesh points of the main face, also in `frame.meta.faceMesh`. */
export class FaceMeshStage extends ModelStage<FaceLandmarker> {
  readonly name = 'face-mesh';
  protected load(): Promise<FaceLandmarker> {
    return FaceLandmarker.load(modelOptions(this.options));
  }
  async process(frame: Frame): Promise<Frame> {
    const mesh = await this.ready(frame).detect(frame);
    frame.meta.faceMesh = mesh;
    const r = Math.max(1, Math.round(frame.width / 640));
    for (const p of mesh?.landmarks ?? []) dot(frame, p.x, p.y, r, COLOURS.cyan);
    return frame;
  }
}

/** Bones of the BlazePose skeleton drawn by the `pose` effect (face points left out). */
const BONES: readonly (readonly [number, number])[] = [
  [11, 12],
  [11, 13],
  [13, 15],
  [12, 14],
  [14, 16],
  [11, 23],
  [12, 24],
  [23, 24],
  [23, 25],
  [25, 27],
  [27, 29],
  [29, 31],
  [27, 31],
  [24, 26],
  [26, 28],
  [28, 30],
  [30, 32],
  [28, 32],
];

/** `pose`: the skeleton of the main person (BlazePose full) and a squat counter, in `frame.meta.pose` / `.reps`. */
export class PoseStage extends ModelStage<PoseEstimator, OverlayOptions & { variant?: 'full' | 'lite' }> {
  readonly name = 'pose';
  readonly counter = new SquatCounter();
  protected load(): Promise<PoseEstimator> {
    return PoseEstimator.load({ ...modelOptions(this.options), ...(this.options.variant ? { variant: this.options.variant } : {}) });
  }
  async process(frame: Frame): Promise<Frame> {
    const pose = await this.ready(frame).detect(frame);
    frame.meta.pose = pose;
    if (pose) this.counter.update(pose.landmarks);
    frame.meta.reps = this.counter.reps;
    const t = Math.max(2, Math.round(frame.width / 320));
    if (pose) {
      for (const [a, b] of BONES) {
        const p = pose.landmarks[a];
        const q = pose.landmarks[b];
        if (p && q && p.visibility > 0.5 && q.visibility > 0.5) line(frame, p, q, t / 2, COLOURS.green);
      }
      for (const p of pose.landmarks) if (p.visibility > 0.5) dot(frame, p.x, p.y, t, COLOURS.yellow);
    }
    number(frame, this.counter.reps, t * 4, t * 4, t * 4, this.counter.phase === 'down' ? COLOURS.yellow : COLOURS.white);
    return frame;
  }
}

/** `objects[:class+class]`: boxes of COCO objects (CenterNet), also in `frame.meta.objects`. */
export class ObjectsStage extends ModelStage<ObjectDetector> {
  readonly name = 'objects';
  constructor(
    private readonly classes: readonly string[] | undefined,
    options: OverlayOptions = {},
  ) {
    super(options);
    checkClasses(classes ?? []);
  }
  protected load(): Promise<ObjectDetector> {
    return ObjectDetector.load({ ...modelOptions(this.options), ...(this.classes ? { classes: this.classes } : {}) });
  }
  async process(frame: Frame): Promise<Frame> {
    const objects = await this.ready(frame).detect(frame);
    frame.meta.objects = objects;
    const t = Math.max(2, Math.round(frame.width / 320));
    for (const o of objects) strokeRect(frame, o.box, t, o.classId === 0 ? COLOURS.green : COLOURS.red);
    return frame;
  }
}
