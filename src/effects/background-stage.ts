import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';
import { resizeMask } from '../models/image-tensor.ts';
import { PersonSegmenter } from '../models/person-segmenter.ts';
import { readPicture } from '../io/read-picture.ts';
import { MaskSmoother } from './mask-smoother.ts';
import { backgroundBlur, composite, downsample, type Plane, planeFitting } from './plane-ops.ts';

/** What replaces the background: a blur of the frame itself, a flat colour (Y, U, V), or a picture (I420 planes). */
export type Background =
  | { kind: 'blur'; radiusPx: number }
  | { kind: 'colour'; yuv: [number, number, number] }
  | { kind: 'image'; planes: [Plane, Plane, Plane] }
  | { kind: 'image-file'; path: string };

const SHRINK = 4;

/**
 * Keeps the person and replaces the rest, on i420 frames: segment (ONNX), smooth the mask over time and feather it,
 * then blend each plane with the background. The blur is computed on a 4x smaller copy, so its cost does not grow
 * with the radius; full-resolution work is one mask upscale and one blend per plane, skipping pixels that are all
 * person.
 */
export class BackgroundStage implements Stage {
  readonly name: string;
  private segmenter: PersonSegmenter | null = null;
  private smoother: MaskSmoother | null = null;
  private mask = new Uint8Array(0);
  private maskWidth = 0;
  private maskHeight = 0;
  private small: [Plane | null, Plane | null, Plane | null] = [null, null, null];
  private smallMask: [Plane | null, Plane | null, Plane | null] = [null, null, null];
  private floats: Float32Array[][] = [[], [], []];

  private background: Background;

  constructor(
    name: string,
    background: Background,
    private readonly options: { modelsDir?: string; threads?: number } = {},
  ) {
    this.name = name;
    this.background = background;
  }

  async open(): Promise<void> {
    if (this.background.kind === 'image-file') this.background = { kind: 'image', planes: await readPicture(this.background.path) };
    this.segmenter = await PersonSegmenter.load({
      ...(this.options.modelsDir ? { modelsDir: this.options.modelsDir } : {}),
      ...(this.options.threads ? { threads: this.options.threads } : {}),
    });
    this.smoother = new MaskSmoother(256);
  }

  async process(frame: Frame): Promise<Frame> {
    if (!this.segmenter || !this.smoother) throw new FramewiseError('invalid-state', `${this.name} was not opened`);
    if (frame.format !== 'i420') throw new FramewiseError('unsupported-format', `${this.name} works on i420 frames, got ${frame.format}: decode to i420`);
    const probabilities = await this.segmenter.probabilities(frame);
    const smoothed = this.smoother.update(probabilities);
    const { width, height } = frame;
    if (this.mask.length !== width * height) this.mask = new Uint8Array(width * height);
    this.maskWidth = width;
    this.maskHeight = height;
    resizeMask(smoothed, 256, 256, this.mask, width, height);
    frame.planes.forEach((plane, i) => {
      const pw = i === 0 ? width : (width + 1) >> 1;
      const ph = i === 0 ? height : (height + 1) >> 1;
      const bg = this.backgroundPlane(i, plane, pw, ph);
      const fill = this.background.kind === 'colour' ? (this.background.yuv[i] as number) : 0;
      composite(plane, pw, ph, this.mask, width, i === 0 ? 1 : 2, bg, fill);
    });
    return frame;
  }

  private backgroundPlane(i: number, plane: Uint8Array, pw: number, ph: number): Plane | null {
    const bg = this.background;
    if (bg.kind === 'colour') return null;
    if (bg.kind === 'image') return bg.planes[i] as Plane;
    if (bg.kind === 'image-file') throw new FramewiseError('invalid-state', `${this.name} was not opened`);
    const small = planeFitting(this.small[i] ?? null, Math.max(1, Math.ceil(pw / SHRINK)), Math.max(1, Math.ceil(ph / SHRINK)));
    const smallMask = planeFitting(this.smallMask[i] ?? null, small.width, small.height);
    this.small[i] = small;
    this.smallMask[i] = smallMask;
    downsample(plane, pw, ph, SHRINK, small);
    // The mask is at luma resolution: chroma planes take every other mask pixel.
    downsample(this.mask, this.maskWidth, this.maskHeight, i === 0 ? SHRINK : SHRINK * 2, smallMask);
    if (this.floats[i]?.[0]?.length !== small.data.length) this.floats[i] = [0, 1, 2].map(() => new Float32Array(small.data.length));
    const [a, b, tmp] = this.floats[i] as [Float32Array, Float32Array, Float32Array];
    const radius = Math.max(1, Math.round(bg.radiusPx / SHRINK / (i === 0 ? 1.5 : 3)));
    backgroundBlur(small, smallMask.data, radius, a, b, tmp);
    return small;
  }

  async close(): Promise<void> {
    await this.segmenter?.close();
    this.segmenter = null;
  }
}

/** BT.601 limited-range Y, U, V of an sRGB colour given as #rrggbb or a few names. */
export function colourToYuv(spec: string): [number, number, number] {
  const named: Record<string, string> = { green: '#00b140', black: '#000000', white: '#ffffff', blue: '#0047bb', gray: '#808080', grey: '#808080' };
  const hex = named[spec.toLowerCase()] ?? spec;
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new FramewiseError('invalid-argument', `"${spec}" is not a colour: use #rrggbb or ${Object.keys(named).join(', ')}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h ?? '0', 16)) as [number, number, number];
  return [
    Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255),
    Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255),
  ];
}
