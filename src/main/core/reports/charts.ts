/** Vega-Lite specs shared by the figures. */
import type { TopLevelSpec } from 'vega-lite'
import type { Row } from './figures'

/**
 * A line chart with error bars over seeds, one facet per model. With `y.range` the axis shows only the
 * metric's possible values and the error bars are clipped to it: with two seeds a 95 % t-interval is ±12.7 std
 * wide and would otherwise stretch an IoU axis from −1 to 2 (the CSV and JSON keep the intervals unclipped).
 */
export function lineChart(title: string, rows: Row[], x: { field: string; title: string; log?: boolean }, y: { field: string; title: string; range?: [number, number] }, color: { field: string; title: string }): TopLevelSpec {
  const encX = { field: x.field, type: 'quantitative' as const, title: x.title, scale: x.log ? { type: 'log' as const } : { zero: false } }
  const scaleY = y.range ? { domain: y.range, clamp: true } : { zero: false }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    facet: { field: 'model', type: 'nominal', title: 'model' },
    spec: {
      width: 320,
      height: 220,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x: encX, y: { field: `${y.field}Mean`, type: 'quantitative', title: y.title, scale: scaleY }, color: { field: color.field, type: 'nominal', title: color.title } } },
        { mark: 'errorbar', encoding: { x: encX, y: { field: `${y.field}CiLow`, type: 'quantitative', title: y.title, scale: scaleY }, y2: { field: `${y.field}CiHigh` }, color: { field: color.field, type: 'nominal' } } },
      ],
    },
  } as TopLevelSpec
}
