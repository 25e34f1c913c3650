import type { Frame } from '../core/frame.ts';
import { ObjectDetector } from '../models/object-detector.ts';
import { type Pose, PoseEstimator } from '../models/pose-estimator.ts';

/** What the models saw in one sampled picture. */
export interface ActivitySample {
  /** People the object detector found (score >= 0.4). */
  people: number | null;
  /** Body heights per second the main person moved since the previous sample (0 when nobody, or new). */
  pose: number | null;
}

/** Which models run, and where their files are. */
export interface ActivitySamplerOptions {
  people: boolean;
  pose: boolean;
  modelsDir?: string;
}

const VISIBLE = 0.5;

/**
 * The expensive signals, for pictures sampled at a reduced rate: how many people the object detector (CenterNet)
 * finds, and how fast the main person's body moves (BlazePose lite landmarks, compared with the previous sample).
 */
export class ActivitySampler {
  private previous: { pose: Pose; timeS: number } | null = null;

  private constructor(
    private readonly detector: ObjectDetector | null,
    private readonly poses: PoseEstimator | null,
  ) {}

  static async load(options: ActivitySamplerOptions): Promise<ActivitySampler> {
    const modelsDir = options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir };
    const detector = options.people ? await ObjectDetector.load({ ...modelsDir, classes: ['person'], minScore: 0.4, threads: 1 }) : null;
    try {
      const poses = options.pose ? await PoseEstimator.load({ ...modelsDir, variant: 'lite', threads: 1 }) : null;
      return new ActivitySampler(detector, poses);
    } catch (err) {
      await detector?.close();
      throw err;
    }
  }

  /** Run the models on the picture at media time `timeS`. */
  async sample(frame: Frame, timeS: number): Promise<ActivitySample> {
    const people = this.detector ? (await this.detector.detect(frame)).length : null;
    if (!this.poses) return { people, pose: null };
    const pose = await this.poses.detect(frame);
    const before = this.previous;
    this.previous = pose ? { pose, timeS } : null;
    if (!pose || !before || timeS <= before.timeS) return { people, pose: 0 };
    return { people, pose: bodySpeed(before.pose, pose, timeS - before.timeS) };
  }

  async close(): Promise<void> {
    await Promise.all([this.detector?.close(), this.poses?.close()]);
  }
}

/** Mean speed of the landmarks visible in both poses, in body heights per second. */
export function bodySpeed(a: Pose, b: Pose, seconds: number): number {
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let count = 0;
  b.landmarks.forEach((p, i) => {
    const q = a.landmarks[i];
    if (!q || p.visibility < VISIBLE || q.visibility < VISIBLE) return;
    yMin = Math.min(yMin, p.y);
    yMax = Math.max(yMax, p.y);
    sum += Math.hypot(p.x - q.x, p.y - q.y);
    count++;
  });
  const height = yMax - yMin;
  if (count < 4 || !(height > 0)) return 0;
  return sum / count / height / seconds;
}
