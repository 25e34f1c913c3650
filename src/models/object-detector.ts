import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { COCO_LABELS } from './coco-labels.ts';
import { frameToTensor } from './image-tensor.ts';
import type { InferenceModel } from './inference-model.ts';
import { loadRuntimeModel, type ModelWrapperOptions } from './model-runtime.ts';

/** An object in frame pixels. */
export interface ObjectDetection {
  /** COCO class index (0 person ... 79 toothbrush) and its name. */
  classId: number;
  label: string;
  score: number;
  box: { xMin: number; yMin: number; width: number; height: number };
}

/** Options of `ObjectDetector.load`. */
export interface ObjectDetectorOptions extends ModelWrapperOptions {
  modelsDir?: string;
  /** Peaks below this score are ignored (default 0.3). */
  minScore?: number;
  /** At most this many objects per frame (default 20). */
  maxDetections?: number;
  /** Only these classes (names from COCO_LABELS); default all. */
  classes?: readonly string[];
}

const SIZE = 512;
const GRID = 128;
const STRIDE = SIZE / GRID;
const CLASSES = 80;

/**
 * Object detection with CenterNet (MobileNetV3 backbone, COCO): the frame is resized to 512x512, the model gives a
 * 128x128 heatmap per class and box extents per cell, and each heatmap peak (a cell that is the maximum of its 3x3
 * neighbourhood) above the minimum score is an object. The peak test is CenterNet's own replacement for NMS;
 * boxes of one class that still overlap by more than half are merged anyway.
 */
export class ObjectDetector {
  private readonly wanted: Uint8Array;

  private constructor(
    private readonly model: InferenceModel,
    private readonly minScore: number,
    private readonly maxDetections: number,
    classes: readonly string[] | undefined,
  ) {
    this.wanted = new Uint8Array(CLASSES).fill(classes ? 0 : 1);
    for (const name of classes ?? []) {
      const id = (COCO_LABELS as readonly string[]).indexOf(name);
      if (id >= 0) this.wanted[id] = 1;
    }
  }

  /** Build (on first use) and load the model. */
  static async load(options: ObjectDetectorOptions = {}): Promise<ObjectDetector> {
    checkClasses(options.classes ?? []);
    return new ObjectDetector(await loadRuntimeModel('objects', options), options.minScore ?? 0.3, options.maxDetections ?? 20, options.classes);
  }

  /** Which execution provider runs the model. */
  get provider(): string {
    return this.model.provider;
  }

  /** The objects in `frame`, best first. */
  async detect(frame: Frame): Promise<ObjectDetection[]> {
    frameToTensor(frame, this.model.inputData, SIZE, SIZE, 1);
    const output = await this.model.run();
    const [heatName, extentName] = this.model.outputNames;
    const heat = output[heatName ?? '']?.data;
    const extent = output[extentName ?? '']?.data;
    if (!heat || !extent) return [];
    const sx = frame.width / SIZE;
    const sy = frame.height / SIZE;
    const found: ObjectDetection[] = [];
    for (const { cell, classId, score } of peaks(heat, this.minScore, this.wanted)) {
      const gx = cell % GRID;
      const gy = (cell - gx) / GRID;
      const e = cell * 4;
      const x0 = gx * STRIDE - (extent[e] as number);
      const y0 = gy * STRIDE - (extent[e + 1] as number);
      const x1 = gx * STRIDE + (extent[e + 2] as number);
      const y1 = gy * STRIDE + (extent[e + 3] as number);
      const xMin = Math.max(0, x0 * sx);
      const yMin = Math.max(0, y0 * sy);
      const box = { xMin, yMin, width: Math.min(frame.width, x1 * sx) - xMin, height: Math.min(frame.height, y1 * sy) - yMin };
      if (box.width > 0 && box.height > 0) found.push({ classId, label: COCO_LABELS[classId] as string, score, box });
    }
    return suppress(
      found.sort((a, b) => b.score - a.score),
      0.5,
    ).slice(0, this.maxDetections);
  }

  close(): Promise<void> {
    return this.model.close();
  }
}

/** Throw a clear error for a class name that is not one of COCO's. */
export function checkClasses(classes: readonly string[]): void {
  for (const name of classes) {
    if (!(COCO_LABELS as readonly string[]).includes(name))
      throw new FramewiseError('invalid-argument', `unknown object class "${name}": the classes are COCO's (${COCO_LABELS.slice(0, 5).join(', ')}, ...)`);
  }
}

/** Heatmap cells (NHWC, GRID x GRID x CLASSES) that beat `minScore` and every neighbour in their 3x3 window. */
function peaks(heat: Float32Array, minScore: number, wanted: Uint8Array): { cell: number; classId: number; score: number }[] {
  const out: { cell: number; classId: number; score: number }[] = [];
  for (let i = 0; i < heat.length; i++) {
    const score = heat[i] as number;
    if (score < minScore) continue;
    const classId = i % CLASSES;
    if (!wanted[classId]) continue;
    const cell = (i - classId) / CLASSES;
    const gx = cell % GRID;
    const gy = (cell - gx) / GRID;
    let isPeak = true;
    for (let dy = -1; dy <= 1 && isPeak; dy++) {
      const y = gy + dy;
      if (y < 0 || y >= GRID) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const x = gx + dx;
        if (x < 0 || x >= GRID || (dx === 0 && dy === 0)) continue;
        if ((heat[(y * GRID + x) * CLASSES + classId] as number) > score) {
          isPeak = false;
          break;
        }
      }
    }
    if (isPeak) out.push({ cell, classId, score });
  }
  return out;
}

function overlap(a: ObjectDetection['box'], b: ObjectDetection['box']): number {
  const w = Math.min(a.xMin + a.width, b.xMin + b.width) - Math.max(a.xMin, b.xMin);
  const h = Math.min(a.yMin + a.height, b.yMin + b.height) - Math.max(a.yMin, b.yMin);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

/** Drop a detection that overlaps a better one of the same class by more than `threshold` (sorted input). */
function suppress(sorted: ObjectDetection[], threshold: number): ObjectDetection[] {
  const kept: ObjectDetection[] = [];
  for (const d of sorted) if (!kept.some((k) => k.classId === d.classId && overlap(k.box, d.box) > threshold)) kept.push(d);
  return kept;
}
