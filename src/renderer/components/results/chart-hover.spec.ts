import { describe, expect, it } from 'vitest'
import { isVertexMark, markKind, nearestVertexLabel, type Vertex } from './chart-hover'

describe('the chart hover readout', () => {
  it('reads points, bars and rules as values, lines as series, and guides and containers as nothing', () => {
    // The descriptions Vega and Vega-Lite write: Vega-Lite names its own marks ("point", "bar"), Vega adds " mark".
    for (const d of ['point', 'circle', 'bar', 'errorbar', 'rule mark', 'rect mark', 'symbol mark']) expect(markKind('graphics-symbol', d)).toBe('value')
    expect(markKind('graphics-symbol', 'line mark')).toBe('series')
    for (const d of ['axis', 'legend', 'title']) expect(markKind('graphics-symbol', d)).toBe('none')
    expect(markKind('graphics-object', 'line mark container')).toBe('none')
    expect(markKind(null, null)).toBe('none')
    expect(isVertexMark('point')).toBe(true)
    expect(isVertexMark('line mark')).toBe(false)
  })

  it('reads a line as the vertex of its own colour nearest the pointer, not its first vertex', () => {
    const vertices: Vertex[] = [
      { x: 0, y: 100, label: 'ρ: 0.1; IoU: 0.5; model: a', colour: '#4c78a8' },
      { x: 100, y: 50, label: 'ρ: 0.2; IoU: 0.6; model: a', colour: '#4c78a8' },
      { x: 100, y: 52, label: 'ρ: 0.2; IoU: 0.58; model: b', colour: '#f58518' },
    ]
    expect(nearestVertexLabel(vertices, 90, 55, '#4c78a8')).toBe('ρ: 0.2; IoU: 0.6; model: a')
    expect(nearestVertexLabel(vertices, 90, 55, '#f58518')).toBe('ρ: 0.2; IoU: 0.58; model: b')
    expect(nearestVertexLabel(vertices, 5, 95, null)).toBe('ρ: 0.1; IoU: 0.5; model: a')
    expect(nearestVertexLabel([], 5, 95, '#4c78a8')).toBeUndefined()
  })
})
