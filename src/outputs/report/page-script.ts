/** What the page script draws; computed in Node so the browser side stays a thin chart.js call. */
export interface TimelineSpec {
  canvas: string;
  /** Bin start times, epoch seconds. */
  times: number[];
  /** Bottom to top of the stack. */
  series: { label: string; color: string; values: number[] }[];
}

export interface ScoreSpec {
  canvas: string;
  labels: string[];
  precision: number[];
  recall: number[];
  f1: number[];
}

export interface PageData {
  timelines: TimelineSpec[];
  scores: ScoreSpec[];
}

/**
 * Browser code, kept as plain ES2020 text (not a stringified TS function, whose transpiled form would depend
 * on the loader). Animation is off so a chart is complete once constructed, for screenshots and printing;
 * `data-charts-ready` on <body> tells tests and printers that every chart exists.
 */
export const pageScript = `(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const utc = (t) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const pct = (v) => (v * 100).toFixed(1) + '%';
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#333';
  Chart.defaults.maintainAspectRatio = false;
  const charts = [];
  // Ticks on whole quarter hours (epoch multiples of 900 s), about eight of them whatever the span.
  const stepFor = (times) => {
    const quarters = (times[times.length - 1] - times[0]) / 900;
    for (const k of [1, 2, 4, 8, 12, 24, 48, 96, 192, 384, 672, 1344]) if (quarters / k <= 8) return 900 * k;
    return 900 * Math.ceil(quarters / 8);
  };
  // Role names are long: beside a wide chart, below a narrow one (small screens, paper).
  const legendAt = (width) => (width < 720 ? 'bottom' : 'right');
  const legendFor = (canvas) => legendAt(canvas.parentElement.clientWidth);
  const placeLegend = (chart, size) => {
    const legend = chart.options.plugins.legend;
    if (legend.position !== legendAt(size.width)) {
      legend.position = legendAt(size.width);
      chart.update();
    }
  };

  for (const t of data.timelines) {
    const canvas = document.getElementById(t.canvas);
    const single = t.times.length === 1;
    const datasets = t.series.map((s, i) => ({
      label: s.label,
      data: single ? s.values : s.values.map((y, k) => ({ x: t.times[k], y })),
      borderColor: s.color,
      backgroundColor: single ? s.color : s.color + 'cc',
      borderWidth: single ? 0 : 1,
      pointRadius: 0,
      fill: i === 0 ? 'origin' : '-1',
      tension: 0,
    }));
    const tooltip = {
      mode: 'index',
      intersect: false,
      callbacks: {
        title: (items) => (items.length ? utc(t.times[items[0].dataIndex]) + ' UTC' : ''),
        label: (item) => item.dataset.label + ': ' + pct(item.parsed.y),
      },
    };
    const y = { stacked: true, min: 0, max: 1, ticks: { callback: (v) => Math.round(v * 100) + '%' },
      title: { display: true, text: 'role probability' } };
    charts.push(new Chart(canvas, single ? {
      type: 'bar',
      data: { labels: [utc(t.times[0]) + ' UTC'], datasets },
      options: { onResize: placeLegend, scales: { x: { stacked: true }, y },
        plugins: { tooltip, legend: { position: legendFor(canvas) } } },
    } : {
      type: 'line',
      data: { datasets },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { type: 'linear', bounds: 'data',
            ticks: { stepSize: stepFor(t.times), callback: (v) => utc(v).slice(5), maxRotation: 0, autoSkipPadding: 24 },
            title: { display: true, text: '15-minute bin start (UTC)' } },
          y,
        },
        onResize: placeLegend,
        plugins: { tooltip, legend: { position: legendFor(canvas) } },
      },
    }));
  }

  for (const s of data.scores) {
    const canvas = document.getElementById(s.canvas);
    charts.push(new Chart(canvas, {
      type: 'bar',
      data: {
        labels: s.labels,
        datasets: [
          { label: 'F1', data: s.f1, backgroundColor: '#1f4e79' },
          { label: 'precision', data: s.precision, backgroundColor: '#9ecae1' },
          { label: 'recall', data: s.recall, backgroundColor: '#f4a259' },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: { x: { min: 0, max: 1, ticks: { callback: (v) => v.toFixed(1) } }, y: { ticks: { autoSkip: false } } },
        plugins: {
          legend: { position: 'top' },
          tooltip: { callbacks: { label: (item) => item.dataset.label + ': ' + item.parsed.x.toFixed(3) } },
        },
      },
    }));
  }

  // Print layout is not computed yet when beforeprint fires, so size for the narrowest common paper
  // (A4 or Letter portrait, default margins, inside a card) and let the containers decide again afterwards.
  const printWidth = 660;
  window.addEventListener('beforeprint', () => {
    for (const c of charts) c.resize(Math.min(printWidth, c.width), c.height);
  });
  window.addEventListener('afterprint', () => {
    for (const c of charts) c.resize();
  });
  document.body.dataset.chartsReady = String(charts.length);
})();`;
