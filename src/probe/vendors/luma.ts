import { baseUrlOf, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** Luma's Dream Machine generations: text to video, or from a start picture given by URL (its only way to take one). */
export const luma: JobVendor = {
  kind: 'job',
  name: 'luma',
  title: 'Luma Dream Machine',
  docs: 'https://docs.lumalabs.ai/docs/api',
  keyEnv: ['LUMAAI_API_KEY'],
  defaultBaseUrl: 'https://api.lumalabs.ai',
  defaultModel: 'ray-flash-2',
  stimulus: { width: 1280, height: 720, clipS: 5 },
  sends:
    'POST /dream-machine/v1/generations {prompt, model, resolution "540p", duration "5s", aspect_ratio "16:9"; keyframes.frame0 = --media-url when given (Luma takes pictures by URL only)}; polls GET /dream-machine/v1/generations/{id} (queued, dreaming, completed, failed) every 3 s; downloads assets.video',
  cost: '3 generations of 5 s at 540p',
  config(s) {
    const [key] = vendorKeys(luma, s.env);
    const model = vendorModel(luma, s.model);
    const base = baseUrlOf(s.baseUrl);
    return {
      createUrl: `${base}/dream-machine/v1/generations`,
      inputField: '',
      body: (m) => ({
        prompt: m.prompt,
        model,
        resolution: '540p',
        duration: '5s',
        aspect_ratio: '16:9',
        ...(m.mediaUrl ? { keyframes: { frame0: { type: 'image', url: m.mediaUrl } } } : {}),
      }),
      headers: { authorization: `Bearer ${key ?? ''}`, accept: 'application/json' },
      idField: 'id',
      statusUrlTemplate: `${base}/dream-machine/v1/generations/{id}`,
      statusField: 'state',
      doneValues: ['completed'],
      failedValues: ['failed'],
      outputField: 'assets.video',
      errorField: 'failure_reason',
      pollIntervalMs: 3000,
    };
  },
};
