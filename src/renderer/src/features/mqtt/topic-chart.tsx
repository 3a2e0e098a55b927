import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { Select } from '../../ui';
import { SUBSCRIPTION_COLOURS } from './connection-state';
import type { Series } from './topic-values';

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function options(series: Series, width: number): uPlot.Options {
  const text = cssVar('--color-text-muted', '#666');
  const grid = cssVar('--color-border', '#ddd');
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: 170,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    axes: [axis, { ...axis, size: 60 }],
    series: [{}, ...series.names.map((n, i) => ({ label: n, stroke: SUBSCRIPTION_COLOURS[i % SUBSCRIPTION_COLOURS.length], width: 2, spanGaps: true, points: { size: 5 } }))],
  };
}

/**
 * A line per numeric field over the topic's recent messages (uPlot on a canvas: cheap to redraw, so the
 * chart follows the history at the rate it is fetched, a few times a second, never per message).
 */
export function TopicChart({ series: all }: { series: Series }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  // One field at a time on its own scale: a pressure of 180 bar next to a counter at 15,000 would be a flat line.
  const [picked, setPicked] = useState<string | undefined>();
  const field = picked && all.names.includes(picked) ? picked : all.names[0]!;
  const series = useMemo<Series>(() => ({ x: all.x, names: [field], ys: [all.ys[all.names.indexOf(field)]!] }), [all, field]);
  const shape = series.names.join('\u0000');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const p = new uPlot(options(series, Math.max(200, el.clientWidth)), [series.x, ...series.ys] as uPlot.AlignedData, el);
    plot.current = p;
    const ro = new ResizeObserver(() => p.setSize({ width: Math.max(200, el.clientWidth), height: 170 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = undefined;
    };
    // A new set of fields needs a new plot; new values only new data (below).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([series.x, ...series.ys] as uPlot.AlignedData);
  }, [series]);

  return (
    <div className="fb-mqtt-chartbox">
      {all.names.length > 1 ? <Select label="Field" value={field} onChange={(e) => setPicked(e.target.value)} options={all.names.map((n) => ({ value: n, label: n }))} /> : null}
      <div ref={box} className="fb-mqtt-chart" role="img" aria-label={`Chart of ${field} over the last ${series.x.length} messages`} />
    </div>
  );
}
