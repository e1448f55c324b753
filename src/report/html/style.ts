/** The report's stylesheet, inlined into index.html. System fonts only: the page opens offline. */
export const CSS = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--inc:#8250df}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#fff}
header.run{padding:16px 24px;border-bottom:1px solid var(--line);background:var(--bg)}
header.run.failed,header.run.error,header.run.inconclusive{border-top:6px solid var(--bad)}
header.run.passed{border-top:6px solid var(--ok)}
h1{margin:0 0 6px;font-size:22px}
h2{margin:0 0 8px;font-size:18px}
h2 small{color:var(--muted);font-weight:normal;font-size:13px}
h3{margin:18px 0 6px;font-size:14px;color:#24292f}
h4{margin:8px 0 4px;font-size:12px;color:var(--muted);font-weight:600}
.message{margin:4px 0 10px;font-size:15px}
dl{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0}
dl div{display:flex;gap:6px}dt{color:var(--muted)}dd{margin:0;font-weight:500}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;vertical-align:2px;background:#eaeef2;color:#24292f}
.badge.passed{background:#dafbe1;color:var(--ok)}
.badge.failed,.badge.error{background:#ffebe9;color:var(--bad)}
.badge.inconclusive{background:#fbefff;color:var(--inc)}
.warning{color:var(--warn);margin:6px 0 0}
nav.timeline{padding:10px 24px;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;align-items:center;gap:6px}
.chip{padding:2px 10px;border-radius:12px;border:1px solid var(--line);text-decoration:none;color:inherit;font-size:13px}
.chip.passed{border-color:#8fd19e}.chip.failed,.chip.error{border-color:#ff8182;background:#fff5f5}.chip.inconclusive{border-color:#c297ff}
.chip.rollback{border-style:dashed}
.arrow{color:var(--muted)}
main{padding:8px 24px 24px}
section.step{border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:14px 0;max-width:1600px}
section.step.failed,section.step.error,section.step.inconclusive{border-left:6px solid var(--bad)}
section.step.passed{border-left:6px solid var(--ok)}
ul.reasons{margin:6px 0;padding-left:20px;color:var(--bad);font-weight:500}
.rollback-note{margin:6px 0;padding:6px 10px;border:1px dashed var(--warn);border-radius:6px;color:var(--warn)}
.facts{color:var(--muted);margin:4px 0}
.facts b{color:#1f2328}
figure{margin:0}
figure.chart svg{width:100%;max-width:900px;height:auto;display:block}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#57606a}
svg text.title{font-weight:600;fill:#1f2328;font-size:12px}
svg text.empty{fill:#57606a;font-size:13px}
svg .grid{stroke:#eaeef2}svg .axis{stroke:#8c959f}
svg .settle line{stroke:#1f2328;stroke-dasharray:2 3}svg .settle text{fill:#1f2328;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .errors rect{fill:#d62728}
svg .mark line{stroke:#1f2328;stroke-width:2}svg .mark.p50 line{stroke-width:3}svg .mark.p99 line{stroke-width:1.5}
figcaption{font-size:12px;color:var(--muted);margin:4px 0 0}
.legend-row{margin:2px 0}.legend-row b{color:#1f2328;font-weight:600;margin-right:6px}
.key{margin-right:12px;white-space:nowrap}.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.note{color:var(--muted);font-size:12px}
.ok-note{color:var(--ok)}
.not-run{margin:6px 0;color:var(--muted)}.description{margin:4px 0;color:var(--muted);font-style:italic}
svg .applied-mark text{fill:var(--muted);font-size:11px}table.by-version{margin-top:4px}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--bg)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.msg td{color:var(--muted);font-size:12px;border-top:none}
tr.failed td:first-child,tr.error td:first-child,tr.inconclusive td:first-child{box-shadow:inset 3px 0 var(--bad)}
td.disagree{background:#fff1e5;color:#953800;font-weight:600}
ul.disagreements{color:#953800;padding-left:20px;margin:6px 0}
.pair{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:18px}
@media (max-width:1000px){.pair{grid-template-columns:1fr}}
.bar{display:flex;align-items:center;gap:8px;font-size:12px;margin:2px 0}
.bar .label{min-width:140px;overflow-wrap:anywhere}.bar .fill{height:10px;background:#d62728;border-radius:2px;display:inline-block}
details.applied{margin-top:10px}
footer{padding:12px 24px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{nav.timeline{display:none}section.step{break-inside:avoid}}
`;
