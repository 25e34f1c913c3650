import { createHmac } from 'node:crypto';
import { baseUrlOf, type JobVendor, vendorKeys, vendorModel } from './vendor.ts';

/** A Kling API token: a JWT (HS256) issued by the access key, signed with the secret key, valid 30 minutes. */
export function klingToken(accessKey: string, secretKey: string, nowS = Math.floor(Date.now() / 1000)): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iss: accessKey, exp: nowS + 1800, nbf: nowS - 5 })}`;
  return `${unsigned}.${createHmac('sha256', secretKey).update(unsigned).digest('base64url')}`;
}

/** Kling's image-to-video tasks: the first stimulus picture (base64), followed at /v1/videos/image2video/{task_id}. */
export const kling: JobVendor = {
  kind: 'job',
  name: 'kling',
  title: 'Kling',
  docs: 'https://app.klingai.com/global/dev/document-api',
  keyEnv: ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY'],
  defaultBaseUrl: 'https://api-singapore.klingai.com',
  defaultModel: 'kling-v2-1',
  stimulus: { width: 1280, height: 720, clipS: 5 },
  sends:
    'POST /v1/videos/image2video {model_name, image: the first stimulus picture as base64, prompt, duration "5", mode "std"} with a JWT signed from the access and secret keys; polls GET /v1/videos/image2video/{task_id} (submitted, processing, succeed, failed; code 0 = OK) every 5 s; downloads data.task_result.videos[0].url',
  cost: '3 image-to-video tasks of 5 s in standard mode',
  config(s) {
    const [access, secret] = vendorKeys(kling, s.env);
    const model = vendorModel(kling, s.model);
    const base = baseUrlOf(s.baseUrl);
    return {
      createUrl: `${base}/v1/videos/image2video`,
      inputField: '',
      body: (m) => ({ model_name: model, image: m.firstFrame.toString('base64'), prompt: m.prompt, duration: '5', mode: 'std' }),
      authorize: () => ({ authorization: `Bearer ${klingToken(access ?? '', secret ?? '')}` }),
      apiError: { codeField: 'code', okValues: [0], messageField: 'message' },
      idField: 'data.task_id',
      statusUrlTemplate: `${base}/v1/videos/image2video/{id}`,
      statusField: 'data.task_status',
      doneValues: ['succeed'],
      failedValues: ['failed'],
      outputField: 'data.task_result.videos.0.url',
      errorField: 'data.task_status_msg',
      pollIntervalMs: 5000,
    };
  },
};
