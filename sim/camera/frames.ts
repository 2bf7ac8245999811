/**
 * Camera frames of a phone showing a QR code, as a laptop camera at 640×480 sees it: a phone
 * (body, bezel, a wallet screen with a title, the amount, the code and a button) on a desk,
 * photographed through a pinhole camera at any distance and angle, then degraded the way
 * cheap webcams degrade a picture (defocus, motion, low contrast, dim light, sensor noise,
 * a reflection on the glass). Pure and seeded: the same seed gives the same frames, so a
 * frame a decoder missed can be rendered again from the seed the bench or test printed.
 *
 * The QR symbol comes from @zxing/library's encoder, the one renderer/qr uses for the
 * displays (sim/ may not import renderer/).
 */
import { QRCodeDecoderErrorCorrectionLevel, QRCodeEncoder } from '@zxing/library';
import { seededRandom } from '../faults/fault-proxy.ts';

export { seededRandom };

/** The shape the camera worker decodes: RGBA, 4 bytes per pixel, rows top to bottom. */
export interface Frame {
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
}

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

/** A QR symbol as modules, dark or light. */
export interface QrModules {
  size: number;
  dark: Uint8Array; // size × size, row-major, 1 = dark
}

export function qrModules(text: string, errorCorrection: 'L' | 'M' | 'Q' | 'H' = 'M'): QrModules {
  const matrix = QRCodeEncoder.encode(text, QRCodeDecoderErrorCorrectionLevel.fromString(errorCorrection)).getMatrix();
  const size = matrix.getWidth();
  const dark = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) dark[y * size + x] = matrix.get(x, y) === 1 ? 1 : 0;
  return { size, dark };
}

/** Where the phone is and how the picture of it is spoilt. Angles in degrees. */
export interface Shot {
  /** Height of the QR symbol (quiet zone excluded) as a fraction of the frame's height, before tilting. */
  qrHeight: number;
  /** Where the centre of the QR code lands in the frame, in pixels. */
  centerX: number;
  centerY: number;
  /** In-plane rotation of the phone. */
  roll: number;
  /** Out-of-plane tilt: about the phone's horizontal axis (top away) and its vertical axis. */
  tiltX: number;
  tiltY: number;
  /** Whether the screen shows the code (false: the wallet screen without it). */
  showsCode: boolean;
  /** Whether the phone is in the picture at all (false: an empty desk). */
  phoneInView: boolean;
  /** Defocus as a Gaussian's sigma, in pixels (0: sharp). */
  blurSigma: number;
  /** Horizontal motion blur: the length of the smear in pixels (0: none). */
  motionBlur: number;
  /** The screen's contrast: 1 = black modules on white, 0.25 = a dim, washed-out screen. */
  contrast: number;
  /** Exposure: scales every pixel (a dim room, a slow sensor). */
  exposure: number;
  /** Sensor noise: the standard deviation per channel, in 0..255 units. */
  noise: number;
  /** A reflection on the glass: where (pixels), how wide (sigma, pixels) and how strong (0..1, toward white). */
  glare: { x: number; y: number; sigma: number; strength: number } | null;
}

export const CLEAN_SHOT: Shot = {
  qrHeight: 0.5,
  centerX: FRAME_WIDTH / 2,
  centerY: FRAME_HEIGHT / 2,
  roll: 0,
  tiltX: 0,
  tiltY: 0,
  showsCode: true,
  phoneInView: true,
  blurSigma: 0.6,
  motionBlur: 0,
  contrast: 1,
  exposure: 1,
  noise: 2,
  glare: null,
};

// The phone, in millimetres on its own plane: origin at the centre of the QR code, v down.
const MODULE_MM = 0.55; // a version-13 code (69 modules) is 38 mm wide, as wallets show it
const PHONE = { left: -36, right: 36, top: -80, bottom: 70, radius: 9 };
const BEZEL_MM = 3;
const SCREEN = { left: PHONE.left + BEZEL_MM, right: PHONE.right - BEZEL_MM, top: PHONE.top + BEZEL_MM, bottom: PHONE.bottom - BEZEL_MM, radius: PHONE.radius - BEZEL_MM };
/** A laptop webcam: about 60° horizontally at 640 pixels. */
const FOCAL_PX = 554;

type Rgb = [number, number, number];
const BEZEL: Rgb = [22, 22, 26];
const SCREEN_WHITE: Rgb = [244, 246, 250];
const INK: Rgb = [18, 18, 22];
const BUTTON: Rgb = [40, 100, 220];

