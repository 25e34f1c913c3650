import { FramewiseError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import type { Stage } from '../core/stage.ts';
import { type AvatarParams } from '../avatar/avatar-params.ts';
import { AvatarSolver } from '../avatar/avatar-solver.ts';
import { characterExtent, drawCharacter, drawScene } from '../avatar/draw-character.ts';
import type { Look } from '../avatar/look.ts';
import { builtInLooks, type LookSource } from '../avatar/look-source.ts';
import { FaceLandmarker } from '../models/face-landmarker.ts';
import { requireI420 } from './draw.ts';
import { type EffectDefinition, stageModelOptions, type StageModelOptions } from './effect.ts';
import { type DrawingContext, type DrawingSurface, type EffectRuntime, effectRuntime } from './effect-runtime.ts';
import { blendRgba } from './rgba-blend.ts';

declare module '../core/frame.ts' {
  interface FrameMeta {
    /** The avatar parameters the `avatar` effect read from the face (smoothed), also sent to the page over WebRTC. */
    avatar?: AvatarParams;
  }
}

/** Where the character goes: over the face in the real picture, or alone on the look's background. */
export type AvatarMode = 'face' | 'scene';

/** Options of an AvatarStage. */
export interface AvatarStageOptions extends StageModelOptions {
  look: Look;
  mode: AvatarMode;
}

/**
 * `avatar`: the face drives a drawn character. Face Mesh (tracked) gives 468 points, the solver turns them into head
 * angles and expressions (smoothed), the look is drawn on the runtime's canvas (Skia on the server, the browser's own in a page) just big enough and blended onto the
 * picture: over the face (`face`, the rest of the picture kept; chain `replace:...` first to change the background)
 * or filling the picture (`scene`). The parameters land in `frame.meta.avatar`.
 */
export class AvatarStage implements Stage {
  readonly name = 'avatar';
  private landmarker: FaceLandmarker | null = null;
  private readonly solver = new AvatarSolver();
  private runtime: EffectRuntime | null = null;
  private canvas: DrawingSurface | null = null;
  private seen = false;

  constructor(private readonly options: AvatarStageOptions) {}

  async open(): Promise<void> {
    this.runtime = await effectRuntime(this.options.runtime);
    this.landmarker = await FaceLandmarker.load({ ...stageModelOptions(this.options), runtime: this.runtime });
  }

  private canvasOf(width: number, height: number): { canvas: DrawingSurface; g: DrawingContext } {
    if (!this.runtime) throw new FramewiseError('invalid-state', 'avatar was not opened');
    if (!this.canvas || this.canvas.width < width || this.canvas.height < height)
      this.canvas = this.runtime.createCanvas(Math.max(width, 16), Math.max(height, 16));
    return { canvas: this.canvas, g: this.canvas.getContext('2d') };
  }

  async process(frame: Frame): Promise<Frame> {
    if (!this.landmarker) throw new FramewiseError('invalid-state', 'avatar was not opened');
    requireI420(frame, this.name);
    const mesh = await this.landmarker.detect(frame);
    const params = this.solver.next(mesh?.landmarks ?? null, frame.width, frame.height, frame.ptsUs / 1e6);
    frame.meta.avatar = params;
    this.seen ||= params.face;
    if (this.options.mode === 'scene') this.drawScene(frame, params);
    // Until a face has been seen there is nowhere to put the character; once seen it stays where the face was last.
    else if (this.seen) this.drawOverFace(frame, params);
    return frame;
  }

  private drawOverFace(frame: Frame, params: AvatarParams): void {
    const unit = params.size * frame.width;
    const cx = params.x * frame.width;
    const cy = params.y * frame.height;
    const e = characterExtent(this.options.look);
    // A square that holds the character whatever its roll.
    const radius = Math.ceil(Math.max(-e.left, e.right, -e.top, e.bottom) * unit * 1.05);
    const left = Math.floor(cx - radius);
    const top = Math.floor(cy - radius);
    const side = 2 * radius;
    if (side < 4 || left >= frame.width || top >= frame.height || left + side <= 0 || top + side <= 0) return;
    const { g } = this.canvasOf(side, side);
    g.clearRect(0, 0, side, side);
    drawCharacter(g, this.options.look, params, cx - left, cy - top, unit);
    blendRgba(frame, g.getImageData(0, 0, side, side).data, side, side, left, top);
  }

  private drawScene(frame: Frame, params: AvatarParams): void {
    const { width, height } = frame;
    const { g } = this.canvasOf(width, height);
    drawScene(g, this.options.look, params, width, height);
    blendRgba(frame, g.getImageData(0, 0, width, height).data, width, height, 0, 0);
  }

  async close(): Promise<void> {
    const landmarker = this.landmarker;
    this.landmarker = null;
    await landmarker?.close();
  }
}

/** `avatar[:<look>[+scene]]`. */
export const avatarEffect: EffectDefinition = {
  name: 'avatar',
  argument: {
    name: 'look[+scene]',
    required: false,
    help: 'fox (default) or robot, or a look JSON file on the command line; +scene draws the character alone on its background',
  },
  summary: 'the face drives a drawn character (head turn and tilt, blinks, mouth, smile, brows); over the face, or +scene; frame.meta.avatar',
  costMs: 9,
  // Face tracking and the smoothing filters settle over a few frames.
  historyFrames: 5,
  create: (arg, ctx) => {
    const text = arg ?? 'fox';
    const plus = text.lastIndexOf('+');
    const mode = plus >= 0 ? text.slice(plus + 1) : 'face';
    if (mode !== 'face' && mode !== 'scene')
      throw new FramewiseError('invalid-argument', `avatar takes <look>, <look>+face or <look>+scene (got "+${mode.slice(0, 20)}")`);
    const name = plus >= 0 ? text.slice(0, plus) : text;
    const looks: LookSource = ctx.looks ?? builtInLooks;
    return new AvatarStage({ look: looks.resolve(name || 'fox'), mode, ...stageModelOptions(ctx) });
  },
};
