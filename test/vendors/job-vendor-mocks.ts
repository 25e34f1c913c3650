import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { bearer, type JobMockSpec, type MockAnswer, type MockPhase, progressOf } from './job-mock.ts';

// Each vendor's job API as its documentation describes it (states, fields, auth header, error shapes), for the probe's
// presets to be tested against. The keys below are what the tests put in the environment.

export const KEYS = {
  RUNWAYML_API_SECRET: 'key_runway_test',
  LUMAAI_API_KEY: 'luma-test',
  REPLICATE_API_TOKEN: 'r8_test',
  FAL_KEY: 'fal-id:fal-secret',
  KLING_ACCESS_KEY: 'kling-access',
  KLING_SECRET_KEY: 'kling-secret',
  MINIMAX_API_KEY: 'minimax-test',
  GEMINI_API_KEY: 'AIza-test',
  KREA_API_KEY: 'krea-test',
  DAYDREAM_API_KEY: 'daydream-test',
} as const;

const isDataUri = (v: unknown, mime: string): boolean => typeof v === 'string' && v.startsWith(`data:${mime};base64,`) && v.length > 100;
const isoNow = (): string => new Date().toISOString();

/** Runway: /v1/video_to_video, /v1/tasks/{id}; X-Runway-Version required; errors as {error, issues}. */
export const runwayMock: JobMockSpec = {
  authorize: (req) => {
    if (req.headers.authorization !== `Bearer ${KEYS.RUNWAYML_API_SECRET}`) return [401, { error: 'Invalid API key' }];
    if (req.headers['x-runway-version'] !== '2024-11-06') return [400, { error: 'Missing or invalid X-Runway-Version header' }];
    return null;
  },
  createPath: /^\/v1\/video_to_video$/,
  validate: (b) => {
    if (!isDataUri(b.videoUri, 'video/mp4') && !/^https:\/\//.test(String(b.videoUri))) return 'videoUri must be an HTTPS URL or a data URI';
    if (typeof b.promptText !== 'string' || b.promptText.length > 1000) return 'promptText must be a string of at most 1000 characters';
    if (b.model !== 'gen4_aleph') return 'model must be gen4_aleph';
    if (!['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'].includes(String(b.ratio))) return 'ratio is not supported';
    return null;
  },
  invalid: (message) => [400, { error: 'Validation of body failed', issues: [{ message }] }],
  created: (task) => [200, { id: task.id }],
  statusPath: /^\/v1\/tasks\/([\w-]+)$/,
  status: (task, phase, video) => {
    const status: Record<MockPhase, string> = { queued: 'PENDING', running: 'RUNNING', done: 'SUCCEEDED', failed: 'FAILED' };
    return [
      200,
      {
        id: task.id,
        status: status[phase],
        createdAt: new Date(task.createdMs).toISOString(),
        ...(phase === 'running' ? { progress: progressOf(phase) } : {}),
        ...(phase === 'done' ? { output: [video] } : {}),
        ...(phase === 'failed' ? { failure: 'Content moderation: the prompt was flagged', failureCode: 'SAFETY.INPUT.TEXT' } : {}),
      },
    ];
  },
  unknown: () => [404, { error: 'Task not found' }],
};

/** Luma Dream Machine: /dream-machine/v1/generations; states queued, dreaming, completed, failed; errors as {detail}. */
export const lumaMock: JobMockSpec = {
  authorize: (req) => bearer(req, KEYS.LUMAAI_API_KEY, [401, { detail: 'Invalid API key' }]),
  createPath: /^\/dream-machine\/v1\/generations$/,
  validate: (b) => {
    if (typeof b.prompt !== 'string' || b.prompt === '') return 'prompt is required';
    if (!['ray-2', 'ray-flash-2', 'ray-1-6'].includes(String(b.model))) return `model ${String(b.model)} is not available`;
    const frame0 = (b.keyframes as { frame0?: { type?: string; url?: string } } | undefined)?.frame0;
    if (frame0 && (frame0.type !== 'image' || !/^https?:\/\//.test(String(frame0.url)))) return 'keyframes.frame0 must be an image with a URL';
    return null;
  },
  invalid: (message) => [400, { detail: message }],
  created: (task) => [201, lumaGeneration(task, 'queued', '')],
  statusPath: /^\/dream-machine\/v1\/generations\/([\w-]+)$/,
  status: (task, phase, video) => [200, lumaGeneration(task, phase, video)],
  unknown: () => [404, { detail: 'Generation not found' }],
};

function lumaGeneration(task: { id: string; body: Record<string, unknown>; createdMs: number }, phase: MockPhase, video: string): unknown {
  const state: Record<MockPhase, string> = { queued: 'queued', running: 'dreaming', done: 'completed', failed: 'failed' };
  return {
    id: task.id,
    generation_type: 'video',
    state: state[phase],
    failure_reason: phase === 'failed' ? 'The prompt was flagged by moderation' : null,
    created_at: new Date(task.createdMs).toISOString(),
    assets: phase === 'done' ? { video, image: null, progress_video: null } : null,
    model: task.body.model,
    request: task.body,
  };
}

/** Replicate: /v1/models/{owner}/{name}/predictions, urls.get; starting, processing, succeeded, failed, canceled. */
export const replicateMock: JobMockSpec = {
  authorize: (req) =>
    bearer(req, KEYS.REPLICATE_API_TOKEN, [401, { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 }]),
  createPath: /^\/v1\/models\/([\w.-]+)\/([\w.-]+)\/predictions$/,
  validate: (b, m) => {
    if (m[1] !== 'acme' || m[2] !== 'video-style') return `model ${m[1]}/${m[2]} not found`;
    const input = b.input as Record<string, unknown> | undefined;
    if (!input || !isDataUri(input.video, 'video/mp4')) return 'input.video: expected a URI';
    return null;
  },
  invalid: (message) =>
    message.includes('not found')
      ? [404, { title: 'Not found', detail: message, status: 404 }]
      : [422, { title: 'Input validation failed', detail: message, status: 422, invalid_fields: [{ field: 'input.video', description: message }] }],
  created: (task, base, m) => [201, replicatePrediction(task, 'queued', '', base, `${m[1]}/${m[2]}`)],
  statusPath: /^\/v1\/predictions\/([\w-]+)$/,
  status: (task, phase, video, base) => [200, replicatePrediction(task, phase, video, base, 'acme/video-style')],
  unknown: () => [404, { title: 'Not found', detail: 'Prediction not found', status: 404 }],
};

function replicatePrediction(
  task: { id: string; body: Record<string, unknown>; createdMs: number },
  phase: MockPhase,
  video: string,
  base: string,
  model: string,
): unknown {
  const status: Record<MockPhase, string> = { queued: 'starting', running: 'processing', done: 'succeeded', failed: 'failed' };
  return {
    id: task.id,
    model,
    version: 'dp-4d0d8a9c2f1e',
    input: { prompt: (task.body.input as Record<string, unknown>).prompt },
    logs: phase === 'running' ? 'step 1/4' : '',
    output: phase === 'done' ? video : null,
    error: phase === 'failed' ? 'CUDA out of memory' : null,
    status: status[phase],
    created_at: new Date(task.createdMs).toISOString(),
    urls: { get: `${base}/v1/predictions/${task.id}`, cancel: `${base}/v1/predictions/${task.id}/cancel`, web: `https://replicate.com/p/${task.id}` },
  };
}

/** fal's queue: POST /{owner}/{app}; status_url, response_url; IN_QUEUE, IN_PROGRESS, COMPLETED (with error when failed). */
export const falQueueMock: JobMockSpec = {
  authorize: (req) => (req.headers.authorization === `Key ${KEYS.FAL_KEY}` ? null : [401, { detail: 'Cannot access application: invalid credentials' }]),
  createPath: /^\/(fal-ai)\/([\w.-]+)$/,
  validate: (b) => (isDataUri(b.video_url, 'video/mp4') ? null : 'video_url: field required'),
  invalid: (message) => [422, { detail: [{ loc: ['body', 'video_url'], msg: message, type: 'value_error' }] }],
  created: (task, base, m) => {
    const root = `${base}/${m[1]}/${m[2]}/requests/${task.id}`;
    return [200, { request_id: task.id, response_url: root, status_url: `${root}/status`, cancel_url: `${root}/cancel`, queue_position: 0 }];
  },
  statusPath: /^\/fal-ai\/[\w.-]+\/requests\/([\w-]+)\/status$/,
  status: (task, phase) => {
    if (phase === 'queued') return [202, { status: 'IN_QUEUE', queue_position: 0, request_id: task.id }];
    if (phase === 'running') return [202, { status: 'IN_PROGRESS', logs: [{ message: 'step 1', level: 'INFO', timestamp: isoNow() }], request_id: task.id }];
    if (phase === 'failed') return [200, { status: 'COMPLETED', request_id: task.id, logs: [], error: 'Internal Server Error', error_type: 'runner_error' }];
    return [200, { status: 'COMPLETED', request_id: task.id, logs: [], metrics: { inference_time: 1.2 } }];
  },
  unknown: () => [404, { detail: 'Request not found' }],
  more: (req, url, tasks, base) => {
    const m = /^\/fal-ai\/[\w.-]+\/requests\/([\w-]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return null;
    const task = tasks.get(m[1] ?? '');
    if (!task) return [404, { detail: 'Request not found' }];
    if (task.fail) return [500, { detail: 'Internal Server Error' }];
    return [200, { video: { url: `${base}/cdn/${task.id}.mp4`, content_type: 'video/mp4', file_name: 'output.mp4' } }];
  },
};

/** The JWT a Kling request must carry: HS256, issued by the access key, not expired, not before now. */
function klingAuthorized(req: IncomingMessage): boolean {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const [head, payload, signature] = token?.split('.') ?? [];
  if (!head || !payload || !signature) return false;
  if (createHmac('sha256', KEYS.KLING_SECRET_KEY).update(`${head}.${payload}`).digest('base64url') !== signature) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; exp?: number; nbf?: number };
  const now = Date.now() / 1000;
  return claims.iss === KEYS.KLING_ACCESS_KEY && (claims.exp ?? 0) > now && (claims.nbf ?? Infinity) <= now;
}

/** Kling: /v1/videos/image2video; code 0 = OK; submitted, processing, succeed, failed. */
export const klingMock: JobMockSpec = {
  authorize: (req) => (klingAuthorized(req) ? null : [401, { code: 1004, message: 'Authorization failed: the token is invalid', request_id: randomUUID() }]),
  createPath: /^\/v1\/videos\/image2video$/,
  validate: (b) => {
    if (typeof b.image !== 'string' || !/^[A-Za-z0-9+/=]{100,}$/.test(b.image)) return 'image must be a base64 picture or a URL';
    if (!['5', '10'].includes(String(b.duration))) return 'duration must be 5 or 10';
    return null;
  },
  invalid: (message) => [400, { code: 1201, message: `Invalid request parameters: ${message}`, request_id: randomUUID() }],
  created: (task) => [
    200,
    {
      code: 0,
      message: 'SUCCEED',
      request_id: randomUUID(),
      data: { task_id: task.id, task_status: 'submitted', created_at: task.createdMs, updated_at: task.createdMs },
    },
  ],
  statusPath: /^\/v1\/videos\/image2video\/([\w-]+)$/,
  status: (task, phase, video) => {
    const status: Record<MockPhase, string> = { queued: 'submitted', running: 'processing', done: 'succeed', failed: 'failed' };
    return [
      200,
      {
        code: 0,
        message: 'SUCCEED',
        request_id: randomUUID(),
        data: {
          task_id: task.id,
          task_status: status[phase],
          task_status_msg: phase === 'failed' ? 'Failure to pass the risk control system' : '',
          ...(phase === 'done' ? { task_result: { videos: [{ id: task.id, url: video, duration: '5.0' }] } } : {}),
          created_at: task.createdMs,
          updated_at: Date.now(),
        },
      },
    ];
  },
  unknown: () => [404, { code: 1203, message: 'The task does not exist', request_id: randomUUID() }],
};

/** MiniMax: /v1/video_generation, /v1/query/video_generation, /v1/files/retrieve; base_resp.status_code 0 = OK. */
export const minimaxMock: JobMockSpec = {
  // MiniMax answers HTTP 200 and puts the error in base_resp.
  authorize: (req) =>
    bearer(req, KEYS.MINIMAX_API_KEY, [
      200,
      { base_resp: { status_code: 1004, status_msg: "login fail: Please carry the API secret key in the 'Authorization' field" } },
    ]),
  createPath: /^\/v1\/video_generation$/,
  validate: (b) => {
    if (b.model !== 'MiniMax-Hailuo-02') return `invalid params, model ${String(b.model)} not supported`;
    if (!isDataUri(b.first_frame_image, 'image/jpeg')) return 'invalid params, first_frame_image';
    if (![6, 10].includes(Number(b.duration))) return 'invalid params, duration';
    return null;
  },
  invalid: (message) => [200, { task_id: '', base_resp: { status_code: 2013, status_msg: message } }],
  created: (task) => [200, { task_id: task.id, base_resp: { status_code: 0, status_msg: 'success' } }],
  statusPath: /^\/v1\/query\/video_generation\?task_id=([\w-]+)$/,
  status: (task, phase) => {
    const status: Record<MockPhase, string> = { queued: 'Queueing', running: 'Processing', done: 'Success', failed: 'Fail' };
    return [
      200,
      {
        task_id: task.id,
        status: status[phase],
        ...(phase === 'done' ? { file_id: `f${task.id.slice(0, 8)}`, video_width: 1366, video_height: 768 } : {}),
        base_resp:
          phase === 'failed' ? { status_code: 1026, status_msg: 'video description contains sensitive content' } : { status_code: 0, status_msg: 'success' },
      },
    ];
  },
  unknown: () => [200, { task_id: '', status: 'Fail', base_resp: { status_code: 2013, status_msg: 'invalid params, task_id' } }],
  more: (req, url, tasks, base) => {
    if (url.pathname !== '/v1/files/retrieve' || req.method !== 'GET') return null;
    const fileId = url.searchParams.get('file_id') ?? '';
    const task = [...tasks.values()].find((t) => `f${t.id.slice(0, 8)}` === fileId);
    if (!task) return [200, { base_resp: { status_code: 1013, status_msg: 'file not found' } }];
    return [
      200,
      {
        file: {
          file_id: fileId,
          bytes: 0,
          created_at: Math.floor(task.createdMs / 1000),
          filename: 'output.mp4',
          purpose: 'video_generation',
          download_url: `${base}/cdn/${task.id}.mp4`,
        },
        base_resp: { status_code: 0, status_msg: 'success' },
      },
    ];
  },
};

/** Veo on the Gemini API: :predictLongRunning, operations with done / response / error; the file link needs the key. */
export const veoMock: JobMockSpec = {
  authorize: (req, url) =>
    req.headers['x-goog-api-key'] === KEYS.GEMINI_API_KEY || url.searchParams.get('key') === KEYS.GEMINI_API_KEY
      ? null
      : [400, { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }],
  createPath: /^\/v1beta\/models\/(veo-[\w.-]+):predictLongRunning$/,
  validate: (b) => {
    const instance = (b.instances as { prompt?: unknown; image?: { bytesBase64Encoded?: unknown; mimeType?: unknown } }[] | undefined)?.[0];
    if (!instance || typeof instance.prompt !== 'string') return 'instances[0].prompt is required';
    if (instance.image && (typeof instance.image.bytesBase64Encoded !== 'string' || !String(instance.image.mimeType).startsWith('image/')))
      return 'instances[0].image needs bytesBase64Encoded and mimeType';
    return null;
  },
  invalid: (message) => [400, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } }],
  created: (task, _base, m) => [200, { name: `models/${m[1]}/operations/${task.id}` }],
  statusPath: /^\/v1beta\/models\/veo-[\w.-]+\/operations\/([\w-]+)$/,
  status: (task, phase, video) => {
    const name = `models/veo-3.0-fast-generate-001/operations/${task.id}`;
    if (phase === 'queued' || phase === 'running') return [200, { name }];
    if (phase === 'failed')
      return [200, { name, done: true, error: { code: 3, message: 'The prompt could not be submitted: it violates the usage guidelines.' } }];
    return [
      200,
      {
        name,
        done: true,
        response: {
          '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
          generateVideoResponse: { generatedSamples: [{ video: { uri: `${video}?alt=media` } }] },
        },
      },
    ];
  },
  unknown: () => [404, { error: { code: 404, message: 'Operation not found', status: 'NOT_FOUND' } }],
  protectedDownloads: true,
};

/** Krea: /generate/video/{provider}/{model}, /jobs/{id}; backlogged ... completed, failed, cancelled; result.urls. */
export const kreaMock: JobMockSpec = {
  authorize: (req) => bearer(req, KEYS.KREA_API_KEY, [401, { message: 'Unauthorized' }]),
  createPath: /^\/generate\/video\/([\w.-]+)\/([\w.-]+)$/,
  validate: (b) => (typeof b.prompt === 'string' && b.prompt !== '' ? null : 'prompt is required'),
  invalid: (message) => [400, { message }],
  created: (task) => [200, { job_id: task.id, status: 'queued', created_at: new Date(task.createdMs).toISOString(), completed_at: null, result: null }],
  statusPath: /^\/jobs\/([\w-]+)$/,
  status: (task, phase, video) => {
    const running = Date.now() % 2 === 0 ? 'processing' : 'sampling';
    const status: Record<MockPhase, string> = { queued: 'backlogged', running, done: 'completed', failed: 'failed' };
    return [
      200,
      {
        job_id: task.id,
        status: status[phase],
        created_at: new Date(task.createdMs).toISOString(),
        completed_at: phase === 'done' || phase === 'failed' ? isoNow() : null,
        result: phase === 'done' ? { urls: [video] } : phase === 'failed' ? { error: 'NSFW content detected' } : null,
      },
    ];
  },
  unknown: () => [404, { message: 'Job not found' }],
};

/** Every job preset with its mock, and the model each test asks for. */
export const JOB_MOCKS: { vendor: string; spec: JobMockSpec; model?: string; states: string[] }[] = [
  { vendor: 'runway', spec: runwayMock, states: ['PENDING', 'RUNNING', 'SUCCEEDED'] },
  { vendor: 'luma', spec: lumaMock, states: ['queued', 'dreaming', 'completed'] },
  { vendor: 'replicate', spec: replicateMock, model: 'acme/video-style', states: ['starting', 'processing', 'succeeded'] },
  { vendor: 'fal', spec: falQueueMock, model: 'fal-ai/video-style', states: ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'] },
  { vendor: 'kling', spec: klingMock, states: ['submitted', 'processing', 'succeed'] },
  { vendor: 'minimax', spec: minimaxMock, states: ['Queueing', 'Processing', 'Success'] },
  { vendor: 'veo', spec: veoMock, states: ['pending', 'true'] },
  { vendor: 'krea', spec: kreaMock, states: ['backlogged', 'completed'] },
];

/** Answers for refused requests carry the vendor's error text: what a wrong key looks like in the report. */
export function refusedText(answer: MockAnswer): string {
  return JSON.stringify(answer[1]);
}
