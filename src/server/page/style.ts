/**
 * The dashboard page's stylesheet, a TS module exporting a string so it reaches dist/ through
 * `tsc` and is served (or inlined into reports) by plain node with no build step.
 */
export const DASHBOARD_CSS = String.raw`
:root { color-scheme: light; --fg: #1d2330; --muted: #5c6578; --line: #dde1ea; --bg: #f6f7fa;
  --healthy: #1f7a3d; --warning: #9a6400; --hacking: #b3261e; --collapse: #6b3fa0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 8px 16px; background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 10; }
header.top h1 { font-size: 16px; margin: 0 12px 0 0; overflow-wrap: anywhere; }
header.top label { color: var(--muted); display: inline-flex; align-items: center; gap: 6px; }
header.top button, header.top select { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
#connection { margin-left: auto; color: var(--muted); font-size: 12px; }
#connection.live::before { content: "\25CF "; color: var(--healthy); }
#connection.down::before { content: "\25CF "; color: var(--hacking); }
#runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(620px, 1fr)); gap: 16px; padding: 16px; }
#runs .empty { color: var(--muted); padding: 40px; text-align: center; }
section.run { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; min-width: 0; }
section.run > h2 { font-size: 15px; margin: 0 0 8px; display: flex; gap: 12px; align-items: baseline; }
section.run > h2 .counts { font-weight: normal; color: var(--muted); font-size: 12px; }
.banner { border-radius: 6px; padding: 10px 14px; color: #fff; margin-bottom: 12px; }
.banner.healthy { background: var(--healthy); }
.banner.warning { background: var(--warning); }
.banner.hacking { background: var(--hacking); }
.banner.collapse { background: var(--collapse); }
.banner .headline { font-size: 18px; font-weight: 600; }
.banner .since { font-size: 13px; opacity: 0.9; margin-left: 8px; }
.banner ol { margin: 6px 0 0; padding-left: 20px; }
.banner li { margin: 2px 0; }
.group { margin: 10px 0 4px; }
.group > h3 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 0 0 4px; border-bottom: 1px solid var(--line); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 8px 12px; }
.chart .uplot { width: 100%; }
.chart { min-width: 0; }
.chart .title { font-size: 12px; color: var(--muted); margin: 2px 0; }
.chart .u-legend { font-size: 11px; }
.share { display: flex; height: 18px; border-radius: 3px; overflow: hidden; margin: 4px 0 2px; border: 1px solid var(--line); }
.share span { display: block; height: 100%; }
.share-legend { font-size: 11px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 10px; }
.share-legend i { display: inline-block; width: 9px; height: 9px; margin-right: 3px; border-radius: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
tr.alert-row { cursor: pointer; }
tr.alert-row:hover, tr.alert-row.selected { background: #eef2fb; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 11px; }
.sev.critical { color: var(--hacking); }
.sev.warning { color: var(--warning); }
.sev.info { color: var(--muted); }
.state-resolved { color: var(--muted); }
.scroll { max-height: 260px; overflow: auto; }
.text { white-space: pre-wrap; word-break: break-word; max-height: 120px; overflow: auto; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 11px; background: #f8f9fb; padding: 3px 5px; border-radius: 3px; }
.evidence { font-size: 12px; margin: 4px 0; color: var(--muted); }
.evidence button { font: inherit; font-size: 11px; margin-left: 8px; }
.problems { font-size: 12px; color: var(--warning); }
.muted { color: var(--muted); }
`;