function insideRoundedRect(u: number, v: number, left: number, top: number, right: number, bottom: number, radius: number): boolean {
  if (u < left || u > right || v < top || v > bottom) return false;
  const dx = Math.max(left + radius - u, 0, u - (right - radius));
  const dy = Math.max(top + radius - v, 0, v - (bottom - radius));
  return dx * dx + dy * dy <= radius * radius;
}

// What is at a point of the phone: an index into the frame's palette (OFF_PHONE: the desk).
const OFF_PHONE = -1;
const [PAINT_BEZEL, PAINT_WHITE, PAINT_INK, PAINT_GREY, PAINT_BUTTON] = [0, 1, 2, 3, 4];

/** The palette of a shot: the screen's inks mixed toward its white by the shot's contrast. */
function palette(contrast: number): Float32Array {
  const ink = (colour: Rgb): Rgb => colour.map((c, i) => SCREEN_WHITE[i]! + (c - SCREEN_WHITE[i]!) * contrast) as Rgb;
  return new Float32Array([...BEZEL, ...SCREEN_WHITE, ...ink(INK), ...ink([110, 110, 118]), ...ink(BUTTON)]);
}

function paintAt(u: number, v: number, qr: QrModules | null): number {
  if (qr !== null) {
    // The code first: most samples of a close-up land on it.
    const half = (qr.size * MODULE_MM) / 2;
    const x = Math.floor((u + half) / MODULE_MM);
    const y = Math.floor((v + half) / MODULE_MM);
    if (x >= 0 && y >= 0 && x < qr.size && y < qr.size) return qr.dark[y * qr.size + x] === 1 ? PAINT_INK : PAINT_WHITE;
  }
  const inScreenCore = u > SCREEN.left && u < SCREEN.right && v > SCREEN.top + SCREEN.radius && v < SCREEN.bottom - SCREEN.radius;
  if (!inScreenCore) {
    if (!insideRoundedRect(u, v, PHONE.left, PHONE.top, PHONE.right, PHONE.bottom, PHONE.radius)) return OFF_PHONE;
    if (!insideRoundedRect(u, v, SCREEN.left, SCREEN.top, SCREEN.right, SCREEN.bottom, SCREEN.radius)) return PAINT_BEZEL;
  }
  // The wallet's screen around the code: status bar, merchant line, amount, a button.
  if (v > -74 && v < -71 && ((u > -28 && u < -21) || (u > 20 && u < 29))) return PAINT_INK;
  if (v > -52 && v < -48 && u > -24 && u < 24) return PAINT_GREY;
  if (v > -42 && v < -33 && u > -19 && u < 19) return PAINT_INK;
  if (v > 40 && v < 52 && u > -26 && u < 26) return PAINT_BUTTON;
  return PAINT_WHITE;
}

/** A wooden desk in frame coordinates: light falling off toward the bottom, and grain of a seeded phase. */
function deskTexture(random: () => number): (x: number, y: number) => number {
  const phase = random() * 100;
  const slope = 0.2 + random() * 0.3;
  const light = 0.75 + random() * 0.35;
  return (x, y) => {
    const grain = Math.sin((y + x * slope) * 0.09 + Math.sin(x * 0.013 + phase) * 3 + phase) * 0.5 + 0.5;
    return light * (0.8 + 0.2 * (1 - y / FRAME_HEIGHT)) * (0.85 + 0.15 * grain);
  };
}
const DESK: Rgb = [150, 112, 78];

type Matrix3 = [number, number, number, number, number, number, number, number, number];

function invert3(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}

