import { useRef, useState } from 'react';
import { downloadName, saveBlob } from '../download';
import { useEditorStore, useEditorStoreApi } from '../store-context';
import { performanceFrames, recordingSchedule } from '../recording';
import { encodeVideo, sweepFrames, sweepIntensities, VIDEO_DEFAULTS, VIDEO_MAX_SECONDS, VideoCancelled, type VideoFormat, videoSize } from '../video-export';

const SIZES = [1080, 720, 480, 240];
const RATES = [30, 24, 15, 10];

const FORMATS: [VideoFormat | 'auto', string][] = [
  ['auto', 'WebM (GIF where unsupported)'],
  ['webm', 'WebM'],
  ['gif', 'Animated GIF'],
];

type Job = { done: number; total: number } | null;

/** A labelled select of `options` ([value, label]); values keep their type (numbers stay numbers). */
function Choice<T extends string | number>(p: { label: string; value: T; options: [T, string][]; disabled: boolean; onChange: (v: T) => void; id: string }) {
  return (
    <label className="field">
      <span>{p.label}</span>
      <select value={p.value} disabled={p.disabled} onChange={(e) => p.onChange(p.options[e.target.selectedIndex][0])} data-testid={p.id}>
        {p.options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * "Save as video": the photo changing to the edit at the chosen intensity and back, or the camera performance last
 * recorded (its own length), as WebM (or an animated GIF where the browser cannot encode WebM), with its length,
 * size and frame rate, progress and cancel.
 */
export function VideoExport() {
  const store = useEditorStoreApi();
  const ready = useEditorStore((s) => s.rendered !== null && !s.rendering && s.photo !== null);
  /** The recorded camera performance's length, when one was recorded on the face on screen. */
  const recordingSeconds = useEditorStore((s) => (s.recording && s.recording.faceId === s.face?.faceId ? s.recording.durationMs / 1000 : null));
  const [seconds, setSeconds] = useState<number>(VIDEO_DEFAULTS.seconds);
  const [maxSide, setMaxSide] = useState<number>(VIDEO_DEFAULTS.maxSide);
  const [fps, setFps] = useState<number>(VIDEO_DEFAULTS.fps);
  const [format, setFormat] = useState<VideoFormat | 'auto'>('auto');
  const [job, setJob] = useState<Job>(null);
  const [message, setMessage] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  /** The sweep (the photo to the edit and back), or the recorded camera performance (`recorded`). */
  const save = async (recorded: boolean) => {
    const s = store.getState();
    if (!s.photo || !s.rendered) return;
    const { photo, rendered, reference, recording } = s;
    if (recorded && !recording) return;
    const size = videoSize(photo.width, photo.height, maxSide);
    const schedule = recorded && recording ? recordingSchedule(recording, fps) : null;
    const frames = schedule?.length ?? Math.max(2, Math.round(Math.min(VIDEO_MAX_SECONDS, Math.max(0.2, seconds)) * fps));
    const source =
      schedule && recording
        ? performanceFrames({ api: s.engine(), photo: photo.bitmap }, recording, schedule)
        : sweepFrames({ api: s.engine(), photo: photo.bitmap, editId: rendered.editId }, sweepIntensities(frames, rendered.intensity));
    const ctl = new AbortController();
    abort.current = ctl;
    setMessage(null);
    setJob({ done: 0, total: frames });
    const t0 = performance.now();
    try {
      const job = { ...size, frames, fps, format, draw: source.draw, signal: ctl.signal };
      const out = await encodeVideo({ ...job, onProgress: (done, total) => setJob({ done, total }) });
      const name = recorded
        ? `${photo.name.replace(/\.[^.]*$/, '') || 'photo'}-performance.${out.format}`
        : downloadName(photo.name, reference, rendered.intensity, Object.keys(s.unitEdits).length > 0, 'png').replace(/\.png$/, `.${out.format}`);
      saveBlob(out.blob, name);
      const perFrame = (performance.now() - t0) / frames;
      setMessage(`Saved ${name}: ${frames} frames, ${size.width}×${size.height}, ${(perFrame / 1000).toFixed(2)} s a frame.`);
    } catch (e) {
      if (e instanceof VideoCancelled) setMessage('The video was cancelled.');
      else {
        const detail = (e as { detail?: string; message?: string }).detail ?? (e as Error).message ?? String(e);
        setMessage(`The video could not be saved: ${detail}. If the edit changed meanwhile, save it again.`);
      }
    } finally {
      source.dispose();
      abort.current = null;
      setJob(null);
    }
  };

  return (
    <div className={`card${ready || job ? '' : ' disabled'}`} data-testid="video-panel">
      <h3>Video</h3>
      <div className="row wrap">
        <label className="field">
          <span>Length (s)</span>
          <input
            type="number"
            min={0.2}
            max={VIDEO_MAX_SECONDS}
            step={0.1}
            value={seconds}
            disabled={job !== null}
            onChange={(e) => setSeconds(Number(e.target.value))}
            data-testid="video-seconds"
          />
        </label>
        <Choice label="Size" value={maxSide} options={SIZES.map((v) => [v, `up to ${v} px`])} disabled={job !== null} onChange={setMaxSide} id="video-size" />
        <Choice label="Frames/s" value={fps} options={RATES.map((v) => [v, String(v)])} disabled={job !== null} onChange={setFps} id="video-fps" />
        <Choice label="Format" value={format} options={FORMATS} disabled={job !== null} onChange={setFormat} id="video-format" />
      </div>
      <div className="row wrap">
        <button
          type="button"
          disabled={!ready || job !== null}
          onClick={() => void save(false)}
          data-testid="video-save"
          title="The photo changing to the edit and back"
        >
          Save as video
        </button>
        {recordingSeconds !== null && (
          <button
            type="button"
            disabled={!ready || job !== null}
            onClick={() => void save(true)}
            data-testid="video-save-recording"
            title="The camera performance you recorded, as full frames of the photo (its length is the recording's)"
          >
            Save the recording ({recordingSeconds.toFixed(1)} s)
          </button>
        )}
        {job && (
          <>
            <progress max={job.total} value={job.done} data-testid="video-progress" />
            <button type="button" onClick={() => abort.current?.abort()} data-testid="video-cancel">
              Cancel
            </button>
          </>
        )}
      </div>
      {message && (
        <p className="hint" data-testid="video-message" role="status">
          {message}
        </p>
      )}
    </div>
  );
}
