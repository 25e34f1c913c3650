import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capacity } from './capacity.ts';
import { compiledBench } from './compiled.ts';
import { decodeThroughput } from './decode-throughput.ts';
import { engineOverhead } from './engine-overhead.ts';
import { glassToGlass } from './glass-to-glass.ts';
import { pageSegmentationBench } from './page-segmentation.ts';
import { hardeningBench } from './hardening.ts';
import { highlightsBench } from './highlights.ts';
import { jobsBench } from './jobs.ts';
import { liveLatency } from './live-latency.ts';
import { blurBench } from './blur.ts';
import { avatarBench } from './avatar.ts';
import { modelsBench } from './models.ts';
import { probeAccuracy } from './probe-accuracy.ts';
import { probeMatchingBench } from './probe-matching.ts';

const videos = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'testdata', 'videos');
const only = process.argv.slice(2);
const want = (name: string): boolean => only.length === 0 || only.includes(name);

const sections: string[] = [`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`];
if (want('engine')) {
  sections.push(
    await engineOverhead([
      { label: 'desk_person_again.mkv', path: join(videos, 'desk_person_again.mkv') },
      { label: 'facing_camera_720p.mp4', path: join(videos, 'facing_camera_720p.mp4') },
    ]),
  );
}
if (want('compiled')) sections.push(await compiledBench({ label: 'desk_person_again.mkv 640x480', path: join(videos, 'desk_person_again.mkv') }));
if (want('decode'))
  sections.push(await decodeThroughput({ label: 'facing_camera_720p.mp4 (H.264 High, 1280x720)', path: join(videos, 'facing_camera_720p.mp4') }));
if (want('live'))
  sections.push(
    await liveLatency([
      { width: 640, height: 480 },
      { width: 1280, height: 720 },
    ]),
  );
if (want('probe')) sections.push(await probeAccuracy());
if (want('matching')) sections.push(await probeMatchingBench());
if (want('models')) {
  sections.push(await modelsBench({ label: 'desk_person_again.mkv (640x480 camera picture)', path: join(videos, 'desk_person_again.mkv') }));
  sections.push(
    await blurBench([
      { label: 'desk_person_again.mkv 640x480', path: join(videos, 'desk_person_again.mkv') },
      { label: 'facing_camera_720p.mp4 1280x720', path: join(videos, 'facing_camera_720p.mp4') },
    ]),
  );
}
if (want('capacity')) {
  sections.push(await capacity('grayscale'));
  sections.push(await capacity('blur'));
}
if (want('hardening')) sections.push(await hardeningBench());
if (want('jobs')) sections.push(await jobsBench(join(videos, 'facing_camera_720p.mp4'), 'facing_camera_720p.mp4, 1280x720, 7.8 s, AAC'));
if (want('highlights')) sections.push(await highlightsBench(videos));
if (want('avatar')) sections.push(await avatarBench(join(videos, 'desk_person_again.mkv')));
if (want('g2g')) sections.push(await glassToGlass(join(videos, 'desk_person_again.mkv')));
if (want('page')) sections.push(await pageSegmentationBench(join(videos, 'desk_person_again.mkv')));
process.stdout.write(`${sections.join('\n\n')}\n`);
