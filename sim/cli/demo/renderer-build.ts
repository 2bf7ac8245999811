/**
 * The built cashier UI for `kassa demo` (and the UI's benchmarks): dist/renderer, rebuilt with
 * vite when it is missing or older than any source file it is built from — renderer/, and
 * what the renderer imports from main/contract/, protocol/ and base/common/.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_DIST = join(ROOT, 'dist', 'renderer');
const SOURCE_DIRS = ['renderer', 'main/contract', 'protocol', 'base/common'];
const VITE = join(ROOT, 'node_modules', '.bin', 'vite');

/** Newest modification time (ms) of the files under `dir` that a build reads (tests excluded). */
function newestSource(dir: string): { mtimeMs: number; path: string } {
  let newest = { mtimeMs: 0, path: '' };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.test\.tsx?$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(path);
    if (mtimeMs > newest.mtimeMs) newest = { mtimeMs, path };
  }
  return newest;
}

/** Why the renderer of the checkout at `root` needs building, or undefined when its dist/renderer is up to date. */
export function rendererBuildNeeded(root = ROOT): string | undefined {
  const index = join(root, 'dist', 'renderer', 'index.html');
  if (!existsSync(index)) return `${index} does not exist`;
  const built = statSync(index).mtimeMs;
  const newest = SOURCE_DIRS.map((dir) => join(root, dir))
    .filter((dir) => existsSync(dir))
    .map(newestSource)
    .reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a), { mtimeMs: 0, path: '' });
  return newest.mtimeMs > built ? `${newest.path.slice(join(root, '/').length)} changed after the last build` : undefined;
}

/** Builds the renderer with vite when it needs it; resolves with why it built, or undefined. */
export async function ensureRendererBuilt(log: (line: string) => void = () => undefined): Promise<string | undefined> {
  const why = rendererBuildNeeded();
  if (why === undefined) return undefined;
  if (!existsSync(VITE)) throw new Error(`the cashier UI is not built (${why}) and vite is not installed here: run npm ci, then npm run build:ui`);
  log(`building the cashier UI with vite (${why})`);
  const child = spawn(VITE, ['build', '--config', join(ROOT, 'renderer', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8192)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`vite could not build the cashier UI (exit ${code}): ${stderr.trim()}`);
  return why;
}
