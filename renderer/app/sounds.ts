/**
 * The till's two sounds, made with Web Audio (no files to ship): "paid" is a bright rising
 * two-note chime, "refused" two low buzzes — different in pitch, rhythm and timbre, so a
 * cashier who is not looking at the screen knows which it was.
 */
let context: AudioContext | undefined;

function audio(): AudioContext | undefined {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
    return context;
  } catch {
    return undefined; // no audio device: the screen still says it
  }
}

function tone(ctx: AudioContext, frequency: number, start: number, duration: number, type: OscillatorType, volume: number): void {
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  oscillator.type = type;
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0, start);
  gain.gain.linearRampToValueAtTime(volume, start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.001, start + duration);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(start);
  oscillator.stop(start + duration + 0.02);
}

export function playPaid(): void {
  const ctx = audio();
  if (ctx === undefined) return;
  const t = ctx.currentTime;
  tone(ctx, 1046.5, t, 0.18, 'sine', 0.3); // C6
  tone(ctx, 1318.5, t + 0.12, 0.35, 'sine', 0.3); // E6
}

export function playRefused(): void {
  const ctx = audio();
  if (ctx === undefined) return;
  const t = ctx.currentTime;
  tone(ctx, 196, t, 0.22, 'square', 0.15); // G3
  tone(ctx, 196, t + 0.3, 0.22, 'square', 0.15);
}
