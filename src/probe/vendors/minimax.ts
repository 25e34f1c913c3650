import { baseUrlOf, dataUri, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** MiniMax (Hailuo) video generation: a task, its status, then the file's download URL. */
export const minimax: JobVendor = {
  kind: 'job',
  name: 'minimax',
  title: 'MiniMax Hailuo',
  docs: 'https://platform.minimax.io/docs/guides/video-generation',
  keyEnv: ['MINIMAX_API_KEY'],
  defaultBaseUrl: 'https://api.minimax.io',
  defaultModel: 'MiniMax-Hailuo-02',
  stimulus: { width: 1280, height: 720, clipS: 6 },
  sends:
    'POST /v1/video_generation {model, prompt, first_frame_image: the first stimulus picture as a data: URI, duration 6, resolution "768P"}; polls GET /v1/query/video_generation?task_id= (Preparing, Queueing, Processing, Success, Fail; base_resp.status_code 0 = OK) every 5 s; then GET /v1/files/retrieve?file_id= and downloads file.download_url',
  cost: '3 image-to-video generations of 6 s at 768P',
  config(s) {
    const [key] = vendorKeys(minimax, s.env);
    const model = vendorModel(minimax, s.model);
    const base = baseUrlOf(s.baseUrl);
    return {
      createUrl: `${base}/v1/video_generation`,
      inputField: '',
      body: (m) => ({ model, prompt: m.prompt, first_frame_image: dataUri('image/jpeg', m.firstFrame), duration: 6, resolution: '768P' }),
      headers: { authorization: `Bearer ${key ?? ''}` },
      apiError: { codeField: 'base_resp.status_code', okValues: [0], messageField: 'base_resp.status_msg' },
      idField: 'task_id',
      statusUrlTemplate: `${base}/v1/query/video_generation?task_id={id}`,
      statusField: 'status',
      doneValues: ['Success'],
      failedValues: ['Fail'],
      resultUrlTemplate: `${base}/v1/files/retrieve?file_id={file_id}`,
      outputField: 'file.download_url',
      errorField: 'base_resp.status_msg',
      pollIntervalMs: 5000,
    };
  },
};
