/**
 * The laptop camera as a scanner: a preview at 640×480, a camera picker, and pictures sent
 * one at a time to the decoding Web Worker (docs/camera.md). The UI thread only asks the
 * browser for a scaled copy of the current video frame (`createImageBitmap`, done off the
 * thread) and hands it over; reading its pixels and decoding happen in the worker. A
 * decoded `KP1:` text is handed to the host once (the same text again within a few seconds
 * is the same payment still in front of the lens).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppError } from '../../../main/contract/app-api.ts';
import type { WorkerAnswer, WorkerRequest } from './camera-worker.ts';

export interface CameraPanelProps {
  onText: (text: string) => Promise<void>;
  onError: (error: AppError) => void;
}

const WIDTH = 640;
const HEIGHT = 480;
const SAME_TEXT_QUIET_MS = 5_000;

export function CameraPanel({ onText, onError }: CameraPanelProps) {
  const { t } = useTranslation();
  const [on, setOn] = useState(false);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef({ onText, onError });
  latest.current = { onText, onError };

  useEffect(() => {
    if (!on) return;
    let stopped = false;
    let stream: MediaStream | undefined;
    const worker = new Worker(new URL('./camera-worker.ts', import.meta.url), { type: 'module' });
    let nextId = 1;
    let inFlight = false;
    let last = { text: '', at: 0 };

    worker.onmessage = (message: MessageEvent<WorkerAnswer>) => {
      inFlight = false;
      const answer = message.data;
      if ('error' in answer) {
        // The decoder could not start (or broke): say so rather than scan in vain, camera off.
        stopped = true;
        for (const track of stream?.getTracks() ?? []) track.stop();
        setProblem(t('camera.decoderFailed', { detail: answer.error }));
        return;
      }
      if (answer.text === null) return;
      const text = answer.text;
      if (!/^K[PRA]1:/.test(text)) return;
      const now = Date.now();
      if (text === last.text && now - last.at < SAME_TEXT_QUIET_MS) return;
      last = { text, at: now };
      void latest.current.onText(text).catch((error: AppError) => latest.current.onError(error));
    };

    const send = async (element: HTMLVideoElement) => {
      // A bigger camera picture is scaled down to fit 640×480, keeping its proportions.
      const scale = Math.min(1, WIDTH / element.videoWidth, HEIGHT / element.videoHeight);
      const picture = await createImageBitmap(element, { resizeWidth: Math.round(element.videoWidth * scale), resizeHeight: Math.round(element.videoHeight * scale) });
      if (stopped) return picture.close();
      const request: WorkerRequest = { id: nextId++, picture };
      worker.postMessage(request, [picture]);
    };

    // One picture in flight: while the worker decodes, newer frames are skipped, not queued.
    const grab = () => {
      if (stopped) return;
      const element = video.current;
      if (element !== null && element.readyState >= 2 && element.videoWidth > 0 && !inFlight) {
        inFlight = true;
        send(element).catch(() => {
          inFlight = false; // a frame the browser could not copy; the next one will do
        });
      }
      element?.requestVideoFrameCallback(grab);
    };

    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: WIDTH, height: HEIGHT, ...(cameraId === undefined ? {} : { deviceId: { exact: cameraId } }) }, audio: false });
        if (stopped) {
          for (const track of stream.getTracks()) track.stop();
          return;
        }
        setCameras((await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput'));
        const element = video.current!;
        element.srcObject = stream;
        await element.play();
        setProblem(null);
        element.requestVideoFrameCallback(grab);
      } catch (error) {
        setProblem((error as Error).name === 'NotAllowedError' ? t('camera.denied') : t('camera.unavailable', { detail: (error as Error).message }));
      }
    })();

    return () => {
      stopped = true;
      worker.terminate();
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [on, cameraId, t]);

  if (!on) {
    return (
      <button type="button" className="button secondary large" onClick={() => setOn(true)}>
        {t('camera.start')}
      </button>
    );
  }
  return (
    <div className="camera-panel">
      <video ref={video} className="camera-preview" width={320} height={240} muted playsInline aria-label={t('camera.preview')} />
      {problem !== null && <p className="camera-problem" role="alert">{problem}</p>}
      <div className="camera-controls">
        {cameras.length > 1 && (
          <label>
            {t('camera.choose')}{' '}
            <select value={cameraId ?? ''} onChange={(event) => setCameraId(event.target.value || undefined)}>
              {cameras.map((camera, index) => (
                <option key={camera.deviceId} value={camera.deviceId}>
                  {camera.label || t('camera.numbered', { n: index + 1 })}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" className="button secondary" onClick={() => setOn(false)}>
          {t('camera.stop')}
        </button>
      </div>
    </div>
  );
}
