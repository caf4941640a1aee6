/* SPDX-License-Identifier: Apache-2.0 */
/* The demo device's dashboard: live values over Server-Sent Events, a chart on a
 * <canvas>, LED and relay through the JSON API, the settings form, the file manager.
 * Plain JavaScript, no library: the device serves this file from its flash. */
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  /* Absolute URLs from the origin: a page opened as http://user:password@host/ has a
   * base URL with credentials, which fetch() refuses for relative URLs. */
  const API = location.origin + '/api/v1';
  const MAX_SAMPLES = 120;
  const SERIES = [   /* key, label, unit, CSS color variable */
    ['temperature', 'Temperature', '\u00b0C', '--temp'],
    ['humidity', 'Humidity', '%', '--hum'],
    ['light', 'Light', 'lx', '--light'],
  ];
  const samples = [];
  let unit = 'C';
  let maxUpload = 0;

  const setNote = (el, text, cls) => { el.textContent = text; el.className = 'note' + (cls ? ' ' + cls : ''); };

  const fmtBytes = (n) => {
    if (n < 1024) return n + ' B';
    const units = ['KiB', 'MiB', 'GiB'];
    let i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
    return n.toFixed(n < 10 ? 1 : 0) + ' ' + units[i];
  };

  const fmtUptime = (s) => {
    s = Math.floor(s);
    const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    if (d) return d + ' d ' + h + ' h';
    if (h) return h + ' h ' + m + ' min';
    return m + ' min ' + (s % 60) + ' s';
  };

  /* The error text of a failed request: "STATUS: message" (the JSON error when there is one). */
  const errorText = async (r) => {
    let msg = r.statusText || 'error';
    try {
      const j = await r.json();
      if (j && j.error) msg = j.error;
    } catch (e) { /* not JSON */ }
    return r.status + ': ' + msg;
  };

  const getJSON = async (path) => {
    const r = await fetch(path, { cache: 'no-store' });
    if (!r.ok) throw new Error(await errorText(r));
    return r.json();
  };

  /* ---- live values ------------------------------------------------------------ */

  const showSensors = (s) => {
    if (typeof s.temperature === 'number') $('sensor-temperature').textContent = s.temperature.toFixed(1);
    if (typeof s.humidity === 'number') $('sensor-humidity').textContent = s.humidity.toFixed(1);
    if (typeof s.light === 'number') $('sensor-light').textContent = String(Math.round(s.light));
  };

  const showSwitch = (which, on) => {
    if (typeof on !== 'boolean') return;
    $(which + '-toggle').setAttribute('aria-pressed', String(on));
    $(which + '-state').textContent = on ? 'on' : 'off';
  };

  const showState = (s) => {
    showSwitch('led', s.led);
    showSwitch('relay', s.relay);
  };

  const setUptime = (seconds) => { $('uptime').textContent = 'up ' + fmtUptime(seconds); };

  const addSample = (s) => {
    if (typeof s.t !== 'number') return;
    if (samples.length && s.t <= samples[samples.length - 1].t) samples.length = 0;  /* device restarted */
    samples.push(s);
    if (samples.length > MAX_SAMPLES) samples.shift();
    scheduleDraw();
  };

  const setConn = (live) => {
    const el = $('conn-status');
    el.textContent = live ? 'live' : 'offline';
    el.className = 'pill ' + (live ? 'on' : 'off');
  };

  /* EventSource reconnects by itself after a network error; when the server answers
   * with an error status (readyState CLOSED) it gives up, so open a new one later. */
  let source = null;
  const connect = () => {
    source = new EventSource(API + '/events');
    source.onopen = () => setConn(true);
    source.onerror = () => {
      setConn(false);
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(connect, 3000);
      }
    };
    const onData = (e) => {
      let s;
      try { s = JSON.parse(e.data); } catch (err) { return; }
      setConn(true);
      showSensors(s);
      showState(s);
      if (typeof s.t === 'number') setUptime(s.t / 1000);
      if (e.type === 'sample') {
        addSample(s);
        $('fact-last').textContent = new Date().toLocaleTimeString();
      }
    };
    source.addEventListener('sample', onData);
    source.addEventListener('state', onData);
  };

  /* ---- chart: one band per sensor, shared time axis ------------------------------ */

  const canvas = $('chart');
  let drawPending = false;
  const scheduleDraw = () => {
    if (!drawPending) { drawPending = true; requestAnimationFrame(draw); }
  };

  function niceRange(lo, hi) {
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const pad = (hi - lo) * 0.1;
    return [lo - pad, hi + pad];
  }

  function draw() {
    drawPending = false;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const css = getComputedStyle(document.documentElement);
    const color = (v) => css.getPropertyValue(v).trim() || '#888';
    ctx.font = '11px system-ui, sans-serif';
    const left = 44, right = 8, top = 4, bottom = 20, gap = 10;
    const bandH = (h - top - bottom - gap * (SERIES.length - 1)) / SERIES.length;
    const plotW = w - left - right;
    if (bandH < 12 || plotW < 20) return;

    const tEnd = samples.length ? samples[samples.length - 1].t : 0;
    const span = Math.max(10000, samples.length > 1 ? tEnd - samples[0].t : 0);
    const xOf = (t) => left + plotW * (1 - (tEnd - t) / span);

    SERIES.forEach(([key, label, u, cvar], i) => {
      const y0 = top + i * (bandH + gap);
      ctx.strokeStyle = color('--grid');
      ctx.lineWidth = 1;
      ctx.strokeRect(left + 0.5, Math.round(y0) + 0.5, plotW - 1, Math.round(bandH) - 1);
      const vals = samples.map((s) => s[key]).filter((v) => typeof v === 'number');
      ctx.fillStyle = color('--muted');
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      if (!vals.length) {
        ctx.textAlign = 'left';
        ctx.fillText(label + ': waiting for samples', left + 6, y0 + bandH / 2);
        return;
      }
      const [lo, hi] = niceRange(Math.min(...vals), Math.max(...vals));
      const yOf = (v) => y0 + bandH * (1 - (v - lo) / (hi - lo));
      const digits = key === 'light' ? 0 : 1;
      ctx.fillText(hi.toFixed(digits), left - 5, y0 + 6);
      ctx.fillText(lo.toFixed(digits), left - 5, y0 + bandH - 6);
      ctx.textAlign = 'left';
      ctx.fillStyle = color(cvar);
      ctx.fillText(label + ' (' + (key === 'temperature' ? '\u00b0' + unit : u) + ')', left + 6, y0 + 9);
      ctx.strokeStyle = color(cvar);
      ctx.lineWidth = 2;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let first = true;
      for (const s of samples) {
        if (typeof s[key] !== 'number') continue;
        const x = xOf(s.t), y = yOf(s[key]);
        if (first) { ctx.moveTo(x, y); first = false; } else ctx.lineTo(x, y);
      }
      ctx.stroke();
    });

    /* Time axis: seconds before the newest sample. */
    ctx.fillStyle = color('--muted');
    ctx.textBaseline = 'alphabetic';
    const steps = plotW > 360 ? 6 : 3;
    for (let k = 0; k <= steps; k++) {
      const ago = span * (1 - k / steps);
      ctx.textAlign = k === 0 ? 'left' : k === steps ? 'right' : 'center';
      ctx.fillText(k === steps ? 'now' : '-' + Math.round(ago / 1000) + ' s', left + plotW * k / steps, h - 5);
    }
  }

  if (window.ResizeObserver) new ResizeObserver(scheduleDraw).observe(canvas);
  window.addEventListener('resize', scheduleDraw);
  /* A change of the pixel ratio (zoom, another screen) redraws at the new resolution. */
  const watchDpr = () => {
    const mq = matchMedia('(resolution: ' + (window.devicePixelRatio || 1) + 'dppx)');
    mq.addEventListener('change', () => { scheduleDraw(); watchDpr(); }, { once: true });
  };
  watchDpr();
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', scheduleDraw);

  /* ---- LED and relay ------------------------------------------------------------ */

  const bindToggle = (which) => {
    const btn = $(which + '-toggle');
    btn.addEventListener('click', async () => {
      const on = btn.getAttribute('aria-pressed') !== 'true';
      btn.disabled = true;
      try {
        const r = await fetch(API + '/' + which, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ on }),
        });
        if (!r.ok) throw new Error(await errorText(r));
        const j = await r.json();
        showSwitch(which, j[which]);
        setNote($('control-status'), '');
      } catch (e) {
        setNote($('control-status'), which + ': ' + e.message, 'err');
      } finally {
        btn.disabled = false;
      }
    });
  };
  bindToggle('led');
  bindToggle('relay');

  /* ---- settings ----------------------------------------------------------------- */

  const form = $('settings-form');
  const showSettings = (s) => {
    form.elements.name.value = s.name;
    form.elements.interval_ms.value = s.interval_ms;
    form.elements.unit.value = s.unit;
    const u = s.unit === 'F' ? 'F' : 'C';
    if (u !== unit) samples.length = 0;   /* the device now sends the other scale */
    unit = u;
    $('fact-interval').textContent = s.interval_ms + ' ms';
    $('temp-unit').textContent = '\u00b0' + unit;
    $('device-name').textContent = s.name;
    document.title = s.name + ' \u2013 demo device';
    scheduleDraw();
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const status = $('settings-status');
    const body = new URLSearchParams(new FormData(form)).toString();
    $('settings-save').disabled = true;
    setNote(status, 'saving\u2026');
    try {
      const r = await fetch(API + '/settings', {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body,
      });
      if (!r.ok) throw new Error(await errorText(r));
      showSettings(await r.json());
      setNote(status, 'saved', 'ok');
    } catch (e) {
      setNote(status, e.message, 'err');
    } finally {
      $('settings-save').disabled = false;
    }
  });

  /* ---- files -------------------------------------------------------------------- */

  const showUsage = (used, total) => {
    if (typeof used !== 'number' || typeof total !== 'number') return;
    $('storage-usage').textContent = fmtBytes(used) + ' used of ' + fmtBytes(total)
      + (total ? ' (' + Math.round(100 * used / total) + ' %)' : '');
    $('storage-meter').max = total || 1;
    $('storage-meter').value = used;
  };

  const fileRow = (f) => {
    const tr = document.createElement('tr');
    tr.dataset.name = f.name;
    const name = document.createElement('td');
    name.className = 'name';
    name.textContent = f.name;
    name.title = f.name;
    const size = document.createElement('td');
    size.textContent = fmtBytes(f.size);
    const time = document.createElement('td');
    time.textContent = f.mtime ? new Date(f.mtime * 1000).toLocaleString([], {
      dateStyle: 'short', timeStyle: 'short' }) : '';
    const act = document.createElement('td');
    act.className = 'act';
    const a = document.createElement('a');
    a.className = 'download button ghost';
    a.href = '/files/' + encodeURIComponent(f.name);
    a.download = f.name;
    a.textContent = 'Download';
    a.setAttribute('aria-label', 'Download ' + f.name);
    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'delete';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', 'Delete ' + f.name);
    del.addEventListener('click', () => deleteFile(f.name, del));
    act.append(a, del);
    tr.append(name, size, time, act);
    return tr;
  };

  const loadFiles = async () => {
    try {
      const j = await getJSON(API + '/files');
      const rows = j.files.map(fileRow);
      if (!rows.length) {
        const tr = document.createElement('tr');
        const td = document.createElement('td');
        td.colSpan = 4;
        td.className = 'empty';
        td.textContent = 'No files yet';
        tr.append(td);
        rows.push(tr);
      }
      $('file-list').replaceChildren(...rows);
      maxUpload = j.max_upload || 0;
      showUsage(j.used, j.total);
    } catch (e) {
      setNote($('upload-status'), 'file list: ' + e.message, 'err');
    }
  };

  async function deleteFile(name, btn) {
    btn.disabled = true;
    try {
      const r = await fetch(API + '/files/' + encodeURIComponent(name), { method: 'DELETE' });
      if (!r.ok && r.status !== 404) throw new Error(await errorText(r));
      setNote($('upload-status'), r.status === 404 ? '404: ' + name + ' was already gone' : 'deleted ' + name, 'ok');
    } catch (e) {
      setNote($('upload-status'), 'delete ' + name + ': ' + e.message, 'err');
    }
    btn.disabled = false;
    loadFiles();
  }

  const uploadMessage = (status, text) => {
    let msg = '';
    try { msg = JSON.parse(text).error || ''; } catch (e) { /* not JSON */ }
    if (status === 413) return '413: file too large' + (maxUpload ? ' (at most ' + fmtBytes(maxUpload) + ')' : '');
    if (status === 0) return 'upload failed: the connection closed';
    return status + ': ' + (msg || 'upload failed');
  };

  $('upload-button').addEventListener('click', () => {
    const input = $('file-input');
    const status = $('upload-status');
    const bar = $('upload-progress');
    const file = input.files && input.files[0];
    if (!file) { setNote(status, 'choose a file first', 'err'); return; }
    if (maxUpload && file.size > maxUpload) {
      setNote(status, '413: file too large (' + fmtBytes(file.size) + ', at most ' + fmtBytes(maxUpload) + ')', 'err');
      return;
    }
    const data = new FormData();
    data.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', API + '/files');
    bar.max = file.size || 1;
    bar.value = 0;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        let name = file.name;
        try { name = JSON.parse(xhr.responseText).name || name; } catch (e) { /* keep */ }
        bar.value = bar.max;
        setNote(status, 'uploaded ' + name, 'ok');
        input.value = '';
      } else {
        setNote(status, uploadMessage(xhr.status, xhr.responseText), 'err');
      }
      $('upload-button').disabled = false;
      loadFiles();
    };
    xhr.onerror = () => {
      setNote(status, uploadMessage(0, ''), 'err');
      $('upload-button').disabled = false;
      loadFiles();
    };
    $('upload-button').disabled = true;
    setNote(status, 'uploading ' + file.name + '\u2026');
    xhr.send(data);
  });

  /* ---- start ------------------------------------------------------------------- */

  (async () => {
    try {
      const s = await getJSON(API + '/status');
      showSensors(s.sensors || {});
      showState(s);
      if (typeof s.uptime_s === 'number') setUptime(s.uptime_s);
      if (s.storage) showUsage(s.storage.used, s.storage.total);
    } catch (e) {
      setNote($('control-status'), 'status: ' + e.message, 'err');
    }
    try { showSettings(await getJSON(API + '/settings')); } catch (e) {
      setNote($('settings-status'), e.message, 'err');
    }
  })();
  $('fact-proto').textContent = location.protocol === 'https:' ? 'HTTPS (TLS)' : 'HTTP';
  loadFiles();
  connect();
  scheduleDraw();
})();
