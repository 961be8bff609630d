/**
 * Speaker test: a short tone played through an <audio> element routed to the chosen output device
 * with `setSinkId` where the browser supports it (Chromium, Firefox 116+, Safari does not). Whether
 * the person heard it is theirs to say; this reports what was played where.
 */

/** What was played. */
export interface SpeakerTestResult {
  /** The output device the tone went to ('' = the default device). */
  sinkId: string;
  /** Whether the device could be chosen (false: played on the default output). */
  routed: boolean;
  durationMs: number;
}

/** Options of {@link playTestTone}. */
export interface SpeakerTestOptions {
  /** Output device id; '' or absent = default. */
  sinkId?: string;
  durationMs?: number;
  frequencyHz?: number;
  signal?: AbortSignal;
}

/** Plays a soft two-tone chime on the chosen output; resolves when it has finished. */
export async function playTestTone(options: SpeakerTestOptions = {}): Promise<SpeakerTestResult> {
  const durationMs = options.durationMs ?? 1200;
  const frequency = options.frequencyHz ?? 660;
  const context = new AudioContext();
  const destination = context.createMediaStreamDestination();
  const gain = context.createGain();
  const oscillator = context.createOscillator();
  oscillator.type = 'sine';
  const t0 = context.currentTime;
  const end = t0 + durationMs / 1000;
  oscillator.frequency.setValueAtTime(frequency, t0);
  oscillator.frequency.setValueAtTime(frequency * 1.25, t0 + durationMs / 2000);
  // Fade in and out so the tone does not click.
  gain.gain.setValueAtTime(0, t0);
  gain.gain.linearRampToValueAtTime(0.25, t0 + 0.05);
  gain.gain.setValueAtTime(0.25, end - 0.1);
  gain.gain.linearRampToValueAtTime(0, end);
  oscillator.connect(gain).connect(destination);
  const audio = new Audio();
  audio.srcObject = destination.stream;
  const sinkId = options.sinkId ?? '';
  let routed = false;
  try {
    if (sinkId && 'setSinkId' in audio) {
      await (audio as HTMLAudioElement & { setSinkId(id: string): Promise<void> }).setSinkId(sinkId);
      routed = true;
    }
    if (context.state === 'suspended') await context.resume();
    await audio.play();
    oscillator.start(t0);
    oscillator.stop(end);
    await new Promise<void>((resolve, reject) => {
      oscillator.onended = () => resolve();
      options.signal?.addEventListener('abort', () => reject(new DOMException('speaker test aborted', 'AbortError')), { once: true });
    });
    return { sinkId: routed ? sinkId : '', routed, durationMs };
  } finally {
    audio.pause();
    audio.srcObject = null;
    void context.close();
  }
}
