/**
 * Framewise in the page: the same core pipeline, live policy and effects as the server, with models in
 * onnxruntime-web, sources from the camera and sinks to a canvas or a MediaStreamTrack. No frame leaves the page.
 *
 *   const runtime = await createBrowserRuntime();            // models from the Framewise server's /models/
 *   const camera = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0];
 *   const effects = await PageEffects.start(camera, { runtime, effect: 'blur:16' });
 *   video.srcObject = new MediaStream([effects.track]);
 */
export * from '../core/index.ts';
export { effectDefinition, effectUsages, listEffects, parseEffectSpec, buildEffect, registerEffect } from '../effects/effect-catalog.ts';
export type { EffectContext, EffectDefinition } from '../effects/effect.ts';
export type { DrawingSurface, EffectRuntime } from '../effects/effect-runtime.ts';
export { noPictures, type PictureLoader, type PictureSource } from '../effects/pictures.ts';
export { BilinearScaler } from '../effects/bilinear-scaler.ts';
export type { InferenceModel, ModelOutputs, TensorSpec } from '../models/inference-model.ts';
export type { ModelLoadOptions, ModelRuntime, PlaneScaler } from '../models/model-runtime.ts';
export { ZOO, type ZooEntry } from '../models/zoo-entries.ts';
export { PersonSegmenter, type PersonMask } from '../models/person-segmenter.ts';
export { FaceDetector } from '../models/face-detector.ts';
export { FaceLandmarker } from '../models/face-landmarker.ts';
export { PoseEstimator } from '../models/pose-estimator.ts';
export { ObjectDetector } from '../models/object-detector.ts';
export { CameraSource, type CameraSourceOptions } from './camera-source.ts';
export { CanvasSink } from './canvas-sink.ts';
export { ImageFrameReader } from './image-frame-reader.ts';
export { TrackSink } from './track-sink.ts';
export { PageEffects, type PageEffectsOptions } from './page-effects.ts';
export { decodePicture, PagePictures, type ServerPicturesOptions } from './page-pictures.ts';
export { createBrowserRuntime, type BrowserRuntime, type BrowserRuntimeOptions } from './web-runtime.ts';
