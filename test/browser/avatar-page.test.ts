import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FramewiseServer } from '../../src/server/framewise-server.ts';
import { scratchDir, testdata } from '../helpers.ts';
import { fakeCameraFromVideo, launchWithFakeCamera } from './harness.ts';

let server: FramewiseServer;
const dir = scratchDir('browser-avatar');

before(async () => {
  server = await FramewiseServer.start({ port: 0, maxSessions: 2 });
});

after(async () => {
  await server.close();
});

interface AvatarReading {
  messages: number;
  drawn: number;
  p50Ms: number | null;
  p95Ms: number | null;
  latencies: number[];
}

test(
  'the avatar live: the server draws the character on the video and sends its parameters on a data channel; the page draws the same character from them',
  { timeout: 120_000 },
  async () => {
    const camera = await fakeCameraFromVideo(dir, testdata('videos/desk_person_again.mkv'));
    const browser = await launchWithFakeCamera(camera);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${server.url}/?effect=${encodeURIComponent('avatar:robot+scene')}&autostart`);
      await page.waitForFunction('(window.framewiseDemo.avatar()?.drawn ?? 0) >= 30 && (window.framewiseDemo.reading()?.identified ?? 0) >= 30', undefined, {
        timeout: 60_000,
      });
      const avatar = await page.evaluate<AvatarReading>('window.framewiseDemo.avatar()');
      const video = await page.evaluate<{ totalP50Ms: number }>('window.framewiseDemo.reading()');
      console.log(
        `avatar data path: ${avatar.messages} messages, ${avatar.drawn} drawn, p50 ${avatar.p50Ms?.toFixed(0)} ms, p95 ${avatar.p95Ms?.toFixed(0)} ms; video path p50 ${video.totalP50Ms?.toFixed(0)} ms`,
      );
      assert.deepEqual(errors, []);
      assert.ok(avatar.p50Ms !== null && avatar.p50Ms > 0 && avatar.p50Ms < 1000, `data path p50 ${avatar.p50Ms}`);
      // The page's canvas holds the robot: its grey head in the middle on the dark background, the same as the server draws.
      const colours = await page.evaluate<{ centre: number[]; corner: number[] }>(`(() => {
      const g = document.getElementById('avatar-canvas').getContext('2d');
      const px = (x, y) => Array.from(g.getImageData(x, y, 1, 1).data).slice(0, 3);
      return { centre: px(320, 150), corner: px(5, 5) };
    })()`);
      assert.deepEqual(colours.corner, [17, 24, 39], 'the robot look background (#111827)');
      assert.ok(
        colours.centre.every((c) => c > 120 && c < 190),
        `the robot's grey head at the centre: ${colours.centre.join(',')}`,
      );
      assert.ok(
        server.registry.all().some((s) => s.avatarMessages > 30),
        'the server sent parameters on the data channel',
      );
    } finally {
      await browser.close();
    }
  },
);
