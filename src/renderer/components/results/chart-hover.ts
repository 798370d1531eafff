// What the Results charts' hover readout says. Vega describes each data mark in an aria-label ("ρ: 0.2; IoU:
// 0.61; …"): one per point, bar or rule, but a line is one path for a whole series whose label is its first
// vertex only — so a line reads the vertex nearest the pointer instead. No Vue or DOM here, so it can be tested.

/**
 * value: a mark for one datum (its label is its values); series: a line or area drawn through many data;
 * none: an axis, a legend, a title or a group container (descriptions, no values).
 */
export type MarkKind = 'value' | 'series' | 'none'

const guides = new Set(['axis', 'legend', 'title', 'subtitle'])
const seriesMarks = new Set(['line mark', 'area mark', 'trail mark'])
/** Vega-Lite's point-like marks (its own names), and Vega's symbol mark: the vertices a line is drawn through. */
const vertexMarks = new Set(['point', 'circle', 'square', 'symbol mark'])

/** The kind of a mark from its role and aria-roledescription (Vega: "graphics-symbol" for marks and guides). */
export function markKind(role: string | null, roleDescription: string | null): MarkKind {
  if (role !== 'graphics-symbol' || !roleDescription || guides.has(roleDescription)) return 'none'
  return seriesMarks.has(roleDescription) ? 'series' : 'value'
}

/** Whether a mark of this description can be a vertex of a line (points drawn on it). */
export function isVertexMark(roleDescription: string | null): boolean {
  return roleDescription !== null && vertexMarks.has(roleDescription)
}

export interface Vertex {
  /** Centre on screen. */
  x: number
  y: number
  label: string
  /** Its fill, which Vega-Lite gives the colour of its line. */
  colour: string | null
}

/**
 * The label of the vertex nearest (x, y) among those of the line's colour (all of them where none has it);
 * undefined without vertices, so a line never reads as its first vertex wherever it is pointed at.
 */
export function nearestVertexLabel(vertices: readonly Vertex[], x: number, y: number, colour: string | null): string | undefined {
  const own = vertices.filter((v) => colour !== null && v.colour === colour)
  let best: Vertex | undefined
  let bestDistance = Infinity
  for (const v of own.length > 0 ? own : vertices) {
    const distance = (v.x - x) ** 2 + (v.y - y) ** 2
    if (distance < bestDistance) {
      best = v
      bestDistance = distance
    }
  }
  return best?.label
}
