import { baseUrlOf, dataUri, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** Runway's task API: video-to-video (Gen-4 Aleph), followed at /v1/tasks/{id}. */
export const runway: JobVendor = {
  kind: 'job',
  name: 'runway',
  title: 'Runway',
  docs: 'https://docs.dev.runwayml.com/api/',
  keyEnv: ['RUNWAYML_API_SECRET'],
  defaultBaseUrl: 'https://api.dev.runwayml.com',
  defaultModel: 'gen4_aleph',
  stimulus: { width: 1280, height: 720, clipS: 5 },
  sends:
    'POST /v1/video_to_video {model, videoUri: the 5 s 1280x720 stimulus as a data: URI, promptText, ratio "1280:720"} with X-Runway-Version 2024-11-06; polls GET /v1/tasks/{id} (PENDING, THROTTLED, RUNNING, SUCCEEDED, FAILED, CANCELLED) every 5 s; downloads output[0]',
  cost: '3 video-to-video tasks of 5 s (billed per output second)',
  config(s) {
    const [key] = vendorKeys(runway, s.env);
    const model = vendorModel(runway, s.model);
    const base = baseUrlOf(s.baseUrl);
    return {
      createUrl: `${base}/v1/video_to_video`,
      inputField: '',
      body: (m) => ({ model, videoUri: dataUri('video/mp4', m.clip), promptText: m.prompt, ratio: `${m.width}:${m.height}` }),
      headers: { authorization: `Bearer ${key ?? ''}`, 'x-runway-version': '2024-11-06' },
      idField: 'id',
      statusUrlTemplate: `${base}/v1/tasks/{id}`,
      statusField: 'status',
      doneValues: ['SUCCEEDED'],
      failedValues: ['FAILED', 'CANCELLED'],
      outputField: 'output',
      errorField: 'failure',
      pollIntervalMs: 5000,
    };
  },
};