/** The homography from the phone's plane (mm) to the frame (pixels) for a shot. */
function phoneToFrame(shot: Shot, qrSize: number): Matrix3 {
  const rad = Math.PI / 180;
  const [cr, sr] = [Math.cos(shot.roll * rad), Math.sin(shot.roll * rad)];
  const [cx, sx] = [Math.cos(shot.tiltX * rad), Math.sin(shot.tiltX * rad)];
  const [cy, sy] = [Math.cos(shot.tiltY * rad), Math.sin(shot.tiltY * rad)];
  // R = Rz(roll) · Ry(tiltY) · Rx(tiltX); only its first two columns matter for a plane.
  const ryrx: Matrix3 = [cy, sy * sx, sy * cx, 0, cx, -sx, -sy, cy * sx, cy * cx];
  const r = (row: number, col: number) =>
    row === 0 ? cr * ryrx[col]! - sr * ryrx[3 + col]! : row === 1 ? sr * ryrx[col]! + cr * ryrx[3 + col]! : ryrx[6 + col]!;
  // The distance at which the upright code spans qrHeight of the frame; the code's centre (the
  // plane's origin) sits at that depth and projects onto (centerX, centerY).
  const depth = (FOCAL_PX * qrSize * MODULE_MM) / (shot.qrHeight * FRAME_HEIGHT);
  const tx = ((shot.centerX - FRAME_WIDTH / 2) * depth) / FOCAL_PX;
  const ty = ((shot.centerY - FRAME_HEIGHT / 2) * depth) / FOCAL_PX;
  const [px, py] = [FRAME_WIDTH / 2, FRAME_HEIGHT / 2];
  return [
    FOCAL_PX * r(0, 0) + px * r(2, 0), FOCAL_PX * r(0, 1) + px * r(2, 1), FOCAL_PX * tx + px * depth,
    FOCAL_PX * r(1, 0) + py * r(2, 0), FOCAL_PX * r(1, 1) + py * r(2, 1), FOCAL_PX * ty + py * depth,
    r(2, 0), r(2, 1), depth,
  ];
}

/** Box sizes whose three passes approximate a Gaussian of `sigma` (Kutskir's method). */
function boxesForGauss(sigma: number): number[] {
  const ideal = Math.sqrt((12 * sigma * sigma) / 3 + 1);
  let lower = Math.floor(ideal);
  if (lower % 2 === 0) lower--;
  const upper = lower + 2;
  const m = Math.round((12 * sigma * sigma - 3 * lower * lower - 12 * lower - 9) / (-4 * lower - 4));
  return [0, 1, 2].map((i) => (i < m ? lower : upper));
}

/** A running-sum box blur of `radius` along rows (horizontal) or columns, edges clamped. */
function boxBlur(plane: Float32Array, width: number, height: number, radius: number, horizontal: boolean): void {
  if (radius <= 0) return;
  const [lines, length, step, lineStep] = horizontal ? [height, width, 1, width] : [width, height, width, 1];
  const line = new Float32Array(length);
  const scale = 1 / (2 * radius + 1);
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    for (let i = 0; i < length; i++) line[i] = plane[base + i * step]!;
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += line[Math.min(length - 1, Math.max(0, k))]!;
    for (let i = 0; i < length; i++) {
      plane[base + i * step] = sum * scale;
      sum += line[Math.min(length - 1, i + radius + 1)]! - line[Math.max(0, i - radius)]!;
    }
  }
}

function gaussianBlur(plane: Float32Array, width: number, height: number, sigma: number): void {
  if (sigma <= 0.3) return;
  for (const box of boxesForGauss(sigma)) {
    boxBlur(plane, width, height, (box - 1) / 2, true);
    boxBlur(plane, width, height, (box - 1) / 2, false);
  }
}

/**
 * Standard normal samples (Box–Muller), drawn once: a frame picks from them with its own
 * random stream, which is as good as fresh samples for sensor noise and far cheaper.
 */
