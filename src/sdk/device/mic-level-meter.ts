/**
 * Live microphone level from a Web Audio AnalyserNode: RMS of the latest time-domain window, also
 * mapped to a 0..1 display level over a 60 dB range (-60 dBFS -> 0, 0 dBFS -> 1), which is how level
 * meters spread quiet speech over the bar instead of leaving it at the bottom.
 */

/** One reading. */
export interface MicLevel {
  /** Root mean square of the samples, 0..1 (full scale). */
  rms: number;
  /** Largest absolute sample, 0..1. */
  peak: number;
  /** Display level 0..1 on a 60 dB scale. */
  level: number;
}

/** Display range of {@link MicLevel.level}, in dB below full scale. */
export const METER_RANGE_DB = 60;

/** Maps an RMS value to the 0..1 display level. */
export function displayLevel(rms: number): number {
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + METER_RANGE_DB) / METER_RANGE_DB));
}

/** Measures one audio track's level. */
export class MicLevelMeter {
  readonly #context: AudioContext;
  readonly #ownsContext: boolean;
  readonly #source: MediaStreamAudioSourceNode;
  readonly #analyser: AnalyserNode;
  readonly #buffer: Float32Array<ArrayBuffer>;

  /** `track` is the microphone track; pass `context` to share an AudioContext. */
  constructor(track: MediaStreamTrack, options: { context?: AudioContext; fftSize?: number } = {}) {
    this.#ownsContext = !options.context;
    this.#context = options.context ?? new AudioContext();
    this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = options.fftSize ?? 1024;
    this.#buffer = new Float32Array(this.#analyser.fftSize);
    // The analyser is a sink: nothing is routed to the speakers, so there is no feedback.
    this.#source.connect(this.#analyser);
  }

  /** Resumes the AudioContext where autoplay rules suspended it (call from a user gesture). */
  resume(): Promise<void> {
    return this.#context.state === 'suspended' ? this.#context.resume() : Promise.resolve();
  }

  /** The current level. */
  read(): MicLevel {
    this.#analyser.getFloatTimeDomainData(this.#buffer);
    let sum = 0;
    let peak = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const v = this.#buffer[i]!;
      sum += v * v;
      const a = Math.abs(v);
      if (a > peak) peak = a;
    }
    const rms = Math.sqrt(sum / this.#buffer.length);
    return { rms, peak: Math.min(1, peak), level: displayLevel(rms) };
  }

  /** Disconnects; closes the AudioContext when the meter made it. */
  stop(): void {
    this.#source.disconnect();
    if (this.#ownsContext) void this.#context.close();
  }
}
