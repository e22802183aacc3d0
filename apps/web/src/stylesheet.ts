/**
 * The dashboard's one stylesheet, served from /style.css (CSP style-src 'self': no inline styles anywhere).
 * Colours keep at least 4.5:1 contrast on their backgrounds (WCAG 2.2 AA); layout is one column on a phone.
 */
import { createHash } from 'node:crypto';

export const STYLESHEET = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.5;
  color: #1b1f24; background: #f6f7f9; }
body { margin: 0; }
a { color: #0b57b0; }
a:hover { color: #073b78; }
:focus-visible { outline: 3px solid #b3570a; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 1rem;
  background: #17324d; color: #fff; }
.top a, .top .link { color: #fff; }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; }
.top ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
.top a[aria-current="page"] { font-weight: 700; text-underline-offset: .3em; text-decoration-thickness: 2px; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; }
.bottom { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #4a525c; font-size: .9rem; }
.card { background: #fff; border: 1px solid #d5d9de; border-radius: 6px; padding: 1rem; margin: 1rem 0; }
.field { margin: 0 0 1rem; display: flex; flex-direction: column; gap: .25rem; max-width: 32rem; }
.field.check { flex-direction: row; flex-wrap: wrap; align-items: center; gap: .5rem; }
.field.check .hint { flex-basis: 100%; }
label { font-weight: 600; }
.hint { color: #4a525c; font-size: .9rem; }
input[type="text"], input[type="email"], input[type="password"], input[type="search"], textarea, select {
  font: inherit; padding: .5rem .6rem; border: 1px solid #6b737d; border-radius: 4px; background: #fff;
  color: inherit; width: 100%; }
input[type="checkbox"] { width: 1.2rem; height: 1.2rem; }
button { font: inherit; padding: .5rem 1rem; border: 1px solid #0b57b0; border-radius: 4px; background: #0b57b0;
  color: #fff; cursor: pointer; }
button:hover { background: #073b78; }
button.danger { background: #a1161d; border-color: #a1161d; }
button.danger:hover { background: #7a1015; }
button.link { background: none; border: none; padding: 0; text-decoration: underline; color: inherit; }
form.inline { display: inline; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: 1rem 0; }
.flash { padding: .75rem 1rem; border-radius: 4px; border-left: 6px solid; }
.flash-ok { background: #e6f4ea; border-color: #1e7b34; color: #124d21; }
.flash-error { background: #fdecec; border-color: #a1161d; color: #6e0f13; }
.secret { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 1.1rem;
  background: #fffbe6; border: 1px dashed #8a6d00; padding: .5rem .75rem; word-break: break-all; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid #d5d9de; }
th { background: #eef1f4; }
td.value, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9rem;
  word-break: break-all; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-weight: 600; font-size: .85rem;
  border: 1px solid; }
.status-ok, .status-delivered { background: #e6f4ea; color: #124d21; }
.status-missing, .status-pending, .status-deferred { background: #fff4e5; color: #6b3a00; }
.status-wrong, .status-failed { background: #fdecec; color: #6e0f13; }
dt { font-weight: 600; }
dd { margin: 0 0 .75rem; }
.plain { list-style: none; margin: 0; padding: 0; }
.pager { display: flex; gap: 1rem; align-items: center; margin: 1rem 0; }
.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; }
.search .field { margin: 0; flex: 1 1 14rem; }
@media (min-width: 40.01rem) {
  td.record-name { white-space: nowrap; }
}
@media (max-width: 40rem) {
  table.stack thead { position: absolute; left: -9999px; }
  table.stack tr { display: block; border-bottom: 2px solid #d5d9de; padding: .5rem 0; }
  table.stack td { display: block; border: none; padding: .2rem .6rem; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600;
    font-family: system-ui, sans-serif; }
}
`;

const version = createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12);

/** Versioned URL so the stylesheet can be cached for a year and still change with a release. */
export const STYLESHEET_PATH = `/style.css?v=${version}`;
