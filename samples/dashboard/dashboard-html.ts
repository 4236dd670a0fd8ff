// The dashboard's page: markup and style in one string, served at `/` by dashboard-host.ts. The
// script (/app.js) is the bundle of dashboard-page.ts; it fills in the elements by id.

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tsro live dashboard</title>
<style>
  :root {
    --bg: #0f1419; --panel: #171e26; --line: #263140; --text: #e6edf3; --dim: #8b98a5;
    --green: #3fb950; --amber: #d29922; --red: #f85149; --blue: #58a6ff; --violet: #bc8cff;
  }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
  header { display: flex; align-items: center; gap: 16px; padding: 18px 28px; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 20px; margin: 0; font-weight: 600; letter-spacing: .2px; }
  header .url { color: var(--dim); font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
  header .spacer { flex: 1; }
  main { display: grid; grid-template-columns: 1.25fr 1fr; gap: 20px; padding: 22px 28px; max-width: 1280px; }
  .card { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px; }
  .card h2 { display: flex; align-items: center; gap: 10px; margin: 0 0 14px; font-size: 15px; font-weight: 600; color: var(--dim); text-transform: uppercase; letter-spacing: .8px; }
  .card h2 .kind { font: 11px ui-monospace, monospace; text-transform: none; letter-spacing: 0; color: var(--dim); border: 1px solid var(--line); border-radius: 6px; padding: 1px 6px; }
  .card h2 .pill { margin-left: auto; }
  .pill { display: inline-flex; align-items: center; gap: 7px; padding: 3px 11px; border-radius: 999px; font-size: 13px; font-weight: 600; background: #21262d; color: var(--dim); }
  .pill::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: currentColor; }
  .pill.valid { color: var(--green); background: rgba(63,185,80,.12); }
  .pill.suspect { color: var(--amber); background: rgba(210,153,34,.14); animation: pulse 1s ease-in-out infinite; }
  .pill.uninitialized, .pill.default { color: var(--dim); }
  .pill.signatureMismatch, .pill.down { color: var(--red); background: rgba(248,81,73,.12); }
  @keyframes pulse { 50% { opacity: .45; } }
  .gps { grid-row: span 2; display: flex; flex-direction: column; }
  .coords { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-bottom: 14px; }
  .metric .label { color: var(--dim); font-size: 12px; text-transform: uppercase; letter-spacing: .6px; }
  .metric .value { font: 600 30px/1.2 ui-monospace, SFMono-Regular, Menlo, monospace; font-variant-numeric: tabular-nums; }
  .row { display: flex; align-items: center; gap: 18px; color: var(--dim); margin-bottom: 12px; }
  .row b { color: var(--text); font-weight: 600; }
  .bars { display: inline-flex; gap: 3px; align-items: flex-end; height: 16px; vertical-align: -2px; }
  .bars i { width: 5px; background: #30363d; border-radius: 1px; }
  .bars i.on { background: var(--green); }
  svg.track { width: 100%; flex: 1; min-height: 300px; background: #0b1016; border: 1px solid var(--line); border-radius: 10px; display: block; }
  .ink { height: 22px; background: #0b1016; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; margin: 6px 0 4px; }
  .ink > div { height: 100%; width: 0; background: linear-gradient(90deg, #1f6feb, var(--blue)); transition: width .35s ease, background .35s; }
  .ink.low > div { background: linear-gradient(90deg, #b62324, var(--red)); }
  .controls { display: flex; gap: 8px; margin-top: 14px; }
  input[type=text] { flex: 1; background: #0b1016; color: var(--text); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; font: inherit; }
  button { background: #238636; color: #fff; border: 0; border-radius: 8px; padding: 8px 14px; font: 600 14px system-ui, sans-serif; cursor: pointer; }
  button.secondary { background: #30363d; }
  button.warn { background: #9e6a03; }
  button:disabled { opacity: .5; cursor: default; }
  .result { min-height: 22px; margin-top: 10px; font-size: 14px; color: var(--dim); }
  .result.ok { color: var(--green); } .result.err { color: var(--red); }
  ul.feed { list-style: none; margin: 0; padding: 0; font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
  ul.feed li { display: grid; grid-template-columns: 82px 1fr; gap: 8px; padding: 5px 0; border-bottom: 1px solid #1d252e; animation: enter .4s ease; }
  ul.feed li .t { color: var(--dim); }
  ul.feed li .jammed { color: var(--red); font-weight: 600; } ul.feed li .position { color: #6e9fd6; } ul.feed li .call { color: var(--violet); } ul.feed li .state { color: var(--amber); }
  @keyframes enter { from { background: rgba(88,166,255,.15); } to { background: transparent; } }
  .empty { color: var(--dim); font-style: italic; }
  .count { margin-left: auto; font: 600 13px system-ui, sans-serif; color: var(--dim); text-transform: none; letter-spacing: 0; }
  .footer-row { display: flex; gap: 24px; margin-top: 12px; color: var(--dim); }
  .footer-row b { color: var(--text); font-weight: 600; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<header>
  <h1>tsro live dashboard</h1>
  <span class="url" id="url"></span>
  <span class="spacer"></span>
  <span class="pill uninitialized" id="conn">connecting</span>
  <button class="warn" id="restart">Restart host</button>
</header>
<main>
  <section class="card gps">
    <h2>GPS receiver <span class="kind">typed replica · GpsApi</span><span class="pill uninitialized" id="gps-state">uninitialized</span></h2>
    <div class="coords">
      <div class="metric"><div class="label">Latitude</div><div class="value" id="lat">–</div></div>
      <div class="metric"><div class="label">Longitude</div><div class="value" id="lon">–</div></div>
    </div>
    <div class="row">
      <span>Fix <b id="fix">–</b></span>
      <span>Satellites <span class="bars" id="sat-bars"></span> <b id="sats">–</b></span>
      <span>Positions <b id="positions">0</b></span>
    </div>
    <svg class="track" id="track"></svg>
    <div class="footer-row">
      <span>Heading <b id="heading">–</b></span>
      <span>Updates <b id="speed">–</b></span>
      <span>Last update <b id="age">–</b></span>
    </div>
  </section>
  <section class="card">
    <h2>Printer <span class="kind">dynamic replica</span><span class="pill uninitialized" id="printer-state">uninitialized</span></h2>
    <div class="row"><span>Ink <b id="ink">–</b></span><span>Status <b id="busy">–</b></span></div>
    <div class="ink" id="ink-box"><div id="ink-bar"></div></div>
    <div class="controls">
      <input type="text" id="doc" value="Quarterly report: sensors, devices and the dashboards that watch them." aria-label="document">
      <button id="print">Print</button>
      <button class="secondary" id="refill">Refill ink</button>
    </div>
    <div class="result" id="result"></div>
  </section>
  <section class="card">
    <h2>Signals and calls <span class="count"><span id="count">0</span> events</span></h2>
    <ul class="feed" id="feed"><li class="empty"><span></span><span>waiting for the first signal…</span></li></ul>
  </section>
</main>
<script src="/app.js"></script>
</body>
</html>
`;
