import { FramewiseError } from '../core/errors.ts';
import type { Stage } from '../core/stage.ts';
import { existsSync } from 'node:fs';
import { BackgroundStage, colourToYuv } from './background-stage.ts';
import { DelayStage } from './delay.ts';
import { GrayscaleStage } from './grayscale.ts';
import { MirrorStage } from './mirror.ts';
import { FaceMeshStage, FacesStage, ObjectsStage, PoseStage } from './overlay-stages.ts';
import { PassthroughStage } from './passthrough.ts';

/** An effect the CLI and server can build by name. */
export interface EffectEntry {
  /** Name as typed, with `<arg>` where it takes an argument. */
  readonly usage: string;
  readonly summary: string;
  /** Rough CPU cost per 640x480 frame in ms, used to size the server's default session limit. */
  readonly costMs: number;
  create(arg: string | undefined): Stage;
}

const EFFECTS: Record<string, EffectEntry> = {
  passthrough: { usage: 'passthrough', summary: 'frames unchanged (measures the engine)', costMs: 0, create: () => new PassthroughStage() },
  grayscale: { usage: 'grayscale', summary: 'removes colour (i420: chroma set to neutral, almost free)', costMs: 0.1, create: () => new GrayscaleStage() },
  mirror: { usage: 'mirror', summary: 'flips the picture left to right, like a self view', costMs: 0.5, create: () => new MirrorStage() },
  blur: {
    usage: 'blur[:<radius px>]',
    summary: 'blurs the background behind the person (selfie segmentation, ONNX); radius default 24',
    costMs: 8,
    create: (arg) => {
      const radiusPx = arg === undefined || arg === '' ? 24 : Number(arg);
      if (!Number.isFinite(radiusPx) || radiusPx < 2 || radiusPx > 200)
        throw new FramewiseError('invalid-argument', `blur radius must be 2-200 px (got "${arg}")`);
      return new BackgroundStage('blur', { kind: 'blur', radiusPx });
    },
  },
  replace: {
    usage: 'replace:<#rrggbb|colour|image file>',
    summary: 'replaces the background behind the person with a colour or a picture',
    costMs: 7,
    create: (arg) => {
      if (arg === undefined || arg === '')
        throw new FramewiseError('invalid-argument', 'effect "replace" needs a colour or a picture, e.g. replace:green or replace:beach.jpg');
      if (/^#?[0-9a-f]{6}$/i.test(arg) || !/[./]/.test(arg)) return new BackgroundStage('replace', { kind: 'colour', yuv: colourToYuv(arg) });
      if (!existsSync(arg)) throw new FramewiseError('input-not-found', `background picture ${arg} does not exist`);
      return new BackgroundStage('replace', { kind: 'image-file', path: arg });
    },
  },
  faces: {
    usage: 'faces',
    summary: 'draws a box and 6 keypoints on every face (BlazeFace short range); results in frame.meta.faces',
    costMs: 2.5,
    create: () => new FacesStage(),
  },
  'face-mesh': {
    usage: 'face-mesh',
    summary: 'draws the 468 face-mesh points of the main face (BlazeFace + Face Mesh, tracked); frame.meta.faceMesh',
    costMs: 5,
    create: () => new FaceMeshStage(),
  },
  pose: {
    usage: 'pose[:lite]',
    summary: 'draws the skeleton of the main person (BlazePose full, or lite; tracked) and counts squats; frame.meta.pose/.reps',
    costMs: 24,
    create: (arg) => {
      if (arg !== undefined && arg !== '' && arg !== 'lite' && arg !== 'full')
        throw new FramewiseError('invalid-argument', `effect "pose" takes "lite" or "full", got "${arg}"`);
      return new PoseStage(arg === 'lite' ? { variant: 'lite' } : {});
    },
  },
  objects: {
    usage: 'objects[:<class>+<class>...]',
    summary: 'draws boxes around COCO objects (CenterNet), e.g. objects:person+dog; frame.meta.objects',
    costMs: 55,
    create: (arg) => new ObjectsStage(arg ? arg.split('+').map((c) => c.trim().replace(/_/g, ' ')) : undefined),
  },
  delay: {
    usage: 'delay:<ms>',
    summary: 'waits a fixed time per frame without using the CPU (tests policies)',
    costMs: 0,
    create: (arg) => {
      const ms = Number(arg);
      if (arg === undefined || arg === '' || !Number.isFinite(ms))
        throw new FramewiseError('invalid-argument', `effect "delay" needs a time in ms, e.g. delay:50`);
      return new DelayStage(ms);
    },
  },
};

/** The effects available, for help texts. */
export function listEffects(): EffectEntry[] {
  return Object.values(EFFECTS);
}

/** The registry entry for `spec` ("name" or "name:arg"), or undefined. */
export function effectEntry(spec: string): EffectEntry | undefined {
  return EFFECTS[spec.split(':')[0] ?? ''];
}

/** Build the stage named by `spec` ("name" or "name:arg"); a clear error lists the known effects otherwise. */
export function createEffect(spec: string): Stage {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? undefined : spec.slice(colon + 1);
  const entry = EFFECTS[name];
  if (!entry) {
    const known = listEffects()
      .map((e) => e.usage)
      .join(', ');
    throw new FramewiseError('invalid-argument', `unknown effect "${spec}": use one of ${known}`);
  }
  return entry.create(arg);
}
