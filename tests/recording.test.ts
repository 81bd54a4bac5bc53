/**
 * A recorded camera performance (src/app/recording.ts) on the real engine (tfjs CPU): the camera frames go through
 * the app's own live step (src/app/worker-live.ts, asked to record), London person 022 (../shared/fixtures/london,
 * Face Research Lab London Set, CC BY 4.0) resting, then smiling, then resting again, driving the sample portrait.
 * The recording keeps each frame's expression (no pixel of the camera frame) with its time; the video's frames are
 * scheduled from those times and rendered through an edit toward each recorded expression, as the app's export
 * does: the photo's mouth corners in the middle frames follow the smile, the first and last frames rest, and the
 * recorded expression puts the photo's landmarks where the live frame put them. A camera frame after the first is
 * opened with the face box tracked from the last frame's landmarks (no face search).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edit, type Editor, type Face, type Photo, parseExpression, type Point3, type RGBAImage } from '../src/engine/index';
import type { RenderedFrame } from '../src/app/protocol';
import { createRecorder, type PerformanceRecording, recordingSchedule } from '../src/app/recording';
import { VIDEO_MAX_SECONDS } from '../src/app/video-export';
import { createLive } from '../src/app/worker-live';
import { ROOT } from '../src/node/platform';
import { cpuEditor, sampleBytes } from './helpers';

const LONDON = join(ROOT, '..', 'shared', 'fixtures', 'london');
/** MediaPipe face mesh: the mouth's corners. */
const width = (p: readonly Point3[]) => Math.hypot(p[61][0] - p[291][0], p[61][1] - p[291][1]);

function decode(path: string): RGBAImage {
  const img = jpeg.decode(readFileSync(path), { useTArray: true, maxMemoryUsageInMB: 1024 });
  return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
}

describe('the recording as frames (pure)', () => {
  it('shows the expression recorded last before each video frame; the first one before it', () => {
    const frames = [100, 250, 400].map((t) => ({ t, expression: `${t}`, a: 1 }));
    const schedule = recordingSchedule({ frames, durationMs: 1000 }, 10);
    expect(schedule.length).toBe(10);
    schedule.forEach((k, i) => {
      const t = i * 100;
      const latest = frames.map((f, j) => (f.t <= t ? j : 0)).reduce((a, b) => Math.max(a, b), 0);
      expect(k).toBe(latest);
    });
  });

  it('stops at the longest video: no frame after it, the recording reports it is full', () => {
    let clock = 0;
    const rec = createRecorder(7, () => clock);
    for (; clock <= VIDEO_MAX_SECONDS * 1000 + 500; clock += 250) {
      expect(rec.full()).toBe(clock >= VIDEO_MAX_SECONDS * 1000);
      rec.add(clock, '{}', 1);
    }
    const r = rec.finish();
    expect(r?.faceId).toBe(7);
    expect(Math.max(...(r?.frames.map((f) => f.t) ?? []))).toBeLessThanOrEqual(VIDEO_MAX_SECONDS * 1000);
    expect(r?.durationMs).toBe(VIDEO_MAX_SECONDS * 1000);
    expect(recordingSchedule(r!, 30).length).toBe(VIDEO_MAX_SECONDS * 30);
    expect(createRecorder(1, () => 0).finish()).toBeNull();
  });
});

