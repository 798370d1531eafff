// The vtk.js pipeline of the slice view: the image under two label overlays (human and interpolated mask),
// one slice along the volume's slice axis, seen head-on with a parallel camera. No Vue in here: the component
// owns one scene and pushes settings into it; vtk objects never become reactive.
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction'
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction'
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper'
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice'
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer'
import { labelColour } from './label-colours'
import { createGlWindow, toImageData } from './vtk-image'
import type { LoadedLayer } from './voxel-layers'

export type MaskLayer = 'human' | 'interpolated'
export type OverlayMode = 'filled' | 'contour'

/** How one mask overlay is drawn. */
export interface OverlayStyle {
  visible: boolean
  /** 0…1 */
  opacity: number
  mode: OverlayMode
}

/** The slice view's scene. */
export interface SliceScene {
  /** Shows these layers; a layer already shown (same run, volume and layer) is kept as it is. */
  setLayers(layers: { image?: LoadedLayer; human?: LoadedLayer; interpolated?: LoadedLayer }): void
  setSlice(index: number): void
  /** Display window [low, high] of the image. */
  setWindow(low: number, high: number): void
  setOverlay(layer: MaskLayer, style: OverlayStyle): void
  /** Draws now; returns how long the draw call took in ms. */
  render(): number
  /** Zooms by `factor` (> 1 in) keeping the point under (x, y) CSS pixels of the container where it is. */
  zoomAt(factor: number, x: number, y: number): void
  /** Moves the slice by (dx, dy) CSS pixels on screen. */
  panBy(dx: number, dy: number): void
  /** Back to the whole slice filling the view. */
  resetView(): void
  /** 1 when the whole slice fills the view, 2 when twice as large. */
  zoom(): number
  /** Follows the container's size; keeps the zoom and pan, re-fitted to the new size. */
  resize(): void
  destroy(): void
}

type Slice = ReturnType<typeof vtkImageSlice.newInstance>
type Mapper = ReturnType<typeof vtkImageMapper.newInstance>

interface Shown {
  key: string
  layer: LoadedLayer
  actor: Slice
  mapper: Mapper
}

const layerKey = (l: LoadedLayer): string => `${l.runId}/${l.volumeId}/${l.layer}`

