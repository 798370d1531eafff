// The vtk.js pipeline of the slice view: the image under two label overlays (human and interpolated mask),
// one slice along the volume's slice axis, seen head-on with a parallel camera. No Vue in here: the component
// owns one scene and pushes settings into it; vtk objects never become reactive.
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction'
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction'
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper'
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice'
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer'
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

/** Overlay colours (RGB 0…1), also used by the legend and the 3D view: green for people, magenta for the algorithm. */
export const maskColours: Record<MaskLayer, [number, number, number]> = {
  human: [0.2, 0.9, 0.35],
  interpolated: [1.0, 0.3, 0.8],
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
  /** Follows the container's size; re-fits the camera when it changed. */
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
    const [r, g, b] = maskColours[which]
    const top = Math.max(1, s.layer.range[1])
    const colours = vtkColorTransferFunction.newInstance()
    colours.addRGBPoint(0, 0, 0, 0)
    colours.addRGBPoint(1, r, g, b)
    colours.addRGBPoint(top, r, g, b)
    // Background is see-through; labels are opaque when filled, and only their outline shows in contour mode.
    const fill = style.mode === 'filled' ? 1 : 0
    const opacities = vtkPiecewiseFunction.newInstance()
    opacities.addPoint(0, 0)
    opacities.addPoint(1, fill)
    opacities.addPoint(top, fill)
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
    const camera = renderer.getActiveCamera()
    // Axial: i right, j up, seen from above; sagittal and coronal: superior (k) up.
    const normal: [number, number, number] = sliceAxis === 0 ? [1, 0, 0] : sliceAxis === 1 ? [0, -1, 0] : [0, 0, 1]
    const up: [number, number, number] = sliceAxis === 2 ? [0, 1, 0] : [0, 0, 1]
    const distance = Math.max(...extent) * 2 + 10
    camera.setFocalPoint(centre[0], centre[1], centre[2])
    camera.setPosition(centre[0] + normal[0] * distance, centre[1] + normal[1] * distance, centre[2] + normal[2] * distance)
    camera.setViewUp(up[0], up[1], up[2])
    const [u, v] = sliceAxis === 0 ? [1, 2] : sliceAxis === 1 ? [0, 2] : [0, 1]
    const width = (extent[u] ?? 1) + (spacing[u] ?? 1)
    const height = (extent[v] ?? 1) + (spacing[v] ?? 1)
    const size = gl.glWindow.getSize()
    const aspect = (size[0] ?? 1) / Math.max(1, size[1] ?? 1)
    camera.setParallelScale(1.04 * Math.max(height / 2, width / 2 / aspect))
    renderer.resetCameraClippingRange()
    layerOffsets()
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