const NORMALS = (() => {
  const random = seededRandom(0x5eed);
  const table = new Float32Array(1 << 16);
  for (let i = 0; i < table.length; i++) table[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return table;
})();

/**
 * One 640×480 frame of `shot`. `qr` is the code on the screen (ignored when the shot shows
 * none); `random` seeds the desk and the sensor noise.
 */
export function renderFrame(shot: Shot, qr: QrModules, random: () => number): Frame {
  const width = FRAME_WIDTH;
  const height = FRAME_HEIGHT;
  const desk = deskTexture(random);
  const toPhone = invert3(phoneToFrame(shot, qr.size));
  const code = shot.showsCode ? qr : null;
  const paints = palette(shot.contrast);
  const planes = [new Float32Array(width * height), new Float32Array(width * height), new Float32Array(width * height)] as const;
  // 2×2 samples a pixel: a sensor integrates light over its area; edges come out grey.
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = toPhone;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let onDesk = 0;
      for (let sample = 0; sample < 4; sample++) {
        let paint = OFF_PHONE;
        if (shot.phoneInView) {
          const fx = x + (sample & 1 ? 0.75 : 0.25);
          const fy = y + (sample & 2 ? 0.75 : 0.25);
          const w = h6 * fx + h7 * fy + h8;
          // w ≤ 0: behind the camera, so never on the phone.
          if (w > 0) paint = paintAt((h0 * fx + h1 * fy + h2) / w, (h3 * fx + h4 * fy + h5) / w, code);
        }
        if (paint === OFF_PHONE) {
          onDesk++;
          continue;
        }
        r += paints[paint * 3]!;
        g += paints[paint * 3 + 1]!;
        b += paints[paint * 3 + 2]!;
      }
      if (onDesk > 0) {
        const shade = desk(x + 0.5, y + 0.5) * onDesk;
        r += DESK[0] * shade;
        g += DESK[1] * shade;
        b += DESK[2] * shade;
      }
      const i = y * width + x;
      planes[0][i] = r / 4;
      planes[1][i] = g / 4;
      planes[2][i] = b / 4;
    }
  }
  for (const plane of planes) {
    gaussianBlur(plane, width, height, shot.blurSigma);
    if (shot.motionBlur > 0) {
      const radius = Math.max(1, Math.round(shot.motionBlur / 2));
      boxBlur(plane, width, height, radius, true);
    }
  }
  const pixels = new Uint8ClampedArray(width * height * 4);
  const glare = shot.glare;
  const mask = NORMALS.length - 1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      // A reflection washes the picture out toward white, strongest at its centre.
      const shine = glare === null ? 0 : glare.strength * Math.exp(-((x - glare.x) ** 2 + (y - glare.y) ** 2) / (2 * glare.sigma * glare.sigma));
      const noise = shot.noise > 0 ? (random() * NORMALS.length) | 0 : -1;
      for (let c = 0; c < 3; c++) {
        let value = planes[c]![i]! * shot.exposure;
        value += (255 - value) * shine;
        if (noise >= 0) value += NORMALS[(noise + c * 7919) & mask]! * shot.noise;
        pixels[i * 4 + c] = value; // Uint8ClampedArray rounds and clamps
      }
      pixels[i * 4 + 3] = 255;
    }
  }
  return { width, height, pixels };
}

/** The QR code's height in pixels for a shot (upright, before tilting). */
export function qrPixels(shot: Shot): number {
  return shot.qrHeight * FRAME_HEIGHT;
}

/**
 * A degradation class and its levels: each condition draws shots around a setting, with
 * the small hand-held variation of position, angle and size every capture has.
 */
export interface Condition {
  /** The degradation class: `clean`, `small`, `blurred`, `angled`, `contrast`, `glare` or `no-code`. */
  group: string;
  /** The condition's name, unique: `blurred-sigma-2`. */
  name: string;
  /** In words, for the docs' tables. */
  description: string;
  /** Whether a decoder should find the code (false: a frame without one; any read is a false read). */
  hasCode: boolean;
  shot(random: () => number): Shot;
}

const between = (random: () => number, low: number, high: number) => low + (high - low) * random();
const sign = (random: () => number) => (random() < 0.5 ? -1 : 1);

/** A hand-held shot around `changes`: the code near the middle, slightly turned and tilted. */
function handHeld(random: () => number, changes: Partial<Shot> = {}): Shot {
  const qrHeight = changes.qrHeight ?? between(random, 0.45, 0.55);
  const room = (1 - qrHeight) / 2;
  return {
    ...CLEAN_SHOT,
    qrHeight: qrHeight * between(random, 0.95, 1.05),
    centerX: FRAME_WIDTH / 2 + between(random, -1, 1) * Math.min(60, room * FRAME_HEIGHT),
    centerY: FRAME_HEIGHT / 2 + between(random, -1, 1) * Math.min(40, room * FRAME_HEIGHT * 0.6),
    roll: between(random, -4, 4),
    tiltX: between(random, -5, 5),
    tiltY: between(random, -5, 5),
    noise: between(random, 1.5, 3),
    ...changes,
  };
}

function tilted(random: () => number, degrees: number): Shot {
  const direction = random() * 2 * Math.PI;
  return handHeld(random, { tiltX: degrees * Math.cos(direction), tiltY: degrees * Math.sin(direction), roll: between(random, -10, 10), qrHeight: between(random, 0.45, 0.55) });
}

function glared(random: () => number, relativeSigma: number, strength: number): Shot {
  const shot = handHeld(random);
  const size = qrPixels(shot);
  return {
    ...shot,
    glare: {
      x: shot.centerX + between(random, -0.25, 0.25) * size,
      y: shot.centerY + between(random, -0.25, 0.25) * size,
      sigma: relativeSigma * size,
      strength,
    },
  };
}

