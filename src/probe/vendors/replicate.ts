import { JOB_PRESETS } from '../targets/job-api.ts';
import { baseUrlOf, dataUri, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** Replicate's predictions on an official model (`--model owner/name`), followed at urls.get. */
export const replicate: JobVendor = {
  kind: 'job',
  name: 'replicate',
  title: 'Replicate',
  docs: 'https://replicate.com/docs/reference/http',
  keyEnv: ['REPLICATE_API_TOKEN'],
  defaultBaseUrl: 'https://api.replicate.com',
  defaultModel: '',
  stimulus: { width: 640, height: 480, clipS: 5 },
  sends:
    'POST /v1/models/{owner}/{name}/predictions {input: {video: the 5 s stimulus as a data: URI, prompt}}; polls urls.get (starting, processing, succeeded, failed, canceled) every second; downloads output (or output[0]). A model whose video input is named otherwise: use job:<url> --job-config',
  cost: '3 predictions on the chosen model (billed by its run time)',
  config(s) {
    const [key] = vendorKeys(replicate, s.env);
    const model = vendorModel(replicate, s.model);
    // The generic prediction-style mapping is Replicate's.
    return {
      ...JOB_PRESETS.predictions,
      inputField: '',
      createUrl: `${baseUrlOf(s.baseUrl)}/v1/models/${model}/predictions`,
      body: (m) => ({ input: { video: dataUri('video/mp4', m.clip), prompt: m.prompt } }),
      headers: { authorization: `Bearer ${key ?? ''}` },
      pollIntervalMs: 1000,
    };
  },
};