/** Creates the slice view's scene in `container`. */
export function createSliceScene(container: HTMLElement): SliceScene {
  const gl = createGlWindow(container)
  const renderer = vtkRenderer.newInstance({ background: [0.06, 0.07, 0.08] })
  gl.renderWindow.addRenderer(renderer)
  renderer.getActiveCamera().setParallelProjection(true)

  const shown: Partial<Record<'image' | MaskLayer, Shown>> = {}
  const styles: Record<MaskLayer, OverlayStyle> = {
    human: { visible: true, opacity: 0.5, mode: 'filled' },
    interpolated: { visible: true, opacity: 0.5, mode: 'contour' },
  }
  let slice = 0
  let window: [number, number] = [0, 1]
  let fittedFor = ''
  // The view is the fit of the whole slice, then a zoom and a pan (world units along the view's right and up),
  // so a resize or a new volume of the same shape keeps what the user zoomed to.
  let fit: { centre: [number, number, number]; normal: [number, number, number]; up: [number, number, number]; right: [number, number, number]; distance: number; scale: number } | undefined
  let zoom = 1
  let pan: [number, number] = [0, 0]

  function makeSlice(layer: LoadedLayer): Shown {
    const mapper = vtkImageMapper.newInstance()
    mapper.setInputData(toImageData(layer.values, layer.dims, layer.spacing))
    mapper.setSlicingMode(layer.sliceAxis)
    mapper.setSlice(Math.min(slice, layer.dims[layer.sliceAxis] - 1))
    const actor = vtkImageSlice.newInstance()
    actor.setMapper(mapper)
    actor.getProperty().setInterpolationTypeToNearest()
    renderer.addActor(actor)
    return { key: layerKey(layer), layer, actor, mapper }
  }

  function drop(which: 'image' | MaskLayer): void {
    const s = shown[which]
    if (!s) return
    renderer.removeActor(s.actor)
    s.actor.delete()
    s.mapper.delete()
    delete shown[which]
  }

  function styleMask(which: MaskLayer): void {
    const s = shown[which]
    if (!s) return
    const style = styles[which]
    const top = Math.max(1, Math.round(s.layer.range[1]))
    // Flat steps around each integer label value (the texture is sampled nearest, so values are exact).
    const colours = vtkColorTransferFunction.newInstance()
    colours.addRGBPoint(-0.4, 0, 0, 0)
    colours.addRGBPoint(0.4, 0, 0, 0)
    for (let value = 1; value <= top; value++) {
      const [r, g, b] = labelColour(which, value)
      colours.addRGBPoint(value - 0.4, r, g, b)
      colours.addRGBPoint(value + 0.4, r, g, b)
    }
    // Background is see-through; labels are opaque when filled, and only their outline shows in contour mode.
    const fill = style.mode === 'filled' ? 1 : 0
    const opacities = vtkPiecewiseFunction.newInstance()
    opacities.addPoint(-0.4, 0)
    opacities.addPoint(0.4, 0)
    opacities.addPoint(0.6, fill)
    opacities.addPoint(top + 0.4, fill)
    const property = s.actor.getProperty()
    property.setRGBTransferFunction(0, colours)
    property.setPiecewiseFunction(0, opacities)
    property.setUseLookupTableScalarRange(true)
    property.setUseLabelOutline(style.mode === 'contour')
    property.setLabelOutlineThickness(2)
    property.setLabelOutlineOpacity(style.opacity)
    property.setOpacity(style.opacity)
    s.actor.setForceTranslucent(true)
    s.actor.setVisibility(style.visible)
  }

  function styleImage(): void {
    const s = shown.image
    if (!s) return
    const [low, high] = window
    s.actor.getProperty().setColorWindow(Math.max(1e-6, high - low))
    s.actor.getProperty().setColorLevel((low + high) / 2)
  }

  /** Overlays sit a hair in front of the image (and the interpolated one in front of the human one), so the three coincident planes never z-fight. */
  function layerOffsets(): void {
    const camera = renderer.getActiveCamera()
    const p = camera.getPosition()
    const f = camera.getFocalPoint()
    const d = [p[0] - f[0], p[1] - f[1], p[2] - f[2]]
    const n = Math.hypot(d[0] ?? 0, d[1] ?? 0, d[2] ?? 0) || 1
    const base = shown.image?.layer ?? shown.human?.layer ?? shown.interpolated?.layer
    const step = 0.05 * (base ? base.spacing[base.sliceAxis] : 1)
    const place = (s: Shown | undefined, k: number): void => {
      s?.actor.setPosition(((d[0] ?? 0) / n) * step * k, ((d[1] ?? 0) / n) * step * k, ((d[2] ?? 0) / n) * step * k)
    }
    place(shown.image, 0)
    place(shown.human, 1)
    place(shown.interpolated, 2)
  }

  /** Looks at the slice plane head-on, filling the view with the slice. */
  function fitCamera(): void {
    const base = shown.image?.layer ?? shown.human?.layer ?? shown.interpolated?.layer
    if (!base) return
    const { dims, spacing, sliceAxis } = base
    const extent = dims.map((d, i) => (d - 1) * (spacing[i] ?? 1)) as [number, number, number]
    const centre = extent.map((e) => e / 2) as [number, number, number]
    // Axial: i right, j up, seen from above; sagittal and coronal: superior (k) up.
    const normal: [number, number, number] = sliceAxis === 0 ? [1, 0, 0] : sliceAxis === 1 ? [0, -1, 0] : [0, 0, 1]
    const up: [number, number, number] = sliceAxis === 2 ? [0, 1, 0] : [0, 0, 1]
    const distance = Math.max(...extent) * 2 + 10
    const [u, v] = sliceAxis === 0 ? [1, 2] : sliceAxis === 1 ? [0, 2] : [0, 1]
    const width = (extent[u] ?? 1) + (spacing[u] ?? 1)
    const height = (extent[v] ?? 1) + (spacing[v] ?? 1)
    const size = gl.glWindow.getSize()
    const aspect = (size[0] ?? 1) / Math.max(1, size[1] ?? 1)
    // Screen right: the viewing direction (−normal) crossed with up.
    const right: [number, number, number] = [
      -(normal[1] * up[2] - normal[2] * up[1]),
      -(normal[2] * up[0] - normal[0] * up[2]),
      -(normal[0] * up[1] - normal[1] * up[0]),
    ]
    fit = { centre, normal, up, right, distance, scale: 1.04 * Math.max(height / 2, width / 2 / aspect) }
    applyView()
  }

  /** Puts the camera at the fit moved by the pan and narrowed by the zoom. */
  function applyView(): void {
    if (!fit) return
    const { centre, normal, up, right, distance, scale } = fit
    const focal = [0, 1, 2].map((a) => (centre[a] ?? 0) + (right[a] ?? 0) * pan[0] + (up[a] ?? 0) * pan[1]) as [number, number, number]
    const camera = renderer.getActiveCamera()
    camera.setFocalPoint(focal[0], focal[1], focal[2])
    camera.setPosition(focal[0] + normal[0] * distance, focal[1] + normal[1] * distance, focal[2] + normal[2] * distance)
    camera.setViewUp(up[0], up[1], up[2])
    camera.setParallelScale(scale / zoom)
    renderer.resetCameraClippingRange()
    layerOffsets()
  }

  /** World units per CSS pixel at the current zoom. */
  function worldPerPixel(): number {
    const height = container.getBoundingClientRect().height
    return fit ? (2 * fit.scale) / zoom / Math.max(1, height) : 0
  }

  return {
    setLayers(layers) {
      for (const which of ['image', 'human', 'interpolated'] as const) {
        const next = layers[which]
        if (shown[which]?.key === (next ? layerKey(next) : undefined)) continue
        drop(which)
        if (next) shown[which] = makeSlice(next)
      }
      styleImage()
      styleMask('human')
      styleMask('interpolated')
      const base = shown.image?.layer ?? shown.human?.layer ?? shown.interpolated?.layer
      const fitKey = base ? `${base.dims.join('x')}/${base.spacing.join('x')}/${base.sliceAxis}` : ''
      if (fitKey !== fittedFor) {
        fittedFor = fitKey
        // Another shape: what was zoomed to means nothing there.
        zoom = 1
        pan = [0, 0]
        fitCamera()
      } else layerOffsets()
    },
    setSlice(index) {
      slice = index
      for (const s of Object.values(shown)) s?.mapper.setSlice(Math.min(index, s.layer.dims[s.layer.sliceAxis] - 1))
    },
    setWindow(low, high) {
      window = [low, high]
      styleImage()
    },
    setOverlay(which, style) {
      styles[which] = { ...style }
      styleMask(which)
    },
    render() {
      const started = performance.now()
      gl.renderWindow.render()
      return performance.now() - started
    },
    zoomAt(factor, x, y) {
      if (!fit || !(factor > 0)) return
      const { width, height } = container.getBoundingClientRect()
      const perPixel = worldPerPixel()
      const next = Math.min(64, Math.max(0.5, zoom * factor))
      // The point under the cursor, from the view centre in world units, stays put: the centre moves towards it.
      const keep = 1 - zoom / next
      pan = [pan[0] + (x - width / 2) * perPixel * keep, pan[1] - (y - height / 2) * perPixel * keep]
      zoom = next
      applyView()
    },
    panBy(dx, dy) {
      const perPixel = worldPerPixel()
      pan = [pan[0] - dx * perPixel, pan[1] + dy * perPixel]
      applyView()
    },
    resetView() {
      zoom = 1
      pan = [0, 0]
      applyView()
    },
    zoom: () => zoom,
    resize() {
      if (gl.resize()) fitCamera()
    },
    destroy() {
      for (const which of ['image', 'human', 'interpolated'] as const) drop(which)
      renderer.delete()
      gl.destroy()
    },
  }
}