describe('a recorded performance (camera reference) as video frames', () => {
  let editor: Editor;
  let photoOf: Photo;
  let face: Face;
  const edits = new Map<number, Edit>();
  beforeAll(async () => {
    editor = await cpuEditor({ warmUp: false });
    photoOf = await editor.open(sampleBytes());
    face = await photoOf.face(0);
  }, 300_000);
  afterAll(() => {
    for (const e of edits.values()) e.dispose();
    photoOf?.dispose();
    editor?.dispose();
  });

  it('opens a tracked frame with its given face box, without a search, to the same landmarks', async () => {
    const rest = decode(join(LONDON, 'neutral', '022.jpg'));
    const searched = await editor.open(rest);
    const tracked = await editor.open({ ...rest, faces: [{ ...searched.faces[0], x: searched.faces[0].x + 4 }] });
    try {
      expect(tracked.faces).toHaveLength(1);
      expect(tracked.faces[0].x).toBe(searched.faces[0].x + 4);
      const [a, b] = [(await searched.face(0)).landmarks.points, (await tracked.face(0)).landmarks.points];
      const mean = a.reduce((s, p, i) => s + Math.hypot(p[0] - b[i][0], p[1] - b[i][1]), 0) / a.length;
      expect(mean / searched.faces[0].width).toBeLessThan(0.01);
    } finally {
      searched.dispose();
      tracked.dispose();
    }
  }, 300_000);

  it("follows the performer's smile in the middle frames and rests at the ends", async () => {
    let nextId = 1;
    const live = createLive({
      editor: () => editor,
      face: () => face,
      addEdit: (e) => {
        edits.set(nextId, e);
        return nextId++;
      },
    });
    // the renderer is not what is tested here: the frame carries the landmarks the live step rendered it for
    const render = async (id: number, a: number, kind: 'preview' | 'full') =>
      ({ patch: {} as ImageBitmap, x: 0, y: 0, width: 0, height: 0, points: edits.get(id)!.target(a), intensity: a, kind, ms: 0 }) satisfies RenderedFrame;
    const rest = decode(join(LONDON, 'neutral', '022.jpg'));
    const smile = decode(join(LONDON, 'smiling', '022.jpg'));
    const pixels = (img: RGBAImage) => ({ width: img.width, height: img.height, data: new Uint8ClampedArray(img.data) });
    // the "Hold still" step: calm frames until the performer's neutral is learned
    let calibrating = true;
    for (let i = 0; calibrating && i < 10; i++) {
      const r = await live.live(1, pixels(rest), { a: 1, kind: 'preview', restart: i === 0 }, render);
      calibrating = r.calibrating;
    }
    expect(calibrating).toBe(false);

    // the performance: rest, smile, rest; one camera frame every 300 ms of a fake clock
    let clock = 0;
    const recorder = createRecorder(1, () => clock);
    const script = [rest, smile, smile, rest];
    const liveWidths: number[] = [];
    const liveTargets: Point3[][] = [];
    for (const img of script) {
      const r = await live.live(1, pixels(img), { a: 1, kind: 'preview', record: true }, render);
      expect(r.expression).toBeTruthy();
      liveTargets.push(r.frame!.points);
      liveWidths.push(width(r.frame!.points));
      recorder.add(clock, r.expression!, 1);
      clock += 300;
    }
    const rec = recorder.finish() as PerformanceRecording;
    // nothing of the camera frame is kept: each recorded frame is a small expression (units and a residual)
    for (const f of rec.frames) expect(Object.keys(JSON.parse(f.expression)).sort()).toEqual(['format', 'name', 'residual', 'units', 'version']);

    const schedule = recordingSchedule(rec, 10);
    expect(schedule.length).toBe(Math.round((rec.durationMs / 1000) * 10));
    // each recorded frame, through an edit toward its expression, as the export renders it
    const recorded = await Promise.all(rec.frames.map((f) => face.edit({ expression: parseExpression(JSON.parse(f.expression)) })));
    const widths = schedule.map((k) => width(recorded[k].target(rec.frames[k].a)));
    const own = width(face.landmarks.points);
    const ends = [widths[0], widths[widths.length - 1]];
    const middle = widths[Math.floor(widths.length / 2)];
    console.log(
      `mouth width / the photo's: live ${liveWidths.map((w) => (w / own).toFixed(3)).join(' ')}; video ${widths.map((w) => (w / own).toFixed(3)).join(' ')}`,
    );
    expect(middle / Math.max(...ends)).toBeGreaterThan(1.15);
    // the recorded expression moves the photo's landmarks where the live frame moved them (within 1% of the mouth's width)
    const box = Math.max(face.box.width, face.box.height);
    rec.frames.forEach((f, k) => {
      const t = recorded[k].target(f.a);
      const mean = t.reduce((s, p, i) => s + Math.hypot(p[0] - liveTargets[k][i][0], p[1] - liveTargets[k][i][1]), 0) / t.length;
      expect(mean / box).toBeLessThan(0.01);
    });

    // and on pixels: the full frame of the smile's middle frame differs from the resting first frame around the mouth
    const grey = async (e: Edit) => {
      const img = await e.renderFull(1);
      const [l, r] = [face.landmarks.points[61], face.landmarks.points[291]];
      const g: number[] = [];
      for (let y = Math.round((l[1] + r[1]) / 2 - own / 2); y < (l[1] + r[1]) / 2 + own / 2; y++)
        for (let x = Math.round(Math.min(l[0], r[0]) - own / 2); x < Math.max(l[0], r[0]) + own / 2; x++) {
          const i = 4 * (y * img.width + x);
          g.push(0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2]);
        }
      return g;
    };
    const [first, mid] = [await grey(recorded[schedule[0]]), await grey(recorded[schedule[Math.floor(schedule.length / 2)]])];
    const diff = first.reduce((s, v, i) => s + Math.abs(v - mid[i]), 0) / first.length;
    console.log(`mouth pixels: middle frame vs first ${diff.toFixed(2)} grey levels`);
    expect(diff).toBeGreaterThan(3);
    for (const e of recorded) e.dispose();
  }, 600_000);
});
