/** What the page script draws; computed in Node so the browser side stays a thin chart.js call. */
export interface TimelineSpec {
  canvas: string;
  /** Axis label of each slot: a bin's start time, or a gap marker. */
  ticks: string[];
  /** Tooltip title of each slot. */
  titles: string[];
  /** Slots that are gaps without traffic. */
  gaps: number;
  /** The bins' length in words: "15-minute", "30-second". */
  binLength: string;
  /** Bottom to top of the stack; null in gap slots. */
  series: { label: string; color: string; values: (number | null)[] }[];
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
  const pct = (v) => (v * 100).toFixed(1) + '%';
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#333';
  Chart.defaults.maintainAspectRatio = false;
  const charts = [];
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
    // Wide bars touch, so a long run of bins reads as a band; a few bins stay separate bars.
    const dense = t.ticks.length > 24;
    const datasets = t.series.map((s) => ({
      label: s.label,
      data: s.values,
      backgroundColor: s.color,
      borderWidth: 0,
      barPercentage: dense ? 1 : 0.9,
      categoryPercentage: dense ? 1 : 0.8,
      maxBarThickness: 64,
    }));
    charts.push(new Chart(canvas, {
      type: 'bar',
      data: { labels: t.ticks, datasets },
      options: {
        interaction: { mode: 'index', intersect: false },
        onResize: placeLegend,
        scales: {
          x: { stacked: true, grid: { display: false },
            ticks: { maxRotation: 0, autoSkipPadding: 16 },
            title: { display: true, text: t.binLength + ' bins (UTC)' + (t.gaps ? '; ⋯ time without traffic' : '') } },
          y: { stacked: true, min: 0, max: 1, ticks: { callback: (v) => Math.round(v * 100) + '%' },
            title: { display: true, text: 'role probability' } },
        },
        plugins: {
          legend: { position: legendFor(canvas) },
          tooltip: {
            filter: (item) => item.raw !== null,
            callbacks: {
              title: (items) => (items.length ? t.titles[items[0].dataIndex] : ''),
              label: (item) => item.dataset.label + ': ' + pct(item.parsed.y),
            },
          },
        },
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
