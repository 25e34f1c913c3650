import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';
import { PersonSegmenter } from '../models/person-segmenter.ts';
import { modelRuntime, type PlaneScaler } from '../models/model-runtime.ts';
import { stageModelOptions, type StageModelOptions } from './effect.ts';
import type { PictureLoader } from './pictures.ts';
import { MaskGrid } from './mask-grid.ts';
import { MaskSmoother } from './mask-smoother.ts';
import { backgroundBlur, composite, downsample, type Plane, planeFitting } from './plane-ops.ts';

/** What replaces the background: a blur of the frame itself, a flat colour (Y, U, V), or a picture (I420 planes). */
export type Background =
  | { kind: 'blur'; radiusPx: number }
  | { kind: 'colour'; yuv: [number, number, number] }
  | { kind: 'image'; planes: [Plane, Plane, Plane] }
  | { kind: 'picture'; load: PictureLoader };

const SHRINK = 4;

/**
 * Keeps the person and replaces the rest, on i420 frames: segment (ONNX), smooth the mask over time and feather it,
 * then blend each plane with the background. The blur is computed on a 4x smaller copy, so its cost does not grow
 * with the radius; full-resolution work is one blend per plane, which skips person pixels and reads the mask only
 * along the person's outline.
 */
export class BackgroundStage implements Stage {
  readonly name: string;
  private segmenter: PersonSegmenter | null = null;
  private smoother: MaskSmoother | null = null;
  private readonly grid = new MaskGrid(256);
  private scaler: PlaneScaler | null = null;
  private small: [Plane | null, Plane | null, Plane | null] = [null, null, null];
  private smallMask: [Plane | null, Plane | null, Plane | null] = [null, null, null];
  private floats: Float32Array[][] = [[], [], []];
  /** The background at the frame's size (the upscaled blur, or the picture resized once). */
  private full: { width: number; height: number; planes: [Uint8Array, Uint8Array, Uint8Array] } | null = null;

  private background: Background;

  constructor(
    name: string,
    background: Background,
    private readonly options: StageModelOptions = {},
  ) {
    this.name = name;
    this.background = background;
  }

  async open(): Promise<void> {
    if (this.background.kind === 'picture') this.background = { kind: 'image', planes: await this.background.load() };
    const options = stageModelOptions(this.options);
    this.segmenter = await PersonSegmenter.load(options);
    this.scaler = (await modelRuntime(options.runtime)).createScaler();
    this.smoother = new MaskSmoother(256);
  }

  async process(frame: Frame): Promise<Frame> {
    if (!this.segmenter || !this.smoother) throw new FramewiseError('invalid-state', `${this.name} was not opened`);
    if (frame.format !== 'i420') throw new FramewiseError('unsupported-format', `${this.name} works on i420 frames, got ${frame.format}: decode to i420`);
    const probabilities = await this.segmenter.probabilities(frame);
    this.grid.update(this.smoother.update(probabilities));
    const { width, height } = frame;
    const background = this.backgroundFor(frame);
    frame.planes.forEach((plane, i) => {
      const pw = i === 0 ? width : (width + 1) >> 1;
      const ph = i === 0 ? height : (height + 1) >> 1;
      const fill = this.background.kind === 'colour' ? (this.background.yuv[i] as number) : 0;
      composite(plane, pw, ph, this.grid, i === 0 ? 1 : 2, frame, background?.[i] ?? null, fill);
    });
    return frame;
  }

  /** Full-size background planes for this frame, or null for a flat colour. */
  private backgroundFor(frame: Frame): readonly [Uint8Array, Uint8Array, Uint8Array] | null {
    const bg = this.background;
    if (bg.kind === 'colour') return null;
    const scaler = this.scaler;
    if (bg.kind === 'picture' || !scaler) throw new FramewiseError('invalid-state', `${this.name} was not opened`);
    const { width, height } = frame;
    const cached = this.full && this.full.width === width && this.full.height === height ? this.full : null;
    if (bg.kind === 'image' && cached) return cached.planes;
    const full = cached ?? { width, height, planes: i420Buffers(width, height) };
    this.full = full;
    if (bg.kind === 'image') {
      const [y] = bg.planes;
      scaler.scale([bg.planes[0].data, bg.planes[1].data, bg.planes[2].data], y.width, y.height, full.planes, width, height);
      return full.planes;
    }
    // Blur: shrink each plane 4x, blur it with the person weighted out, and let the scaler (swscale on the server) bring it back to full size.
    const sw = Math.max(1, Math.ceil(width / SHRINK));
    const sh = Math.max(1, Math.ceil(height / SHRINK));
    const small = frame.planes.map((plane, i) => {
      const pw = i === 0 ? width : (width + 1) >> 1;
      const ph = i === 0 ? height : (height + 1) >> 1;
      const target = planeFitting(this.small[i] ?? null, i === 0 ? sw : (sw + 1) >> 1, i === 0 ? sh : (sh + 1) >> 1);
      const mask = planeFitting(this.smallMask[i] ?? null, target.width, target.height);
      this.small[i] = target;
      this.smallMask[i] = mask;
      downsample(plane, pw, ph, SHRINK, target);
      this.grid.sampleInto(mask);
      if (this.floats[i]?.[0]?.length !== target.data.length) this.floats[i] = [0, 1, 2].map(() => new Float32Array(target.data.length));
      const [a, b, tmp] = this.floats[i] as [Float32Array, Float32Array, Float32Array];
      backgroundBlur(target, mask.data, Math.max(1, Math.round(bg.radiusPx / SHRINK / (i === 0 ? 1.5 : 3))), a, b, tmp);
      return target.data;
    }) as [Uint8Array, Uint8Array, Uint8Array];
    scaler.scale(small, sw, sh, full.planes, width, height);
    return full.planes;
  }

  async close(): Promise<void> {
    this.scaler?.[Symbol.dispose]();
    this.scaler = null;
    await this.segmenter?.close();
    this.segmenter = null;
  }
}

function i420Buffers(width: number, height: number): [Uint8Array, Uint8Array, Uint8Array] {
  const c = ((width + 1) >> 1) * ((height + 1) >> 1);
  return [new Uint8Array(width * height), new Uint8Array(c), new Uint8Array(c)];
}

const NAMED_COLOURS: ReadonlyMap<string, string> = new Map([
  ['green', '#00b140'],
  ['black', '#000000'],
  ['white', '#ffffff'],
  ['blue', '#0047bb'],
  ['gray', '#808080'],
  ['grey', '#808080'],
]);

/** True when `spec` is a colour `colourToYuv` understands (#rrggbb, rrggbb or a name). */
export function isColour(spec: string): boolean {
  return NAMED_COLOURS.has(spec.toLowerCase()) || /^#?[0-9a-f]{6}$/i.test(spec);
}

/** BT.601 limited-range Y, U, V of an sRGB colour given as #rrggbb or a few names. */
export function colourToYuv(spec: string): [number, number, number] {
  const hex = NAMED_COLOURS.get(spec.toLowerCase()) ?? spec;
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new FramewiseError('invalid-argument', `"${spec}" is not a colour: use #rrggbb or ${[...NAMED_COLOURS.keys()].join(', ')}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h ?? '0', 16)) as [number, number, number];
  return [
    Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255),
    Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255),
  ];
}
