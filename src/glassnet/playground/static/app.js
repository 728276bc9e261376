// glassnet playground: the page. It polls /api/state for the latest picture of the real model
// (rendered by the server) and draws it on canvas; every control is a POST to the JSON API.
"use strict";
(function () {
  const TOKEN = document.querySelector('meta[name="playground-token"]').content;
  const CLIENT = Math.random().toString(36).slice(2, 12);
  const HEADERS = { "X-Playground-Token": TOKEN, "X-Playground-Client": CLIENT };   // this tab's own model
  const $ = (id) => document.getElementById(id);
  const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
  const PALETTE = ["#0877bd", "#f59322", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  let version = 0, layout = null, latest = null, dirty = false, configText = "";
  const metrics = { frames: 0, fps: 0, polls: 0, lastStep: 0, stepsPerSec: 0 };
  window.__playground = metrics;

  // ---- colours: -1 orange, 0 white, +1 blue (a lookup table of 256 RGBA) ----
  const LUT = new Uint8ClampedArray(256 * 4);
  (function () {
    const neg = [245, 147, 34], mid = [232, 234, 235], pos = [8, 119, 189];
    for (let i = 0; i < 256; i++) {
      const t = i / 255 * 2 - 1, a = Math.abs(t), end = t < 0 ? neg : pos;
      for (let c = 0; c < 3; c++) LUT[i * 4 + c] = Math.round(mid[c] + (end[c] - mid[c]) * a);
      LUT[i * 4 + 3] = 255;
    }
  })();
  const hexRGB = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  function b64bytes(s) { const bin = atob(s); const a = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i); return a; }

  const scratch = {};
  function mapCanvas(bytes, side, classes, sure) {
    const key = side + (classes ? "c" : "");
    let c = scratch[key];
    if (!c) { c = document.createElement("canvas"); c.width = c.height = side; scratch[key] = c; }
    const ctx = c.getContext("2d"), img = ctx.createImageData(side, side), d = img.data;
    if (classes) {
      const rgb = PALETTE.map(hexRGB);
      for (let i = 0; i < side * side; i++) {
        const col = rgb[classes[i] % 10], s = Math.max(0, (sure[i] / 255 - 0.1)) ;
        for (let k = 0; k < 3; k++) d[i * 4 + k] = 255 - (255 - col[k]) * s * 0.8;
        d[i * 4 + 3] = 255;
      }
    } else {
      for (let i = 0; i < side * side; i++) { const q = bytes[i] * 4; d[i * 4] = LUT[q]; d[i * 4 + 1] = LUT[q + 1]; d[i * 4 + 2] = LUT[q + 2]; d[i * 4 + 3] = 255; }
    }
    ctx.putImageData(img, 0, 0);
    return c;
  }
  function drawMap(ctx, bytes, side, x, y, w, h, smooth) {
    ctx.imageSmoothingEnabled = !!smooth;
    ctx.drawImage(mapCanvas(bytes, side), x, y, w, h);
  }

  // ---- talking to the server ----
  async function api(path, body, raw) {
    const opts = { headers: Object.assign({}, HEADERS) };
    if (body !== undefined) {
      opts.method = "POST";
      if (raw) { opts.body = body; opts.headers["Content-Type"] = "text/csv"; }
      else { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    }
    const r = await fetch(path, opts);
    const out = await r.json().catch(() => ({ error: "the server sent no JSON (" + r.status + ")" }));
    if (!r.ok) { showMessage(out.error || ("error " + r.status), "error", 10000); throw new Error(out.error); }
    return out;
  }
  const setConfig = (changes) => api("/api/config", changes).then(afterControl).catch(() => {});
  const control = (action) => api("/api/control", { action }).then(afterControl).catch(() => {});
  function afterControl(st) { if (st && st.config) applyConfig(st.config); }

  let messageTimer = null;
  function showMessage(text, kind, ms) {
    const b = $("banner");
    b.className = "banner" + (kind === "error" ? " error" : "");
    $("banner-text").textContent = text;
    $("banner-reset").classList.add("hidden");
    clearTimeout(messageTimer);
    messageTimer = ms ? setTimeout(() => { messageTimer = null; b.classList.add("hidden"); }, ms) : null;
  }

  async function loadLayout() {
    layout = await api("/api/layout");
    buildFeatureButtons();
    if (layout.columns) {
      $("csvcontrols").classList.remove("hidden");
      fillSelect($("target"), layout.all_columns, layout.target);
      fillSelect($("map_x"), layout.columns, layout.columns[layout.map_columns[0]], true);
      fillSelect($("map_y"), layout.columns, layout.columns[layout.map_columns[1]], true);
    } else {
      $("csvcontrols").classList.add("hidden");
    }
    $("source").textContent = `${layout.source}: ${layout.n_train} training and ${layout.n_test} test examples, ${layout.task}, loss ${layout.loss}`;
  }
  function fillSelect(sel, names, chosen, byIndex) {
    sel.innerHTML = "";
    names.forEach((n, i) => { const o = document.createElement("option"); o.value = byIndex ? i : n; o.textContent = n; if (n === chosen) o.selected = true; sel.appendChild(o); });
  }

  async function poll() {
    for (;;) {
      try {
        const t0 = performance.now();
        const r = await fetch(`/api/state?since=${version}&client=${CLIENT}`, { headers: HEADERS });
        if (!r.ok) throw new Error("status " + r.status);
        const st = await r.json();
        metrics.pollMs = 0.9 * (metrics.pollMs || 0) + 0.1 * (performance.now() - t0);
        metrics.polls++;
        if (st.version !== version) {
          version = metrics.version = st.version;
          if (!layout || st.setup !== layout.setup) await loadLayout();
          latest = st; dirty = true;
        }
      } catch (e) {
        showMessage("The playground server is not answering (was it stopped?). Retrying...", "error");
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  }

  // ---- drawing ----
  let fpsCount = 0, fpsStart = performance.now();
  function frameLoop() {
    if (dirty && latest) {
      dirty = false;
      const t0 = performance.now();
      try { draw(latest); } catch (e) { console.error(e); }
      metrics.drawMs = 0.9 * (metrics.drawMs || 0) + 0.1 * (performance.now() - t0);
      metrics.frames++; fpsCount++;
    }
    const now = performance.now();
    if (now - fpsStart >= 1000) {
      metrics.fps = fpsCount * 1000 / (now - fpsStart); fpsCount = 0; fpsStart = now;
      $("fps").textContent = Math.round(metrics.fps);
    }
    requestAnimationFrame(frameLoop);
  }

  function fmt(v) { return v === null || v === undefined ? "NaN" : (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(3)); }

  function draw(st) {
    metrics.lastStep = st.step; metrics.stepsPerSec = st.steps_per_sec;
    $("epoch").textContent = String(st.epoch).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    $("stepcount").textContent = st.step;
    $("rate").textContent = st.steps_per_sec;
    $("play").innerHTML = st.running ? "&#10074;&#10074;" : "&#9654;";
    $("play").dataset.running = st.running ? "1" : "0";
    $("test-loss").textContent = fmt(st.test_loss);
    $("train-loss").textContent = fmt(st.train_loss);
    $("accuracy").textContent = st.test_accuracy !== undefined && st.test_accuracy !== null ? `· test accuracy ${(st.test_accuracy * 100).toFixed(1)}%` : "";
    if (st.config) applyConfig(st.config);
    drawBanner(st);
    if (layout.mode === "conv") drawConv(st); else drawNetwork(st);
    drawOutput(st);
    drawLossPlot(st.history || []);
    drawTrace(st.trace);
  }

  function drawBanner(st) {
    const b = $("banner");
    if (st.error) {
      b.className = "banner error";
      $("banner-text").textContent = st.error.message;
      $("banner-reset").classList.remove("hidden");
    } else if (st.notice) {
      b.className = "banner"; $("banner-text").textContent = st.notice; $("banner-reset").classList.add("hidden");
    } else if (st.clients > 1) {
      b.className = "banner"; $("banner-text").textContent = `${st.clients} pages are open on this playground: they share one model and its settings.`;
      $("banner-reset").classList.add("hidden");
    } else if (!messageTimer) {
      b.classList.add("hidden");
    }
  }

  function nodePositions(st) {
    const cols = [];
    const nIn = layout.mode === "digits" ? 1 : Math.min(layout.inputs.length, 9);
    cols.push(nIn);
    st.units.forEach((u) => cols.push(u));
    const most = Math.max(...cols), gapY = Math.min(46, (430 - 20) / most), node = Math.min(36, gapY - 6);
    const W = 620, colW = (W - 60 - 36) / (cols.length - 1 || 1);
    return cols.map((n, c) => Array.from({ length: n }, (_, i) => ({ x: 40 + c * colW + (36 - node) / 2, y: 14 + i * gapY, s: node })));
  }

  function drawNetwork(st) {
    const cv = $("network"), ctx = cv.getContext("2d");
    ctx.clearRect(0, 0, cv.width, cv.height);
    const pos = nodePositions(st);
    // links: colour = sign, thickness = size of the weight
    st.weights.forEach((wb, l) => {
      const k = wb[0];
      if (layout.mode === "digits" && l === 0) return;
      const from = pos[l], to = pos[l + 1];
      for (let i = 0; i < from.length; i++) for (let j = 0; j < to.length; j++) {
        const w = k[i] ? k[i][j] : 0;
        ctx.strokeStyle = w > 0 ? "rgba(8,119,189,0.75)" : "rgba(245,147,34,0.75)";
        ctx.lineWidth = Math.min(7, Math.max(0.4, Math.abs(w) * 1.6));
        ctx.beginPath(); ctx.moveTo(from[i].x + from[i].s, from[i].y + from[i].s / 2);
        ctx.bezierCurveTo(from[i].x + from[i].s + 30, from[i].y + from[i].s / 2, to[j].x - 30, to[j].y + to[j].s / 2, to[j].x, to[j].y + to[j].s / 2);
        ctx.stroke();
      }
    });
    // inputs
    ctx.font = "11px system-ui, sans-serif"; ctx.fillStyle = "#333"; ctx.textAlign = "right";
    pos[0].forEach((p, i) => {
      const bytes = layout.input_maps && layout.input_maps[i] ? b64bytes(layout.input_maps[i]) : null;
      if (bytes) drawMap(ctx, bytes, layout.grid, p.x, p.y, p.s, p.s, true);
      else { ctx.fillStyle = "#e8eaeb"; ctx.fillRect(p.x, p.y, p.s, p.s); ctx.fillStyle = "#333"; }
      const name = layout.mode === "digits" ? "64 px" : layout.inputs[i] + (i === 8 && layout.inputs.length > 9 ? ` +${layout.inputs.length - 9}` : "");
      ctx.fillText(name.length > 9 ? name.slice(0, 8) + "…" : name, p.x - 3, p.y + p.s / 2 + 4);
    });
    // hidden units and output: each unit's own map (or, on the digits, the first layer's weight images)
    const broken = st.error && st.error.layer !== null && st.error.layer !== undefined ? st.error.layer : -1;
    for (let l = 0; l < st.units.length; l++) {
      pos[l + 1].forEach((p, j) => {
        let drawn = false;
        const side = l === st.units.length - 1 ? layout.grid : (layout.thumb || layout.grid);   // hidden maps: thumbnails
        if (st.maps && st.maps[l] && Array.isArray(st.maps[l])) { drawMap(ctx, b64bytes(st.maps[l][j]), side, p.x, p.y, p.s, p.s, true); drawn = true; }
        else if (st.kernel_images && l === 0) { drawMap(ctx, b64bytes(st.kernel_images[j]), 8, p.x, p.y, p.s, p.s, false); drawn = true; }
        if (!drawn) { ctx.fillStyle = "#e8eaeb"; ctx.fillRect(p.x, p.y, p.s, p.s); }
        ctx.strokeStyle = l === broken ? "#d33" : "#999"; ctx.lineWidth = l === broken ? 3 : 1;
        ctx.strokeRect(p.x, p.y, p.s, p.s);
      });
    }
  }

  // the convnet on the digits: the chosen test digit, the first layer's filters, the feature
  // maps they make of it, max-pooled, and the probabilities the model gives it
  function drawConv(st) {
    const cv = $("network"), ctx = cv.getContext("2d"), c = st.conv;
    ctx.clearRect(0, 0, cv.width, cv.height);
    if (!c) return;
    const broken = st.error && st.error.layer === 0;
    ctx.font = "11px system-ui, sans-serif"; ctx.fillStyle = "#333"; ctx.textAlign = "left";
    const heads = [[10, "test digit " + c.digit], [130, `filters ${c.filter_side}x${c.filter_side}`],
      [200, `feature maps ${c.map_side}x${c.map_side}`], [300, c.pooled ? `max-pooled ${c.pool_side}x${c.pool_side}` : ""], [400, "output"]];
    heads.forEach(([x, t]) => ctx.fillText(t, x, 12));
    drawMap(ctx, b64bytes(c.image), 8, 10, 150, 96, 96, false);
    ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.strokeRect(10, 150, 96, 96);
    ctx.fillText(`a ${c.true}`, 10, 262);
    const n = c.filters.length, gap = Math.min(50, (cv.height - 24) / n), s = gap - 8;
    for (let j = 0; j < n; j++) {
      const y = 22 + j * gap;
      drawMap(ctx, b64bytes(c.filters[j]), c.filter_side, 140, y, s, s, false);
      drawMap(ctx, b64bytes(c.maps[j]), c.map_side, 215, y, s, s, false);
      if (c.pooled) drawMap(ctx, b64bytes(c.pooled[j]), c.pool_side, 310, y, s, s, false);
      ctx.strokeStyle = broken ? "#d33" : "#999"; ctx.lineWidth = broken ? 3 : 1;
      ctx.strokeRect(140, y, s, s); ctx.strokeRect(215, y, s, s); if (c.pooled) ctx.strokeRect(310, y, s, s);
      ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(108, 198); ctx.lineTo(140, y + s / 2); ctx.stroke();
    }
    const k = c.probs.length, bh = Math.min(38, (cv.height - 24) / k), best = c.probs.indexOf(Math.max(...c.probs));
    c.probs.forEach((p, i) => {
      const y = 22 + i * bh;
      ctx.fillStyle = "#333"; ctx.fillText(String(i), 400, y + bh / 2 + 4);
      ctx.fillStyle = i === best ? "#0877bd" : "#9cc3dc"; ctx.fillRect(416, y + 2, Math.max(1, (p || 0) * 180), bh - 6);
      ctx.fillStyle = "#333"; ctx.fillText(((p || 0) * 100).toFixed(0) + "%", 600, y + bh / 2 + 4);
    });
  }

  function drawOutput(st) {
    const cv = $("outmap"), ctx = cv.getContext("2d"), S = cv.width;
    ctx.clearRect(0, 0, S, S);
    const digits = layout.mode !== "2d";
    $("mistakes-box").classList.toggle("hidden", !digits);
    $("outmap").classList.toggle("hidden", digits);
    if (digits) { drawMistakes(st); return; }
    const last = st.maps[st.maps.length - 1];
    if (last && last.kind === "classes") {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(mapCanvas(null, layout.grid, b64bytes(last.cls), b64bytes(last.sure)), 0, 0, S, S);
    } else if (last) {
      drawMap(ctx, b64bytes(last[0]), layout.grid, 0, 0, S, S, true);
    }
    const sets = [["train", "#fff"]];
    if ($("show-test").checked) sets.push(["test", "#000"]);
    for (const [name, stroke] of sets) {
      for (const [u, v, lab] of layout.points[name]) {
        ctx.beginPath(); ctx.arc(u * S, (1 - v) * S, 3.2, 0, 2 * Math.PI);
        if (layout.task === "multiclass") ctx.fillStyle = PALETTE[lab % 10];
        else if (layout.task === "binary") ctx.fillStyle = lab >= 0.5 ? "#0877bd" : "#f59322";
        else { const q = Math.round((Math.max(-1, Math.min(1, lab)) + 1) * 127.5) * 4; ctx.fillStyle = `rgb(${LUT[q]},${LUT[q + 1]},${LUT[q + 2]})`; }
        ctx.fill(); ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke();
      }
    }
  }

  function drawMistakes(st) {
    const cv = $("mistakes"), ctx = cv.getContext("2d");
    ctx.clearRect(0, 0, cv.width, cv.height);
    $("mistakes-title").textContent = `Mistakes on the test digits: ${st.n_mistakes} of ${st.n_test} (true → predicted)`;
    ctx.font = "10px system-ui, sans-serif"; ctx.fillStyle = "#333"; ctx.textAlign = "center";
    st.mistakes.forEach((m, i) => {
      const x = (i % 8) * 40, y = Math.floor(i / 8) * 50;   // (a click picks the digit: mistakeAt)
      if (y + 50 > cv.height) return;
      drawMap(ctx, b64bytes(m.img), 8, x + 4, y, 32, 32, false);
      ctx.fillStyle = "#333"; ctx.fillText(`${m.true}→${m.pred}`, x + 20, y + 44);
    });
  }

  function drawLossPlot(h) {
    const cv = $("lossplot"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height;
    ctx.clearRect(0, 0, W, H);
    if (h.length < 2) return;
    let top = 0; h.forEach((r) => { for (const v of [r[1], r[2]]) if (v !== null && isFinite(v)) top = Math.max(top, v); });
    top = top || 1;
    const x0 = h[0][0], x1 = h[h.length - 1][0] || 1;
    [[2, "#333"], [1, "#999"]].forEach(([k, col]) => {
      ctx.strokeStyle = col; ctx.lineWidth = 1.5; ctx.beginPath();
      h.forEach((r, i) => { const x = (r[0] - x0) / Math.max(1, x1 - x0) * W, y = H - 2 - (r[k] === null ? H : r[k] / top * (H - 4)); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
      ctx.stroke();
    });
  }

  function drawTrace(tr) {
    if (!tr || $("panel-glass").classList.contains("hidden")) return;
    const body = $("trace-table").tBodies[0];
    body.innerHTML = "";
    tr.rows.forEach((r) => {
      const tds = [r.path, fmt(r.weight_norm), fmt(r.grad_norm), fmt(r.update_ratio),
        r.saturated !== undefined ? (r.saturated * 100).toFixed(0) + "%" : "", r.dead !== undefined ? (r.dead * 100).toFixed(0) + "%" : ""];
      const tr_ = document.createElement("tr");
      tds.forEach((t) => { const td = document.createElement("td"); td.textContent = t; tr_.appendChild(td); });
      body.appendChild(tr_);
    });
    const ul = $("diagnosis"); ul.innerHTML = "";
    tr.notes.forEach((n) => { const li = document.createElement("li"); li.textContent = n; ul.appendChild(li); });
  }

  // ---- controls ----
  function applyConfig(cfg) {
    const text = JSON.stringify(cfg);
    if (text === configText) return;
    configText = text;
    for (const id of ["learning_rate", "activation", "regularization", "reg_rate", "problem", "optimizer", "loss"]) {
      const sel = $(id), val = String(cfg[id]);
      if (![...sel.options].some((o) => o.value === val)) { const o = document.createElement("option"); o.textContent = val; sel.appendChild(o); }
      sel.value = val;
    }
    for (const id of ["ratio", "noise", "batch_size"]) { $(id).value = cfg[id]; $(id + "-v").textContent = cfg[id]; }
    document.querySelectorAll("#datasets button").forEach((b) => b.classList.toggle("on", b.dataset.set === cfg.dataset));
    const isDigits = cfg.dataset === "digits2" || cfg.dataset === "digits10";
    $("digits-ctl").classList.toggle("hidden", !isDigits);
    $("digit-box").classList.toggle("hidden", cfg.network !== "convnet");
    $("dense-ctl").classList.toggle("hidden", isDigits && cfg.network === "convnet");
    $("netkind").value = cfg.network;
    if (document.activeElement !== $("digit")) $("digit").value = cfg.digit;
    $("n-layers").textContent = cfg.layers.length;
    const uc = $("unit-ctl"); uc.innerHTML = "";
    const colW = (620 - 60 - 36) / (cfg.layers.length + 1);
    cfg.layers.forEach((u, i) => {
      const d = document.createElement("div"); d.className = "u";
      d.style.left = (40 + (i + 1) * colW + 18 - 42) + "px";
      d.innerHTML = `<button data-l="${i}" data-d="1">+</button><button data-l="${i}" data-d="-1">&minus;</button><br>${u} neuron${u > 1 ? "s" : ""}`;
      uc.appendChild(d);
    });
    currentCfg = cfg;
    buildFeatureButtons();
    if (!$("panel-code").classList.contains("hidden")) loadCode();     // the code follows the settings
  }
  let currentCfg = null;

  function buildFeatureButtons() {
    const box = $("features"); box.innerHTML = "";
    if (!layout || !currentCfg || layout.mode !== "2d" || currentCfg.dataset === "csv") return;
    FEATURES.forEach((f) => {
      const b = document.createElement("button"); b.textContent = f; b.dataset.feature = f;
      b.classList.toggle("on", currentCfg.features.includes(f));
      box.appendChild(b);
    });
  }

  function wire() {
    $("play").onclick = () => control($("play").dataset.running === "1" ? "pause" : "play");
    $("step").onclick = () => control("step");
    $("reset").onclick = () => control("reset");
    $("banner-reset").onclick = () => control("reset");
    $("regenerate").onclick = () => setConfig({ seed: (currentCfg.seed + 1) % 2147483647 });
    for (const id of ["learning_rate", "reg_rate"]) $(id).onchange = () => setConfig({ [id]: parseFloat($(id).value) });
    for (const id of ["activation", "regularization", "optimizer", "loss"]) $(id).onchange = () => setConfig({ [id]: $(id).value });
    $("problem").onchange = () => {
      const p = $("problem").value;
      if (currentCfg.dataset === "csv") return setConfig({ problem: p });
      setConfig({ problem: p, dataset: p === "regression" ? "plane" : "circle", loss: "auto", network: "dense" });
    };
    for (const id of ["ratio", "noise", "batch_size"]) {
      $(id).oninput = () => { $(id + "-v").textContent = $(id).value; };
      $(id).onchange = () => setConfig({ [id]: parseInt($(id).value, 10) });
    }
    $("datasets").onclick = (e) => {
      const b = e.target.closest("button"); if (!b) return;
      const digits = b.dataset.set.startsWith("digits");     // the convnet reads images: the 2-D sets take Dense layers
      setConfig({ dataset: b.dataset.set, problem: b.dataset.problem, loss: "auto", network: digits ? currentCfg.network : "dense" });
    };
    $("features").onclick = (e) => {
      const f = e.target.dataset.feature; if (!f) return;
      const feats = currentCfg.features.includes(f) ? currentCfg.features.filter((x) => x !== f) : currentCfg.features.concat([f]);
      if (feats.length) setConfig({ features: feats });
    };
    $("add-layer").onclick = () => { if (currentCfg.layers.length < 6) setConfig({ layers: currentCfg.layers.concat([2]) }); };
    $("remove-layer").onclick = () => { if (currentCfg.layers.length) setConfig({ layers: currentCfg.layers.slice(0, -1) }); };
    $("unit-ctl").onclick = (e) => {
      const b = e.target.closest("button"); if (!b) return;
      const layers = currentCfg.layers.slice(), l = +b.dataset.l;
      layers[l] = Math.max(1, Math.min(8, layers[l] + +b.dataset.d));
      setConfig({ layers });
    };
    $("csvfile").onchange = async () => {
      const file = $("csvfile").files[0]; if (!file) return;
      if (file.size > 10 * 1024 * 1024) { showMessage(`${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB; the limit is 10 MB`, "error", 10000); return; }
      try { await api("/api/upload?name=" + encodeURIComponent(file.name), file, true).then(afterControl); showMessage(`Loaded ${file.name}.`, "info", 4000); } catch (e) { /* shown */ }
      $("csvfile").value = "";
    };
    $("target").onchange = () => api("/api/target", { target: $("target").value }).then(afterControl).catch(() => {});
    $("netkind").onchange = () => setConfig({ network: $("netkind").value });
    $("digit").onchange = () => setConfig({ digit: parseInt($("digit").value, 10) });
    $("mistakes").onclick = (e) => {                        // a mistake's feature maps
      const r = $("mistakes").getBoundingClientRect(), i = Math.floor((e.clientY - r.top) / 50) * 8 + Math.floor((e.clientX - r.left) / 40);
      if (latest && latest.mistakes && latest.mistakes[i] && currentCfg.network === "convnet") setConfig({ digit: latest.mistakes[i].i });
    };
    $("map_x").onchange = () => setConfig({ map_x: +$("map_x").value });
    $("map_y").onchange = () => setConfig({ map_y: +$("map_y").value });
    $("show-test").onchange = () => { dirty = true; };
    document.querySelectorAll(".tabs button").forEach((b) => {
      b.onclick = () => {
        const open = !b.classList.contains("on");
        document.querySelectorAll(".tabs button").forEach((x) => x.classList.remove("on"));
        document.querySelectorAll(".panel").forEach((p) => p.classList.add("hidden"));
        if (open) { b.classList.add("on"); $("panel-" + b.dataset.tab).classList.remove("hidden"); }
        if (open && b.dataset.tab === "math" && !$("explain-text").textContent) explain();
        if (open && b.dataset.tab === "code") loadCode();
        if (open && b.dataset.tab === "glass") { dirty = true; }
      };
    });
    $("explain").onclick = explain;
    $("copy-code").onclick = () => { navigator.clipboard && navigator.clipboard.writeText($("code-text").textContent); };
    $("download").href = "/api/download?token=" + encodeURIComponent(TOKEN) + "&client=" + CLIENT;
  }
  async function explain() { try { $("explain-text").textContent = (await api("/api/explain")).text; } catch (e) { /* shown */ } }
  async function loadCode() { try { $("code-text").textContent = (await api("/api/code")).code; } catch (e) { /* shown */ } }

  wire();
  poll();
  requestAnimationFrame(frameLoop);
})();
