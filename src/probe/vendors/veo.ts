import { baseUrlOf, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** Google Veo on the Gemini API: predictLongRunning, then the long-running operation until `done`. */
export const veo: JobVendor = {
  kind: 'job',
  name: 'veo',
  title: 'Google Veo (Gemini API)',
  docs: 'https://ai.google.dev/gemini-api/docs/video',
  keyEnv: ['GEMINI_API_KEY'],
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  defaultModel: 'veo-3.0-fast-generate-001',
  stimulus: { width: 1280, height: 720, clipS: 8 },
  sends:
    'POST /v1beta/models/{model}:predictLongRunning {instances: [{prompt, image: {bytesBase64Encoded: the first stimulus picture, mimeType}}], parameters: {aspectRatio "16:9"}} with x-goog-api-key; polls GET /v1beta/{operation name} (done, or error) every 10 s; downloads response.generateVideoResponse.generatedSamples[0].video.uri with the key',
  cost: '3 image-to-video generations of 8 s',
  config(s) {
    const [key] = vendorKeys(veo, s.env);
    const model = vendorModel(veo, s.model);
    const base = baseUrlOf(s.baseUrl);
    return {
      createUrl: `${base}/v1beta/models/${model}:predictLongRunning`,
      inputField: '',
      body: (m) => ({
        instances: [{ prompt: m.prompt, image: { bytesBase64Encoded: m.firstFrame.toString('base64'), mimeType: 'image/jpeg' } }],
        parameters: { aspectRatio: '16:9' },
      }),
      headers: { 'x-goog-api-key': key ?? '' },
      idField: 'name',
      statusUrlTemplate: `${base}/v1beta/{id}`,
      statusField: 'done',
      doneValues: ['true'],
      failedValues: [],
      failedWhenPresent: 'error',
      outputField: 'response.generateVideoResponse.generatedSamples.0.video.uri',
      errorField: 'error',
      pollIntervalMs: 10_000,
    };
  },
};
