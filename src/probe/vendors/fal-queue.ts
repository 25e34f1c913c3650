import { JOB_PRESETS } from '../targets/job-api.ts';
import { baseUrlOf, dataUri, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** fal's queue: a request to an app (`--model fal-ai/...`), its status and response URLs. */
export const falQueue: JobVendor = {
  kind: 'job',
  name: 'fal',
  title: 'fal (queue)',
  docs: 'https://docs.fal.ai/model-apis/model-endpoints/queue',
  keyEnv: ['FAL_KEY'],
  defaultBaseUrl: 'https://queue.fal.run',
  defaultModel: '',
  stimulus: { width: 640, height: 480, clipS: 5 },
  sends:
    'POST /{app} {video_url: the 5 s stimulus as a data: URI, prompt} with Authorization: Key; polls status_url (IN_QUEUE, IN_PROGRESS, COMPLETED; error when it failed) every second; fetches response_url and downloads video.url',
  cost: '3 requests to the chosen app (billed by its run time or output)',
  config(s) {
    const [key] = vendorKeys(falQueue, s.env);
    const model = vendorModel(falQueue, s.model);
    // The generic request-queue mapping is fal's; a failed request is COMPLETED with an error beside it.
    return {
      ...JOB_PRESETS.queue,
      inputField: '',
      createUrl: `${baseUrlOf(s.baseUrl)}/${model}`,
      body: (m) => ({ video_url: dataUri('video/mp4', m.clip), prompt: m.prompt }),
      headers: { authorization: `Key ${key ?? ''}` },
      failedWhenPresent: 'error',
      pollIntervalMs: 1000,
    };
  },
};
