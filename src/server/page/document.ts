/**
 * The dashboard page's HTML, for the live server (assets by URL) and for self-contained reports
 * (everything inlined, the data as JSON). uPlot comes from the installed `uplot` package, read at
 * run time, so the page works offline and never touches a CDN.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DashboardSnapshot } from '../dashboard-state.js';
import { DASHBOARD_SCRIPT } from './script.js';
import { DASHBOARD_CSS } from './style.js';

export interface UplotAssets {
  readonly js: string;
  readonly css: string;
}

let uplot: UplotAssets | undefined;

/** uPlot's browser build and stylesheet from node_modules (read once). */
export function uplotAssets(): UplotAssets {
  if (uplot === undefined) {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    uplot = { js, css };
  }
  return uplot;
}

/** The page's header (its visible heading, escaped here) and the runs container. */
const controls = (heading: string): string => `
<header class="top">
  <h1>${escapeHtml(heading)}</h1>
  <button id="pause" type="button" aria-pressed="false">Pause</button>
  <label>smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="0.6"><span id="smoothing-value">0.60</span></label>
  <label>x-axis <select id="x-axis"><option value="step">step</option><option value="time">wall time</option></select></label>
  <button id="export" type="button">Export CSV</button>
  <span id="connection">connecting</span>
</header>
<main id="runs"><div class="empty">Waiting for data</div></main>`;

/** The live page: assets from `/assets/*`, data over the `/ws` websocket. */
export function livePageHtml(title = 'goodhart dashboard'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/uplot.css">
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>${controls('goodhart')}
<script src="/assets/uplot.js"></script>
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;
}

export interface ReportHtmlConfig {
  /** Page title, shown as the page's heading too. Default `'goodhart report'`. */
  readonly title?: string;
}

/**
 * A self-contained HTML report of a snapshot: the dashboard's own page code and uPlot inlined,
 * the data inlined as JSON in `<script type="application/json" id="goodhart-data">` (escaped so
 * no `</script>` or `<!--` in model output can end or confuse the element), and a
 * Content-Security-Policy that admits only those exact inline scripts and styles (by hash), no
 * network at all. Opens offline from disk.
 *
 * @example
 * const state = new DashboardState();
 * for (const item of items) state.add(item);
 * await writeFile('report.html', renderReportHtml(state.snapshot()));
 */
export function renderReportHtml(snapshot: DashboardSnapshot, config: ReportHtmlConfig = {}): string {
  const assets = uplotAssets();
  const title = config.title ?? 'goodhart report';
  const data = scriptSafeJson(snapshot);
  const scripts = [assets.js, DASHBOARD_SCRIPT].map(scriptSafe);
  const styles = [assets.css, DASHBOARD_CSS].map(styleSafe);
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256Source).join(' ')}`,
    `style-src ${styles.map(sha256Source).join(' ')}`,
    'img-src data: blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${styles[0]!}</style>
<style>${styles[1]!}</style>
</head>
<body>${controls(title)}
<script type="application/json" id="goodhart-data">${data}</script>
<script>${scripts[0]!}</script>
<script>${scripts[1]!}</script>
</body>
</html>
`;
}

/**
 * JSON that can sit inside a `<script>` element: `<`, `>`, `&` and the line separators U+2028/9
 * become `\u` escapes, so neither `</script>` nor `<!--` can appear, and `JSON.parse` of the
 * element's text gives the value back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Guards inlined library code: no `</script` or `<!--` may end or confuse the element. */
function scriptSafe(code: string): string {
  if (/<\/script|<!--/i.test(code)) throw new Error('inline script contains </script or <!--; refusing to inline it');
  return code;
}

function styleSafe(css: string): string {
  if (/<\/style/i.test(css)) throw new Error('inline style contains </style; refusing to inline it');
  return css;
}

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
