/**
 * What the browser runs, served as plain static text (no bundler step for browser code): it draws
 * each `<figure class="chart" data-src data-key>` with uPlot from the view's `/api/*` JSON, and
 * fills the live registry-health table from `/api/probes`. Text from the server only ever reaches
 * the page through textContent, never innerHTML. When everything is drawn it sets
 * `<body data-ready="1">` (the browser test waits for that).
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  var SEVERITY_COLORS = { CRITICAL: '#991b1b', HIGH: '#dc2626', MEDIUM: '#d97706', LOW: '#2563eb', UNKNOWN: '#6b7280' };
  var requests = {};

  function getJson(src) {
    if (!requests[src]) {
      requests[src] = fetch(src, { headers: { accept: 'application/json' } }).then(function (r) {
        if (!r.ok) throw new Error(src + ': HTTP ' + r.status);
        return r.json();
      });
    }
    return requests[src];
  }

  function bytes(n) {
    var units = ['B', 'KB', 'MB', 'GB', 'TB'];
    var u = 0;
    var v = Math.abs(n);
    while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
    return (n < 0 ? '-' : '') + (u === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[u];
  }
  function duration(ms) {
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (Math.round(ms / 100) / 10) + ' s';
    var s = Math.round(ms / 1000);
    return Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's';
  }
  var FORMAT = {
    bytes: bytes,
    ms: duration,
    ratio: function (v) { return Math.round(v * 100) + '%'; },
    count: function (v) { return String(Math.round(v * 100) / 100); }
  };

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function draw(figure, chart) {
    var plot = figure.querySelector('.plot');
    var fmt = FORMAT[chart.unit] || FORMAT.count;
    var series = [{}].concat(chart.series.map(function (s, i) {
      return {
        label: s.label,
        stroke: SEVERITY_COLORS[s.label] || COLORS[i % COLORS.length],
        width: 2,
        spanGaps: true,
        points: { show: true, size: 6 },
        value: function (u, v) { return v == null ? '–' : fmt(v); }
      };
    }));
    var opts = {
      width: Math.max(280, plot.clientWidth || 600),
      height: 220,
      series: series,
      scales: {
        // One point (or one day) would make uPlot pad the time axis by years: keep a day either side.
        x: { time: true, range: function (u, min, max) { return max - min < 86400 ? [min - 43200, max + 43200] : [min, max]; } },
        y: chart.unit === 'ratio' ? { range: [0, 1] } : { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } }
      },
      axes: [{}, { size: 70, values: function (u, vals) { return vals.map(fmt); } }]
    };
    var data = [chart.x].concat(chart.series.map(function (s) { return s.values; }));
    var u = new uPlot(opts, data, plot);
    figure.dataset.points = String(chart.x.length);
    window.addEventListener('resize', function () {
      u.setSize({ width: Math.max(280, plot.clientWidth || 600), height: 220 });
    });
  }

  function drawCharts() {
    var figures = Array.prototype.slice.call(document.querySelectorAll('figure.chart[data-src]'));
    return Promise.all(figures.map(function (figure) {
      return getJson(figure.dataset.src).then(function (view) {
        var chart = view.charts && view.charts[figure.dataset.key];
        if (!chart || chart.x.length === 0) {
          figure.querySelector('.plot').replaceWith(text('p', 'no data for this chart in this period', 'note'));
          return;
        }
        draw(figure, chart);
      });
    }));
  }

  function probeCell(r) {
    if (r.healthy) return text('td', 'healthy', 'ok');
    return text('td', 'unhealthy', 'bad');
  }

  function fillProbes() {
    var box = document.querySelector('[data-probes]');
    if (!box) return Promise.resolve();
    return getJson(box.dataset.probes).then(function (body) {
      var table = document.createElement('table');
      var head = table.createTHead().insertRow();
      ['REGISTRY', 'STATUS', 'AUTH', 'API', 'P50', 'P95', 'PROBLEM'].forEach(function (h) { head.appendChild(text('th', h)); });
      var tbody = table.createTBody();
      body.registries.forEach(function (r) {
        var row = tbody.insertRow();
        row.appendChild(text('td', r.registry));
        row.appendChild(probeCell(r));
        row.appendChild(text('td', r.authScheme === undefined ? '–' : r.authScheme + (r.authOk === undefined ? '' : r.authOk ? ' ok' : ' FAILED')));
        row.appendChild(text('td', r.apiVersion || '–'));
        row.appendChild(text('td', r.latencyMs ? r.latencyMs.p50 + ' ms' : '–', 'num'));
        row.appendChild(text('td', r.latencyMs ? r.latencyMs.p95 + ' ms' : '–', 'num'));
        row.appendChild(text('td', r.error ? r.error.message : ''));
      });
      box.replaceChildren(table, text('p', 'probed at ' + body.at.slice(11, 19) + ' UTC', 'note'));
    });
  }

  function fail(err) {
    var main = document.querySelector('main');
    var box = text('div', 'The dashboard could not load its data: ' + (err && err.message ? err.message : String(err)), 'error');
    box.setAttribute('role', 'alert');
    main.insertBefore(box, main.firstChild);
    console.error(err);
  }

  function start() {
    Promise.all([drawCharts(), fillProbes()]).then(function () {
      document.body.dataset.ready = '1';
    }, fail);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
