import { FramewiseError } from '../core/errors.ts';
import { type EffectDefinition, stageModelOptions as modelOptions } from './effect.ts';
import { FaceMeshStage, FacesStage, ObjectsStage, PoseStage } from './overlay-stages.ts';

/** `faces`: a box and 6 keypoints on every face. */
export const facesEffect: EffectDefinition = {
  name: 'faces',
  argument: { name: 'near|far', required: false, help: 'near: faces within ~2 m, a webcam (default); far: up to ~5 m, group photos and rooms' },
  summary: 'draws a box and 6 keypoints on every face (BlazeFace short range, or full range with faces:far); frame.meta.faces',
  costMs: 2.5,
  create: (arg, ctx) => {
    if (arg !== undefined && arg !== 'near' && arg !== 'far')
      throw new FramewiseError('invalid-argument', `effect "faces" takes "near" or "far", got "${arg}"`);
    return new FacesStage({ ...modelOptions(ctx), ...(arg === 'far' ? { range: 'full' as const } : {}) });
  },
};

/** `face-mesh`: the 468 points of the main face. */
export const faceMeshEffect: EffectDefinition = {
  name: 'face-mesh',
  summary: 'draws the 468 face-mesh points of the main face (BlazeFace + Face Mesh, tracked); frame.meta.faceMesh',
  costMs: 5,
  // Tracked from the previous frame's points: a few frames settle the crop.
  historyFrames: 5,
  create: (_arg, ctx) => new FaceMeshStage(modelOptions(ctx)),
};

/** `pose[:lite]`: skeleton and squat counter. */
export const poseEffect: EffectDefinition = {
  name: 'pose',
  argument: { name: 'lite|full', required: false, help: 'the BlazePose variant (default full)' },
  summary: 'draws the skeleton of the main person (BlazePose full, or lite; tracked) and counts squats; frame.meta.pose/.reps',
  costMs: 24,
  // The squat count runs over the whole video.
  historyFrames: Number.POSITIVE_INFINITY,
  create: (arg, ctx) => {
    if (arg !== undefined && arg !== 'lite' && arg !== 'full')
      throw new FramewiseError('invalid-argument', `effect "pose" takes "lite" or "full", got "${arg}"`);
    return new PoseStage({ ...modelOptions(ctx), ...(arg === 'lite' ? { variant: 'lite' } : {}) });
  },
};

/** `objects[:class+class]`: boxes of COCO objects. */
export const objectsEffect: EffectDefinition = {
  name: 'objects',
  argument: { name: 'class+class...', required: false, help: 'COCO classes to keep, e.g. person+dog (default all)' },
  summary: 'draws boxes around COCO objects (CenterNet), e.g. objects:person+dog; frame.meta.objects',
  costMs: 55,
  create: (arg, ctx) => new ObjectsStage(arg === undefined ? undefined : arg.split('+').map((c) => c.trim().replace(/_/g, ' ')), modelOptions(ctx)),
};
