import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DashboardState } from '../../src/server/dashboard-state.js';
import { escapeHtml, renderReportHtml, scriptSafeJson } from '../../src/server/page/document.js';
import { DASHBOARD_SCRIPT } from '../../src/server/page/script.js';

const HOSTILE = '</script><script>window.__pwned=1</script><!-- <img src=x onerror=alert(1)> \u2028';

function reportOf(text: string): string {
  const state = new DashboardState({ now: () => 0 });
  state.add({ step: 1, metrics: { 'reward/mean': 1 } }, { channel: text });
  state.add({ step: 1, response: text }, { channel: text });
  return renderReportHtml(state.snapshot(), { title: text });
}

describe('renderReportHtml', () => {
  it('inlines the data so that no model text can close or confuse its script element', () => {
    const html = reportOf(HOSTILE);
    const open = '<script type="application/json" id="goodhart-data">';
    const start = html.indexOf(open) + open.length;
    const end = html.indexOf('</script>', start);
    const inlined = html.slice(start, end);
    expect(inlined).not.toMatch(/<\/script|<!--|<script/i);
    const data = JSON.parse(inlined);
    expect(data.channels[0].channel).toBe(HOSTILE);
    expect(data.channels[0].samples[0].response).toBe(HOSTILE);
    // The title is escaped too, in <title> and in the page's heading.
    expect(html).toContain(`<title>${escapeHtml(HOSTILE)}</title>`);
    expect(html).toContain(`<h1>${escapeHtml(HOSTILE)}</h1>`);
    // Exactly the three script elements written: the JSON data, uPlot, the page code.
    expect(html.match(/<script/g)).toHaveLength(3);
  });

  it('allows exactly its own inline scripts by hash, and no network', () => {
    const html = reportOf('run');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const hash = `'sha256-${createHash('sha256').update(DASHBOARD_SCRIPT).digest('base64')}'`;
    expect(csp).toContain(hash);
    expect(html).toContain(`<script>${DASHBOARD_SCRIPT}</script>`);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('property: scriptSafeJson round-trips any value and never contains < > &', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = scriptSafeJson(value);
        expect(text).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
    expect(scriptSafeJson({ a: '</script><!--' })).toBe('{"a":"\\u003c/script\\u003e\\u003c!--"}');
  });

  it('the page script never assigns innerHTML or outerHTML and parses as a script', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(() => new Script(DASHBOARD_SCRIPT)).not.toThrow();
  });
});
