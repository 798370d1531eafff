/** Charts: Vega-Lite compiled to Vega, rendered headless to SVG, and the SVG rasterised to PNG by resvg. */
import { Resvg } from '@resvg/resvg-js'
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { Figure } from './figures'

/** Fonts the PNG renderer finds on a stock Linux; the SVG names them first. */
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif'

/** The chart as a standalone SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const themed = { ...spec, config: { font: FONT, background: 'white', ...(spec as { config?: object }).config } } as TopLevelSpec
  const view = new View(parse(compile(themed).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** The SVG as a PNG at twice its size. */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } })
  return resvg.render().asPng()
}

/** Each figure with its chart drawn as SVG (null where the figure has no data). */
export async function renderFigures(figures: readonly Figure[]): Promise<{ figure: Figure; svg: string | null }[]> {
  const out: { figure: Figure; svg: string | null }[] = []
  for (const figure of figures) out.push({ figure, svg: figure.chart ? await renderSvg(figure.chart) : null })
  return out
}
