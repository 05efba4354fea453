"""The style sheet and the on-load plot check shared by the run report and the fleet report (no matplotlib)."""

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1b1f23;background:#fff}
main{max-width:1080px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:1.05em;margin:20px 0 4px}
.sub{color:#555;margin:0 0 12px}
.badge{display:inline-block;font-size:1.5em;font-weight:700;padding:6px 18px;border-radius:8px;color:#fff;margin:8px 12px 8px 0}
.pass{background:#1a7f37}.fail{background:#cf222e}.error{background:#bc4c00}.inconclusive{background:#8250df}.neutral{background:#57606a}
.note{display:inline-block;color:#333;font-size:.95em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:6px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.failed td{background:#ffebe9}tr.inconclusive td{background:#fbefff}tr.notjudged td,tr.off td{color:#57606a}
.st{font-weight:700}.st.failed{color:#cf222e}.st.inconclusive{color:#8250df}.st.passed{color:#1a7f37}
.st.notjudged,.st.off{color:#57606a;font-weight:400}
dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:8px 0}dl.kv dt{color:#555}dl.kv dd{margin:0}
figure{margin:4px 0 12px}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.88em;margin-top:2px}
.na{background:#f6f8fa;border:1px dashed #bbb;padding:10px 12px;color:#444;border-radius:6px}
.na.err{border-color:#cf222e}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.92em;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.failure{background:#fff1e5;border:1px solid #bc4c00;padding:10px 12px;border-radius:6px;white-space:pre-wrap}
"""

# Runs on load: counts the plot images that decoded, for people and for the headless-browser test.
SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('img.plot'), ok = 0;
  for (var i = 0; i < imgs.length; i++) {
    if (imgs[i].complete && imgs[i].naturalWidth > 0) { ok++; }
    else { console.error('leakbench report: plot did not render: ' + imgs[i].alt); }
  }
  var expected = parseInt(document.body.getAttribute('data-plots-expected') || '0', 10);
  if (expected !== imgs.length) {
    console.error('leakbench report: ' + imgs.length + ' plot images but ' + expected + ' expected');
  }
  document.body.dataset.plotsRendered = String(ok);
});
"""
