/**
 * The few pages the shell serves itself, under the same protocol and CSP as the renderer:
 * the operator screen that says why the terminal cannot start and what to do about it, and a
 * placeholder until the renderer is built. Static HTML with one stylesheet, no script.
 */
import type { ShellPage } from './app-protocol.ts';

export const SHELL_STYLESHEET_PATH = '/__kassa/shell.css';
export const PROBLEM_PAGE_PATH = '/__kassa/problem.html';

/** Something that keeps the terminal from starting, as the operator screen shows it. */
export interface ShellProblem {
  code: string;
  title: string;
  /** What happened, in one or two sentences. */
  message: string;
  /** What the operator can do about it, one step per entry. */
  steps: readonly string[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLESHEET = `body { font: 18px/1.5 system-ui, sans-serif; margin: 0; padding: 3rem; color: #1b1b1b; background: #fafafa; }
main { max-width: 46rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
.code { font-family: ui-monospace, monospace; color: #555; }
li { margin: 0.4rem 0; }
code { font-family: ui-monospace, monospace; background: #eee; padding: 0 0.2rem; }
`;

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${SHELL_STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** `code` spans in steps are written as `like this` and rendered as <code>. */
function withCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

export function problemPage(problem: ShellProblem): ShellPage {
  const steps = problem.steps.map((step) => `<li>${withCode(step)}</li>`).join('\n');
  return {
    type: 'text/html; charset=utf-8',
    body: document(
      `Kassa cannot start: ${problem.title}`,
      `<h1>Kassa cannot start: ${escapeHtml(problem.title)}</h1>
<p>${withCode(problem.message)}</p>
<p class="code">${escapeHtml(problem.code)}</p>
<h2>What to do</h2>
<ol>
${steps}
</ol>
<p>Close this window when done; Kassa starts again the next time it is opened.</p>`,
    ),
  };
}

export const PLACEHOLDER_PAGE: ShellPage = {
  type: 'text/html; charset=utf-8',
  body: document(
    'Kassa',
    `<h1>Kassa</h1>
<p>The terminal is running, but the cashier screen has not been built into this copy of the app
(<code>dist/renderer/index.html</code> is missing). The app API is available to this page as
<code>window.kassa</code>.</p>`,
  ),
};

/** The pages a shell serves from memory, the problem page among them once there is one. */
export function shellPages(problem?: ShellProblem): Map<string, ShellPage> {
  const pages = new Map<string, ShellPage>([[SHELL_STYLESHEET_PATH, { type: 'text/css; charset=utf-8', body: STYLESHEET }]]);
  if (problem !== undefined) pages.set(PROBLEM_PAGE_PATH, problemPage(problem));
  return pages;
}
