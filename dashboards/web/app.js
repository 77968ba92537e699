// hirestream recruiting dashboard. One panel per metric of /api/metrics; every number on the
// page comes from a metric's rows as the API returns them. Charts: Apache ECharts (vendored),
// SVG renderer, no animation, so text is in the DOM and screenshots are stable.
//
// For browser tests: document.body.dataset.state is "loading" or "ready", dataset.generation
// counts completed loads, and window.hirestream holds each panel's state, columns and rows.
'use strict';

(() => {
  const C = {
    ink: '#141a33', ink2: '#4a5270', ink3: '#7a819c', grid: '#eef0f6',
    accent: '#3b4bd8', soft: '#c9cffb', offers: '#7b61ff', hires: '#11865b',
    p90: '#cdd3fa', good: '#11865b', bad: '#d1344b', pending: '#cfd5e6', declined: '#e58a98',
  };
  const FONT = '"Inter", "Segoe UI", "Liberation Sans", "DejaVu Sans", sans-serif';

  // Panels in page order. Metrics the API lists but this page does not know get a table panel.
  const PANELS = [
    { metric: 'source-attribution', title: 'Source to hire',
      definition: 'Applications, offers and hires by the channel each application came from. The label is the hire rate: hires ÷ applications.',
      empty: 'No applications match these filters.', render: renderSource },
    { metric: 'stage-dropoff', title: 'Drop-off by stage',
      definition: 'How many applications entered each stage, and how many ended there rejected or withdrawn. An application that was later unrejected has not dropped.',
      empty: 'No stage moves match these filters.', render: renderDropoff },
    { metric: 'time-in-stage', title: 'Time in stage',
      definition: 'Exact median and 90th percentile of completed stints in each stage (dark: median, light: 90th percentile). Open stints are counted, not timed.',
      empty: 'No completed stage stints match these filters.', render: renderTimeInStage },
    { metric: 'time-to-hire', title: 'Time to hire',
      definition: 'Days from application to hire (dark: median, light: 90th percentile).',
      empty: 'No hires match these filters.', render: renderTimeToHire },
    { metric: 'offer-acceptance', title: 'Offer acceptance',
      definition: 'Applications that received an offer, and whether the candidate accepted (was hired), declined, or has not answered yet.',
      empty: 'No offers were extended in this period.', render: renderOffers },
    { metric: 'hris-sync-error-rate', title: 'HRIS sync error rate',
      definition: 'Share of hired candidates whose sync into each HRIS failed. The target is under 1%.',
      empty: 'No HRIS syncs in this period.', render: renderHRIS,
      unavailable: ['No HRIS sync data yet', 'This panel fills in once the HRIS sync processor writes its results (table hris_syncs).'] },
  ];
  const PANEL_BY_METRIC = Object.fromEntries(PANELS.map((p) => [p.metric, p]));

  const FILTERS = ['from', 'to', 'department', 'job_id', 'source_channel'];
  const FRESHNESS_EVERY_MS = 5000;   // how often the badge asks for the newest event
  const AUTO_RELOAD_MIN_MS = 15000;  // new data reloads the panels at most this often

  // ------------------------------------------------------------------ state

  const state = {
    generation: 0,
    filters: Object.fromEntries(FILTERS.map((f) => [f, ''])),
    panels: {},          // metric -> {state, columns, rows, message}
    options: { jobs: [], departments: [], source_channels: [] },
    lastInserted: undefined,
    stale: false,        // new data landed since the last load
    loadedAt: 0,
    clockOffset: 0,      // server time - browser time, ms
    freshness: null,
  };
  window.hirestream = state;

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
  const form = $('#filters');
  const panelEls = {};
  const titles = {};     // metric -> title, from /api/metrics
  const charts = {};
  let loadSeq = 0;
  let controller = null;

  // ------------------------------------------------------------------ formatting

  const nf = new Intl.NumberFormat('en-US');
  const nf1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const fmtInt = (v) => (isNum(v) ? nf.format(v) : '–');
  const fmtNum = (v) => (isNum(v) ? nf1.format(v) : '–');
  const fmtPct = (f, digits = 1) => (isNum(f) ? (f * 100).toFixed(digits) + '%' : '–');
  const sum = (rows, col) => rows.reduce((s, r) => s + (isNum(r[col]) ? r[col] : 0), 0);
  const ratio = (a, b) => (b > 0 ? a / b : null);

  function humanize(s) {
    if (s === '' || s == null) return '(none)';
    const t = String(s).replace(/[_-]+/g, ' ').trim();
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  function durationUnit(maxSeconds) {
    if (maxSeconds >= 2 * 86400) return { div: 86400, short: 'd', name: 'days' };
    if (maxSeconds >= 2 * 3600) return { div: 3600, short: 'h', name: 'hours' };
    return { div: 60, short: 'min', name: 'minutes' };
  }

  function fmtDuration(seconds) {
    if (!isNum(seconds)) return '–';
    const u = durationUnit(seconds);
    return `${nf1.format(seconds / u.div)} ${u.short}`;
  }

  function fmtCell(col, v) {
    if (v == null) return '–';
    if (!isNum(v)) return String(v);
    if (/rate$/.test(col)) return fmtPct(v, col.startsWith('error') ? 2 : 1);
    if (/seconds$/.test(col)) return fmtDuration(v);
    if (/days$/.test(col)) return nf1.format(v) + ' d';
    return Number.isInteger(v) ? fmtInt(v) : fmtNum(v);
  }

  function fmtUTC(iso) {
    const d = new Date(iso);
    return d.toLocaleString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }) + ' UTC';
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86400)} d ago`;
  }

  // rows as objects keyed by column name
  const records = (res) => res.rows.map((r) => Object.fromEntries(res.columns.map((c, i) => [c, r[i]])));

  // ------------------------------------------------------------------ panels

  function buildPanels(metrics) {
    const main = $('#panels');
    const tpl = $('#panel-template');
    for (const metric of metrics) {
      const spec = PANEL_BY_METRIC[metric] || { metric, title: titles[metric] || humanize(metric), definition: `Rows of the ${metric} query.`,
        empty: 'No rows match these filters.', render: null };
      const el = tpl.content.firstElementChild.cloneNode(true);
      el.id = `panel-${metric}`;
      el.dataset.metric = metric;
      $('h2', el).textContent = spec.title;
      $('.definition', el).textContent = spec.definition;
      $('.chart', el).setAttribute('aria-label', spec.title);
      if (!spec.render) {
        el.dataset.view = 'table';
        $('[data-view="chart"]', el).hidden = true;
      }
      $$('.tools button[data-view]', el).forEach((b) => b.addEventListener('click', () => setView(metric, b.dataset.view)));
      $('.tools [data-action="csv"]', el).addEventListener('click', () => downloadCSV(metric));
      main.appendChild(el);
      panelEls[metric] = el;
      state.panels[metric] = { state: 'loading', columns: [], rows: [] };
      setView(metric, el.dataset.view || 'chart');
    }
  }

  function setView(metric, view) {
    const el = panelEls[metric];
    el.dataset.view = view;
    $$('.tools button[data-view]', el).forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === view)));
    $('.chart', el).hidden = view !== 'chart';
    $('.table-wrap', el).hidden = view !== 'table';
    if (view === 'chart' && charts[metric]) charts[metric].resize();
  }

  const svg = (body) => `<svg viewBox="0 0 24 24" width="30" height="30" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
  const ICONS = {
    empty: svg('<path d="M3 12h4l2 3h6l2-3h4"/><path d="M5.5 5h13L21 12v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-6z"/>'),
    unavailable: svg('<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>'),
    error: svg('<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17h.01"/>'),
  };

  function showState(el, kind, title, detail) {
    el.dataset.state = kind;
    const box = $('.state', el);
    if (kind === 'ready' || kind === 'loading') {
      box.hidden = true;
      return;
    }
    box.replaceChildren();
    const i = document.createElement('div');
    i.className = 'icon';
    i.innerHTML = ICONS[kind] || '';
    const t = document.createElement('strong');
    t.textContent = title;
    const d = document.createElement('span');
    d.textContent = detail || '';
    box.append(i, t, d);
    box.hidden = false;
  }

  // A table cell as a person reads it (the CSV keeps the raw values).
  function tableCell(col, v) {
    if (col === 'source_channel' && v != null) return humanize(v);
    if (col === 'job_id' && v === '') return 'all jobs';
    if (col === 'job_id' && v) {
      const job = state.options.jobs.find((j) => j.id === v);
      return job && job.title ? `${job.title} (${v})` : String(v);
    }
    return fmtCell(col, v);
  }

  function renderTable(metric, res) {
    const wrap = $('.table-wrap', panelEls[metric]);
    const table = document.createElement('table');
    const numeric = res.columns.map((_, i) => res.rows.some((r) => isNum(r[i])));
    const head = table.createTHead().insertRow();
    res.columns.forEach((c, i) => {
      const th = document.createElement('th');
      th.textContent = humanize(c.replace(/_(seconds|days)$/, '')); // the cells carry the unit
      th.title = c;
      if (numeric[i]) th.className = 'num';
      head.appendChild(th);
    });
    const body = table.createTBody();
    for (const r of res.rows) {
      const tr = body.insertRow();
      res.columns.forEach((c, i) => {
        const td = tr.insertCell();
        td.textContent = tableCell(c, r[i]);
        if (numeric[i]) td.className = 'num';
      });
    }
    wrap.replaceChildren(table);
  }

  function downloadCSV(metric) {
    const p = state.panels[metric];
    if (!p || !p.columns.length) return;
    const q = (v) => {
      const s = v == null ? '' : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const lines = [p.columns.map(q).join(','), ...p.rows.map((r) => r.map(q).join(','))];
    const blob = new Blob([lines.join('\n') + '\n'], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${metric}${filterSuffix()}.csv`;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function filterSuffix() {
    return FILTERS.filter((f) => state.filters[f]).map((f) => `_${f}-${state.filters[f]}`).join('').replace(/[^\w.-]+/g, '-');
  }

  // Draws option into the panel's chart and resolves once ECharts has finished rendering.
  function draw(metric, option) {
    const el = $('.chart', panelEls[metric]);
    let chart = charts[metric];
    if (!chart) {
      chart = echarts.init(el, null, { renderer: 'svg' });
      charts[metric] = chart;
    }
    return new Promise((resolve) => {
      const done = () => { chart.off('finished', done); clearTimeout(timer); resolve(); };
      const timer = setTimeout(done, 3000); // a hidden chart may never report
      chart.on('finished', done); // registered before setOption: with animation off it fires at once
      chart.setOption({ animation: false, textStyle: { fontFamily: FONT, color: C.ink2 }, ...option }, { notMerge: true });
    });
  }

  const baseTooltip = { confine: true, backgroundColor: '#fff', borderColor: '#dfe3ee', textStyle: { color: C.ink, fontSize: 12 } };
  const valueAxis = (extra = {}) => ({ type: 'value', splitLine: { lineStyle: { color: C.grid } }, axisLabel: { color: C.ink3 }, ...extra });
  const categoryAxis = (data, extra = {}) => ({
    type: 'category', data, inverse: true, axisTick: { show: false }, axisLine: { lineStyle: { color: '#d9deea' } },
    axisLabel: { color: C.ink, fontSize: 12, width: 150, overflow: 'truncate' }, ...extra,
  });
  // Long category lists scroll instead of squeezing.
  function zoomFor(n, visible = 10) {
    if (n <= visible) return [];
    return [{ type: 'slider', yAxisIndex: 0, right: 2, width: 10, startValue: 0, endValue: visible - 1, showDetail: false, brushSelect: false,
      showDataShadow: false, borderColor: 'transparent', backgroundColor: '#f1f3f9', fillerColor: '#c9cffb', handleSize: 0, moveHandleSize: 0 },
      { type: 'inside', yAxisIndex: 0, startValue: 0, endValue: visible - 1, zoomOnMouseWheel: false, moveOnMouseWheel: true }];
  }
  const overlapBar = (name, data, color, extra = {}) => ({
    name, type: 'bar', data, barGap: '-100%', barCategoryGap: '38%', barMaxWidth: 26, itemStyle: { color, borderRadius: [0, 4, 4, 0] }, ...extra,
  });

  // ------------------------------------------------------------------ charts per metric

  function renderSource(metric, res) {
    const rows = records(res);
    const names = rows.map((r) => humanize(r.source_channel));
    return draw(metric, {
      legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 10, textStyle: { color: C.ink2 } },
      tooltip: { ...baseTooltip, trigger: 'axis', axisPointer: { type: 'shadow' },
        formatter: (ps) => { const r = rows[ps[0].dataIndex];
          return `<b>${esc(names[ps[0].dataIndex])}</b><br>${fmtInt(r.applications)} applications<br>${fmtInt(r.offers)} offers<br>` +
            `${fmtInt(r.hires)} hires · <b>${fmtPct(r.hire_rate)}</b> hire rate`; } },
      grid: { left: 4, right: 118, top: 34, bottom: 4, containLabel: true },
      xAxis: valueAxis({ minInterval: 1 }),
      yAxis: categoryAxis(names),
      dataZoom: zoomFor(rows.length, 12),
      series: [
        overlapBar('Applications', rows.map((r) => r.applications), C.soft, { barWidth: '62%',
          label: { show: true, position: 'right', color: C.ink2, fontSize: 12,
            formatter: (p) => { const r = rows[p.dataIndex]; return `{h|${fmtInt(r.hires)} hired} {r|${fmtPct(r.hire_rate)}}`; },
            rich: { h: { color: C.ink, fontWeight: 600 }, r: { color: C.hires, fontWeight: 700 } } } }),
        overlapBar('Offers', rows.map((r) => r.offers), C.offers, { barWidth: '62%' }),
        overlapBar('Hires', rows.map((r) => r.hires), C.hires, { barWidth: '62%' }),
      ],
    });
  }

  function renderDropoff(metric, res) {
    const rows = records(res);
    const max = Math.max(1, ...rows.map((r) => r.entered || 0));
    const ramp = (i) => mix('#3b4bd8', '#aab4fb', rows.length > 1 ? i / (rows.length - 1) : 0);
    const data = rows.map((r, i) => ({ name: String(r.stage), value: r.entered, itemStyle: { color: ramp(i) } }));
    const ghost = data.map((d) => ({ ...d, itemStyle: { color: 'transparent', borderWidth: 0 } }));
    const common = { type: 'funnel', sort: 'none', min: 0, max, minSize: '14%', left: '30%', width: '40%', top: 6, bottom: 6, gap: 3 };
    const dim = { color: '#c9cfdf' };
    return draw(metric, {
      tooltip: { ...baseTooltip, trigger: 'item', formatter: (p) => { const r = rows[p.dataIndex];
        return `<b>${esc(r.stage)}</b><br>${fmtInt(r.entered)} entered<br>${fmtInt(r.advanced)} advanced<br>` +
          `${fmtInt(r.dropped)} dropped · <b>${fmtPct(r.dropoff_rate)}</b>`; } },
      series: [
        { ...common, name: 'Entered', data, z: 3,
          label: { show: true, position: 'inside', color: '#fff', fontSize: 12, fontWeight: 700, formatter: (p) => fmtInt(p.value) },
          itemStyle: { borderColor: '#fff', borderWidth: 1 } },
        { ...common, name: 'Stage', silent: true, data: ghost, z: 2,
          label: { show: true, position: 'left', color: C.ink, fontSize: 12, formatter: (p) => p.name },
          labelLine: { show: true, length: 12, lineStyle: dim } },
        { ...common, name: 'Dropped', silent: true, data: ghost, z: 2,
          label: { show: true, position: 'right', color: C.ink2, fontSize: 12,
            formatter: (p) => { const r = rows[p.dataIndex];
              return `{rate|${fmtPct(r.dropoff_rate)}} dropped {n|${fmtInt(r.dropped)}}`; },
            rich: { rate: { color: C.bad, fontWeight: 700, fontSize: 13 }, n: { color: C.ink3 } } },
          labelLine: { show: true, length: 12, lineStyle: dim } },
      ],
    });
  }

  function renderTimeInStage(metric, res) {
    const rows = records(res);
    const u = durationUnit(Math.max(0, ...rows.map((r) => r.p90_seconds || 0)));
    const val = (s) => (isNum(s) ? +(s / u.div).toFixed(2) : null);
    const names = rows.map((r) => String(r.stage));
    return draw(metric, {
      legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 10, data: ['Median', '90th percentile'], textStyle: { color: C.ink2 } },
      tooltip: { ...baseTooltip, trigger: 'axis', axisPointer: { type: 'shadow' },
        formatter: (ps) => { const r = rows[ps[0].dataIndex];
          return `<b>${esc(r.stage)}</b><br>median ${fmtDuration(r.median_seconds)} · p90 ${fmtDuration(r.p90_seconds)}<br>` +
            `${fmtInt(r.transitions)} completed stints · ${fmtInt(r.open_now)} open now`; } },
      grid: { left: 4, right: 118, top: 34, bottom: 30, containLabel: true },
      xAxis: valueAxis({ name: u.name, nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: C.ink3 } }),
      yAxis: categoryAxis(names),
      dataZoom: zoomFor(rows.length),
      series: [
        // 0 where no stint completed, so the label still says so
        overlapBar('90th percentile', rows.map((r) => val(r.p90_seconds) ?? 0), C.p90, { barWidth: '62%',
          label: { show: true, position: 'right', color: C.ink2, fontSize: 11,
            formatter: (p) => { const r = rows[p.dataIndex];
              if (!isNum(r.median_seconds)) return `{o|none completed · ${fmtInt(r.open_now)} open}`;
              return `{m|${nf1.format(val(r.median_seconds))}} / ${nf1.format(val(r.p90_seconds))} ${u.short}  {o|${fmtInt(r.open_now)} open}`; },
            rich: { m: { color: C.accent, fontWeight: 700 }, o: { color: C.ink3 } } } }),
        overlapBar('Median', rows.map((r) => val(r.median_seconds)), C.accent, { barWidth: '62%' }),
      ],
    });
  }

  // time-to-hire rows: one per department (job_id '') followed by its jobs.
  function renderTimeToHire(metric, res) {
    const rows = records(res);
    const jobTitle = Object.fromEntries(state.options.jobs.map((j) => [j.id, j.title]));
    const isDept = (r) => !r.job_id;
    const names = rows.map((r) => (isDept(r) ? r.department || '(no department)' : jobTitle[r.job_id] || `job ${r.job_id}`));
    const color = (r, c) => (isDept(r) ? c : mix(c, '#ffffff', 0.35));
    return draw(metric, {
      legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 10, data: ['Median', '90th percentile'], textStyle: { color: C.ink2 } },
      tooltip: { ...baseTooltip, trigger: 'axis', axisPointer: { type: 'shadow' },
        formatter: (ps) => { const r = rows[ps[0].dataIndex];
          const where = isDept(r) ? `${esc(names[ps[0].dataIndex])} (department)` : `${esc(names[ps[0].dataIndex])}<br><span style="color:${C.ink3}">${esc(r.department)} · job ${esc(r.job_id)}</span>`;
          return `<b>${where}</b><br>median ${fmtNum(r.median_days)} d · p90 ${fmtNum(r.p90_days)} d<br>${fmtInt(r.hires)} hires`; } },
      grid: { left: 4, right: 124, top: 34, bottom: 30, containLabel: true },
      xAxis: valueAxis({ name: 'days', nameLocation: 'middle', nameGap: 24, nameTextStyle: { color: C.ink3 } }),
      yAxis: categoryAxis(names, { axisLabel: { fontSize: 12, width: 190, overflow: 'truncate',
        formatter: (v, i) => (isDept(rows[i]) ? `{d|${v}}` : `{j|${v}}`),
        rich: { d: { color: C.ink, fontWeight: 700 }, j: { color: C.ink2, padding: [0, 0, 0, 0] } } } }),
      dataZoom: zoomFor(rows.length, 12),
      series: [
        overlapBar('90th percentile', rows.map((r) => ({ value: r.p90_days, itemStyle: { color: color(r, C.p90) } })), C.p90, { barWidth: '62%',
          label: { show: true, position: 'right', color: C.ink2, fontSize: 11,
            formatter: (p) => { const r = rows[p.dataIndex];
              return `{m|${fmtNum(r.median_days)}} / ${fmtNum(r.p90_days)} d  {o|${fmtInt(r.hires)} hired}`; },
            rich: { m: { color: C.hires, fontWeight: 700 }, o: { color: C.ink3 } } } }),
        overlapBar('Median', rows.map((r) => ({ value: r.median_days, itemStyle: { color: color(r, C.hires) } })), C.hires, { barWidth: '62%' }),
      ],
    });
  }

  function renderOffers(metric, res) {
    const r = records(res)[0];
    const pending = Math.max(0, (r.offers_extended || 0) - (r.accepted || 0) - (r.declined || 0));
    const data = [
      { name: 'Accepted (hired)', value: r.accepted || 0, itemStyle: { color: C.hires } },
      { name: 'Declined', value: r.declined || 0, itemStyle: { color: C.declined } },
      { name: 'No answer yet', value: pending, itemStyle: { color: C.pending } },
    ];
    return draw(metric, {
      graphic: [{ type: 'group', left: '30%', top: 'middle', bounding: 'raw', children: [
        { type: 'text', x: 0, y: -14, style: { text: fmtPct(r.acceptance_rate), fill: C.ink, font: `700 30px ${FONT}`, textAlign: 'center', textVerticalAlign: 'middle' } },
        { type: 'text', x: 0, y: 16, style: { text: 'accepted', fill: C.ink3, font: `12px ${FONT}`, textAlign: 'center', textVerticalAlign: 'middle' } },
      ] }],
      tooltip: { ...baseTooltip, trigger: 'item', formatter: (p) => `<b>${p.name}</b>: ${fmtInt(p.value)} (${fmtPct(p.percent / 100)})` },
      legend: { orient: 'vertical', left: '62%', top: 'middle', itemWidth: 12, itemHeight: 12, itemGap: 16,
        formatter: (name) => `${name}   {n|${fmtInt(data.find((d) => d.name === name).value)}}`,
        textStyle: { color: C.ink, fontSize: 13, rich: { n: { fontWeight: 700, fontSize: 13 } } },
        data: data.map((d) => d.name) },
      title: { text: `${fmtInt(r.offers_extended)} offer${r.offers_extended === 1 ? '' : 's'} extended`, left: '62%', top: '18%', textStyle: { fontSize: 13, fontWeight: 600, color: C.ink2, fontFamily: FONT } },
      series: [{ type: 'pie', name: 'Offers', radius: ['56%', '80%'], center: ['30%', '52%'], avoidLabelOverlap: true,
        itemStyle: { borderColor: '#fff', borderWidth: 2 }, label: { show: false }, data }],
    });
  }

  function renderHRIS(metric, res) {
    const rows = records(res);
    const targets = rows.map((r) => String(r.target || '(none)'));
    const TARGET = 1; // percent
    const pctRows = rows.map((r) => (isNum(r.error_rate) ? +(r.error_rate * 100).toFixed(3) : null));
    const top = Math.max(0, ...pctRows.filter(isNum));
    return draw(metric, {
      tooltip: { ...baseTooltip, trigger: 'axis', axisPointer: { type: 'shadow' },
        formatter: (ps) => { const r = rows[ps[0].dataIndex];
          return `<b>${esc(targets[ps[0].dataIndex])}</b><br>${fmtInt(r.candidates_synced)} candidates synced, ${fmtInt(r.candidates_failed)} failed<br>` +
            `error rate <b>${fmtPct(r.error_rate, 2)}</b> (target under 1%)`; } },
      grid: { left: 8, right: 24, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: targets, axisTick: { show: false }, axisLabel: { color: C.ink, fontSize: 12 }, axisLine: { lineStyle: { color: '#d9deea' } } },
      // Keep the 1% line in view when every target is well under it; otherwise let ECharts pick.
      yAxis: valueAxis({ max: top < 1.5 * TARGET ? 2 * TARGET : null, axisLabel: { color: C.ink3, formatter: (v) => `${v}%` } }),
      series: [{
        name: 'Error rate', type: 'bar', barMaxWidth: 64,
        data: pctRows.map((v) => ({ value: v, itemStyle: { color: v > TARGET ? C.bad : C.good, borderRadius: [4, 4, 0, 0] } })),
        label: { show: true, position: 'top', color: C.ink, fontWeight: 600,
          formatter: (p) => { const r = rows[p.dataIndex]; return `${fmtPct(r.error_rate, 2)}  (${fmtInt(r.candidates_failed)} of ${fmtInt(r.candidates_failed + r.candidates_synced)})`; } },
        markLine: { silent: true, symbol: 'none', data: [{ yAxis: TARGET, name: 'target' }],
          lineStyle: { color: C.bad, type: 'dashed', width: 1.5 },
          label: { formatter: '1% target', position: 'insideEndTop', color: C.bad, fontWeight: 600 } },
      }],
    });
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function mix(a, b, t) {
    const p = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const [x, y] = [p(a), p(b)];
    return '#' + x.map((v, i) => Math.round(v + (y[i] - v) * t).toString(16).padStart(2, '0')).join('');
  }

  // ------------------------------------------------------------------ KPIs

  function setKPI(name, value, hint, level) {
    const el = $(`.kpi[data-kpi="${name}"]`);
    $('.value', el).textContent = value;
    if (hint != null) $('.hint', el).textContent = hint;
    if (level) el.dataset.level = level; else delete el.dataset.level;
  }

  function updateKPIs() {
    const P = (m) => state.panels[m] || { state: 'missing', rows: [] };
    const src = P('source-attribution');
    if (src.state === 'ready' || src.state === 'empty') {
      const rows = records(src);
      const apps = sum(rows, 'applications'); const hires = sum(rows, 'hires');
      setKPI('applications', fmtInt(apps), `from ${rows.length} source channel${rows.length === 1 ? '' : 's'}`);
      setKPI('hires', fmtInt(hires), `${fmtPct(ratio(hires, apps))} of applications`);
    } else {
      setKPI('applications', '–', ''); setKPI('hires', '–', '');
    }
    const tis = P('time-in-stage');
    setKPI('pipeline', tis.state === 'ready' || tis.state === 'empty' ? fmtInt(sum(records(tis), 'open_now')) : '–', 'applications sitting in a stage');
    const off = P('offer-acceptance');
    const o = off.state === 'ready' ? records(off)[0] : null;
    setKPI('offers', o ? fmtInt(o.offers_extended) : '–', o ? `${fmtInt(o.declined)} declined` : '');
    setKPI('acceptance', o ? fmtPct(o.acceptance_rate) : '–', o ? `${fmtInt(o.accepted)} of ${fmtInt(o.offers_extended)} accepted` : '');
    const h = P('hris-sync-error-rate');
    if (h.state === 'ready') {
      const rows = records(h);
      const failed = sum(rows, 'candidates_failed');
      const rate = ratio(failed, failed + sum(rows, 'candidates_synced'));
      setKPI('hris', fmtPct(rate, 2), `${fmtInt(failed)} failed · target under 1%`, rate != null && rate >= 0.01 ? 'bad' : 'good');
    } else {
      setKPI('hris', '–', h.state === 'unavailable' ? 'no sync data yet' : 'target under 1%');
    }
  }

  // ------------------------------------------------------------------ data loading

  function query() {
    const q = new URLSearchParams();
    for (const f of FILTERS) if (state.filters[f]) q.set(f, state.filters[f]);
    return q.toString();
  }

  async function getJSON(url, signal) {
    const resp = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    let body = null;
    try { body = await resp.json(); } catch (_) { /* not JSON */ }
    return { status: resp.status, body };
  }

  async function fetchMetric(metric, qs, signal) {
    try {
      const { status, body } = await getJSON(`api/metrics/${encodeURIComponent(metric)}${qs ? '?' + qs : ''}`, signal);
      if (status === 200 && body && Array.isArray(body.rows)) return { state: 'ready', columns: body.columns, rows: body.rows };
      if (status === 503 && body && body.code === 'table_missing') return { state: 'unavailable', columns: [], rows: [], message: body.error };
      return { state: 'error', columns: [], rows: [], message: (body && body.error) || `HTTP ${status}` };
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      return { state: 'error', columns: [], rows: [], message: String(e.message || e) };
    }
  }

  function isEmpty(metric, res) {
    if (!res.rows.length) return true;
    if (metric === 'offer-acceptance') return !records(res)[0].offers_extended;
    return false;
  }

  async function loadAll() {
    const seq = ++loadSeq;
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    document.body.dataset.state = 'loading';
    const qs = query();
    const metrics = Object.keys(panelEls);
    metrics.forEach((m) => { panelEls[m].dataset.state = 'loading'; });
    let results;
    try {
      results = await Promise.all(metrics.map((m) => fetchMetric(m, qs, signal)));
    } catch (e) {
      if (e.name === 'AbortError') return;
      throw e;
    }
    if (seq !== loadSeq) return;
    const draws = metrics.map((m, i) => renderPanel(m, results[i]));
    await Promise.all(draws);
    if (seq !== loadSeq) return;
    updateKPIs();
    state.generation += 1;
    state.loadedAt = Date.now();
    document.body.dataset.generation = String(state.generation);
    document.body.dataset.state = 'ready';
  }

  function renderPanel(metric, res) {
    const el = panelEls[metric];
    const spec = PANEL_BY_METRIC[metric] || {};
    state.panels[metric] = res;
    if (res.state === 'ready') renderTable(metric, res);
    if (res.state === 'unavailable') {
      const [t, d] = spec.unavailable || ['Not available yet', res.message];
      showState(el, 'unavailable', t, d);
      return Promise.resolve();
    }
    if (res.state === 'error') {
      showState(el, 'error', 'Could not load this panel', res.message);
      return Promise.resolve();
    }
    if (isEmpty(metric, res)) {
      res.state = 'empty';
      showState(el, 'empty', spec.empty || 'No rows match these filters.', 'Try a longer period or clear a filter.');
      return Promise.resolve();
    }
    showState(el, 'ready');
    if (!spec.render) {
      setView(metric, 'table');
      return Promise.resolve();
    }
    try {
      return spec.render(metric, res);
    } catch (e) {
      res.state = 'error';
      showState(el, 'error', 'Could not draw this panel', String(e.message || e));
      return Promise.resolve();
    }
  }

  // ------------------------------------------------------------------ filters

  function readURL() {
    const q = new URLSearchParams(location.search);
    for (const f of FILTERS) state.filters[f] = q.get(f) || '';
  }

  function writeURL() {
    const qs = query();
    history.replaceState(null, '', qs ? `?${qs}` : location.pathname);
  }

  function fillSelect(name, items, allLabel) {
    const sel = form.elements[name];
    const cur = state.filters[name];
    const opts = [new Option(allLabel, '')];
    for (const it of items) opts.push(new Option(it.label, it.value));
    if (cur && !items.some((it) => it.value === cur)) opts.push(new Option(`${cur} (no data)`, cur));
    sel.replaceChildren(...opts);
    sel.value = cur;
  }

  function fillFilterLists() {
    const o = state.options;
    fillSelect('department', o.departments.map((d) => ({ value: d, label: d })), 'All departments');
    const dept = state.filters.department;
    const jobs = o.jobs.filter((j) => !dept || j.department === dept);
    fillSelect('job_id', jobs.map((j) => ({ value: j.id, label: j.title ? `${j.title}` : j.id })), dept ? `All jobs in ${dept}` : 'All jobs');
    fillSelect('source_channel', o.source_channels.map((s) => ({ value: s, label: humanize(s) })), 'All sources');
  }

  async function loadFilterLists() {
    try {
      const { status, body } = await getJSON('api/filters');
      if (status === 200 && body) state.options = body;
    } catch (_) { /* keep the old lists */ }
    fillFilterLists();
  }

  // The API's "to" is exclusive (from <= t < to, as in every SQL file); the "to" date input shows
  // the last day included. So to=2026-04-01 in the URL reads "→ 31 Mar" in the picker.
  const DAY = 86400000;
  const isDate = (v) => /^\d{4}-\d{2}-\d{2}$/.test(v);
  function toPicker(apiTo) {
    if (!apiTo) return '';
    const t = isDate(apiTo) ? Date.parse(apiTo + 'T00:00:00Z') - DAY : Date.parse(apiTo) - 1000;
    return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : '';
  }
  const fromPicker = (day) => (day ? new Date(Date.parse(day + 'T00:00:00Z') + DAY).toISOString().slice(0, 10) : '');
  const pickerValue = (f) => (f === 'to' ? toPicker(state.filters.to) : state.filters[f]);

  function syncForm() {
    for (const f of FILTERS) if (form.elements[f].value !== pickerValue(f)) form.elements[f].value = pickerValue(f);
    const days = quickDays();
    $$('.quick button').forEach((b) => b.setAttribute('aria-pressed', String(String(days) === b.dataset.days)));
  }

  // Which quick period the date inputs match, if any (0 = all time).
  function quickDays() {
    if (!state.filters.from && !state.filters.to) return 0;
    if (state.filters.to) return null;
    for (const d of [30, 90, 365]) if (state.filters.from === isoDaysAgo(d)) return d;
    return null;
  }

  function isoDaysAgo(days) {
    const t = new Date(Date.now() + state.clockOffset - days * 86400000);
    return t.toISOString().slice(0, 10);
  }

  function onFilterChange(e) {
    const name = e.target.name;
    if (!FILTERS.includes(name)) return;
    state.filters[name] = name === 'to' ? fromPicker(e.target.value) : e.target.value;
    if (name === 'department' && state.filters.job_id) {
      const job = state.options.jobs.find((j) => j.id === state.filters.job_id);
      if (job && state.filters.department && job.department !== state.filters.department) state.filters.job_id = '';
    }
    if (name === 'department') fillFilterLists();
    changed();
  }

  function changed() {
    syncForm();
    writeURL();
    loadAll();
  }

  // ------------------------------------------------------------------ freshness

  async function pollFreshness() {
    const box = $('#freshness');
    try {
      const { status, body } = await getJSON('api/freshness');
      if (status !== 200 || !body) throw new Error((body && body.error) || `HTTP ${status}`);
      state.freshness = body;
      state.clockOffset = Date.parse(body.server_time) - Date.now();
      const first = state.lastInserted === undefined;
      if (!first && body.last_inserted_at !== state.lastInserted) state.stale = true;
      state.lastInserted = body.last_inserted_at;
      // New events landed: the numbers move on their own (not mid-load, not too often).
      if (state.stale && document.body.dataset.state === 'ready' && Date.now() - state.loadedAt >= AUTO_RELOAD_MIN_MS) {
        state.stale = false;
        loadAll();
        loadFilterLists();
      }
    } catch (e) {
      box.dataset.state = 'error';
      $('.text', box).textContent = `Cannot reach the data: ${e.message || e}`;
      return;
    }
    paintFreshness();
  }

  function paintFreshness() {
    const f = state.freshness;
    if (!f) return;
    const box = $('#freshness');
    if (!f.newest_event_at) {
      box.dataset.state = 'empty';
      $('.text', box).textContent = 'No events yet';
      box.title = 'candidate_events is empty: nothing has reached ClickHouse.';
      return;
    }
    const age = Date.now() + state.clockOffset - Date.parse(f.last_inserted_at);
    box.dataset.state = age < 10 * 60 * 1000 ? 'live' : 'stale';
    $('.text', box).textContent = `Newest event ${fmtUTC(f.newest_event_at)} · data landed ${ago(age)}`;
    box.title = `newest event (ATS time): ${f.newest_event_at}\nlast captured: ${f.last_recorded_at}\nlast written to ClickHouse: ${f.last_inserted_at}`;
  }

  // ------------------------------------------------------------------ start

  async function start() {
    readURL();
    let metrics = PANELS.map((p) => p.metric);
    try {
      const { status, body } = await getJSON('api/metrics');
      if (status === 200 && body && Array.isArray(body.metrics)) {
        const served = body.metrics.map((m) => m.name);
        body.metrics.forEach((m) => { titles[m.name] = m.title; });
        metrics = PANELS.map((p) => p.metric).filter((m) => served.includes(m)).concat(served.filter((m) => !PANEL_BY_METRIC[m]));
      }
    } catch (_) { /* fall back to the known panels */ }
    buildPanels(metrics);
    form.addEventListener('change', onFilterChange);
    form.addEventListener('reset', (e) => {
      e.preventDefault();
      FILTERS.forEach((f) => { state.filters[f] = ''; });
      fillFilterLists();
      changed();
    });
    $$('.quick button').forEach((b) => b.addEventListener('click', () => {
      const d = Number(b.dataset.days);
      state.filters.from = d ? isoDaysAgo(d) : '';
      state.filters.to = '';
      changed();
    }));
    const ro = new ResizeObserver(() => Object.values(charts).forEach((c) => c.resize()));
    ro.observe($('#panels'));
    await Promise.all([loadFilterLists(), pollFreshness()]);
    syncForm();
    await loadAll();
    setInterval(pollFreshness, FRESHNESS_EVERY_MS);
    setInterval(paintFreshness, 1000);
  }

  if (typeof echarts === 'undefined') {
    document.body.dataset.state = 'error';
    $('#panels').textContent = 'The chart library did not load (vendor/echarts/echarts.min.js).';
    return;
  }
  start();
})();