/** Every condition the bench measures and the tests sample, by degradation class. */
export const CONDITIONS: readonly Condition[] = [
  { group: 'clean', name: 'clean', description: 'code 45–55 % of the height, upright, in focus', hasCode: true, shot: (r) => handHeld(r) },
  ...[45, 35, 30, 25].map((percent): Condition => ({
    group: 'small',
    name: `small-${percent}`,
    description: `code ${percent} % of the height (${((percent / 100) * FRAME_HEIGHT / 69).toFixed(1)} px a module)`,
    hasCode: true,
    shot: (r) => handHeld(r, { qrHeight: percent / 100, noise: between(r, 2, 4) }),
  })),
  ...[1, 1.5, 2].map((sigma): Condition => ({
    group: 'blurred',
    name: `blurred-sigma-${sigma}`,
    description: `out of focus: Gaussian σ ${sigma} px`,
    hasCode: true,
    shot: (r) => handHeld(r, { blurSigma: sigma }),
  })),
  ...[4, 8].map((pixels): Condition => ({
    group: 'blurred',
    name: `blurred-motion-${pixels}`,
    description: `moving: a ${pixels} px horizontal smear`,
    hasCode: true,
    shot: (r) => handHeld(r, { motionBlur: pixels }),
  })),
  ...[25, 45].map((degrees): Condition => ({
    group: 'angled',
    name: `angled-roll-${degrees}`,
    description: `turned ${degrees}° in the plane`,
    hasCode: true,
    shot: (r) => handHeld(r, { roll: sign(r) * between(r, degrees - 5, degrees + 5) }),
  })),
  ...[30, 45].map((degrees): Condition => ({
    group: 'angled',
    name: `angled-tilt-${degrees}`,
    description: `tilted ${degrees}° away from the camera (perspective), turned up to 10°`,
    hasCode: true,
    shot: (r) => tilted(r, degrees),
  })),
  { group: 'contrast', name: 'contrast-40', description: 'washed-out screen: 40 % contrast, noise σ 4', hasCode: true, shot: (r) => handHeld(r, { contrast: 0.4, noise: 4 }) },
  { group: 'contrast', name: 'contrast-25-noisy', description: '25 % contrast, noise σ 10', hasCode: true, shot: (r) => handHeld(r, { contrast: 0.25, noise: 10 }) },
  { group: 'contrast', name: 'dim', description: 'dim room: exposure 35 %, noise σ 8', hasCode: true, shot: (r) => handHeld(r, { exposure: 0.35, noise: 8 }) },
  { group: 'glare', name: 'glare-spot', description: 'a bright reflection (σ 12 % of the code, 90 %) on the code', hasCode: true, shot: (r) => glared(r, 0.12, 0.9) },
  { group: 'glare', name: 'glare-wide', description: 'a wide reflection (σ 30 % of the code, 70 %) over the code', hasCode: true, shot: (r) => glared(r, 0.3, 0.7) },
  {
    group: 'no-code',
    name: 'no-code',
    description: 'the desk, or the wallet screen before it shows a code',
    hasCode: false,
    shot: (r) => (r() < 0.5 ? handHeld(r, { showsCode: false }) : { ...CLEAN_SHOT, phoneInView: false, noise: between(r, 1.5, 3) }),
  },
];

export interface CorpusFrame {
  condition: Condition;
  /** The text the code holds ('' for a frame without one). */
  text: string;
  shot: Shot;
  frame: Frame;
}

export interface CorpusOptions {
  seed: number;
  /** The `KP1:` texts to show, used in turn. */
  texts: readonly string[];
  /** Frames per condition. */
  perCondition: number;
  /** Only these conditions (default: all). */
  conditions?: readonly Condition[];
}

/** The frames of every condition, reproducible from the seed (the texts are inputs). */
export function* corpus(options: CorpusOptions): Generator<CorpusFrame> {
  const codes = options.texts.map((text) => ({ text, qr: qrModules(text) }));
  if (codes.length === 0) throw new RangeError('corpus needs at least one text');
  let n = 0;
  for (const [index, condition] of (options.conditions ?? CONDITIONS).entries()) {
    // One stream per condition, so adding frames to one condition does not move the others'.
    const random = seededRandom((options.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    for (let i = 0; i < options.perCondition; i++, n++) {
      const code = codes[n % codes.length]!;
      const shot = condition.shot(random);
      yield { condition, text: condition.hasCode ? code.text : '', shot, frame: renderFrame(shot, code.qr, random) };
    }
  }
}
