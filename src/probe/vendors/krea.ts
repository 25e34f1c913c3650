import { baseUrlOf, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** Krea's video generation (`--model` a Krea video path, e.g. kling/kling-2.5), followed at /jobs/{id}. */
export const krea: JobVendor = {
  kind: 'job',
  name: 'krea',
  title: 'Krea',
  docs: 'https://docs.krea.ai/developers/job-lifecycle',
  keyEnv: ['KREA_API_KEY'],
  defaultBaseUrl: 'https://api.krea.ai',
  defaultModel: 'kling/kling-2.5',
  stimulus: { width: 1280, height: 720, clipS: 5 },
  sends:
    'POST /generate/video/{model} {prompt, duration 5, aspectRatio "16:9"; startImage = --media-url when given}; polls GET /jobs/{job_id} (backlogged, queued, scheduled, processing, sampling, intermediate-complete, completed, failed, cancelled) every 3 s; downloads result.urls[0]',
  cost: '3 generations of 5 s on the chosen model (compute units)',
  config(s) {
    const [key] = vendorKeys(krea, s.env);
    const model = vendorModel(krea, s.model);
    const base = baseUrlOf(s.baseUrl);
    return {
      createUrl: `${base}/generate/video/${model}`,
      inputField: '',
      body: (m) => ({ prompt: m.prompt, duration: 5, aspectRatio: '16:9', ...(m.mediaUrl ? { startImage: m.mediaUrl } : {}) }),
      headers: { authorization: `Bearer ${key ?? ''}` },
      idField: 'job_id',
      statusUrlTemplate: `${base}/jobs/{id}`,
      statusField: 'status',
      doneValues: ['completed'],
      failedValues: ['failed', 'cancelled'],
      outputField: 'result.urls.0',
      errorField: 'result.error',
      pollIntervalMs: 3000,
    };
  },
};
