// The vtk.js pipeline of the slice view: one slice of the image under two label overlays (human and interpolated
// mask), seen head-on with a parallel camera. The three layers are composed into one RGB picture on the CPU
// (slice-composite.ts) and drawn as a single opaque textured quad, so a slice step uploads one small 2D texture
// and draws one quad: no translucency pass, no per-pixel outline shader. No Vue in here: the component owns one
// scene and pushes settings into it; vtk objects never become reactive.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray'
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData'
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper'
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice'
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer'
import { labelColour } from './label-colours'
import { composeSlice, extractSlice, planeAxes, type MaskLayer, type OverlayStyle } from './slice-composite'
import { createGlWindow } from './vtk-image'
import type { LoadedLayer } from './voxel-layers'

export type { MaskLayer, OverlayMode, OverlayStyle } from './slice-composite'

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

const layerKey = (l: LoadedLayer): string => `${l.runId}/${l.volumeId}/${l.layer}`

/** Background of the view and of a slice whose image has not arrived yet. */
const background: [number, number, number] = [0.06, 0.07, 0.08]
/** Outline width of a contour overlay in screen pixels (at the zoom the picture was made for). */
const outlinePixels = 2
/**
 * Most picture pixels per voxel, and in all: a larger scale buys thinner outlines with time spent on every step
 * (half a million pixels compose in a few ms; a zoomed 256² slice would otherwise ask for 2048²).
 */
const maxScale = 8
const maxPicturePixels = 1 << 19

type Layers = { image?: LoadedLayer; human?: LoadedLayer; interpolated?: LoadedLayer }

/** Creates the slice view's scene in `container`. */
export function createSliceScene(container: HTMLElement): SliceScene {
  const gl = createGlWindow(container)
  const renderer = vtkRenderer.newInstance({ background })
  gl.renderWindow.addRenderer(renderer)
  renderer.getActiveCamera().setParallelProjection(true)

  let layers: Layers = {}
  const styles: Record<MaskLayer, OverlayStyle> = {
    human: { visible: true, opacity: 0.5, mode: 'filled' },
    interpolated: { visible: true, opacity: 0.5, mode: 'contour' },
  }
  let slice = 0
  let window: [number, number] = [0, 1]
  let fittedFor = ''
  // The view is the fit of the whole slice, then a zoom and a pan (world units along the view's right and up),
  // so a resize or a new volume of the same shape keeps what the user zoomed to.
  let fit: { centre: [number, number, number]; distance: number; scale: number } | undefined
  let zoom = 1
  let pan: [number, number] = [0, 0]

  // The picture: one RGB image in the z = 0 plane, u along x and v along y; rebuilt when its size changes.
  let picture: { scale: number; width: number; height: number; pixels: Uint8Array; data: ReturnType<typeof vtkImageData.newInstance>; scalars: ReturnType<typeof vtkDataArray.newInstance> } | undefined
  const mapper = vtkImageMapper.newInstance()
  mapper.setSlicingMode(2)
  mapper.setSlice(0)
  const actor = vtkImageSlice.newInstance()
  actor.setMapper(mapper)
  actor.getProperty().setInterpolationTypeToNearest()
  // RGB bytes shown as they are: a window of 255 centred on 127.5 maps byte values onto themselves.
  actor.getProperty().setColorWindow(255)
  actor.getProperty().setColorLevel(127.5)
  actor.setVisibility(false)
  renderer.addActor(actor)
  /** Whether the picture must be composed again before the next draw. */
  let stale = true
  /** Reused slice buffers of the layers (a slice along axis 0 or 1 is copied out of the volume). */
  const sliceBuffers: Partial<Record<keyof Layers, Float32Array>> = {}

  const base = (): LoadedLayer | undefined => layers.image ?? layers.human ?? layers.interpolated

  /** Screen pixels a voxel spans at the current zoom. */
  function pixelsPerVoxel(layer: LoadedLayer): number {
    if (!fit) return 1
    const [u, v] = planeAxes(layer.sliceAxis)
    const screenHeight = Math.max(1, gl.glWindow.getSize()[1] ?? 1)
    return Math.min(layer.spacing[u], layer.spacing[v]) / ((2 * fit.scale) / zoom / screenHeight)
  }

  /** Picture pixels per voxel: about one screen pixel each at the current zoom, within the limits. */
  function pictureScale(layer: LoadedLayer): number {
    const [u, v] = planeAxes(layer.sliceAxis)
    const byPixels = Math.floor(Math.sqrt(maxPicturePixels / (layer.dims[u] * layer.dims[v])))
    return Math.max(1, Math.min(maxScale, Math.floor(pixelsPerVoxel(layer)), byPixels))
  }

  /** Composes the slice on show into the picture (making a picture of the right size first). */
  function compose(): void {
    stale = false
    const layer = base()
    if (!layer) {
      actor.setVisibility(false)
      return
    }
    const [u, v] = planeAxes(layer.sliceAxis)
    const width = layer.dims[u]
    const height = layer.dims[v]
    const scale = pictureScale(layer)
    if (!picture || picture.scale !== scale || picture.width !== width || picture.height !== height) {
      const pixels = new Uint8Array(width * scale * height * scale * 3)
      const data = vtkImageData.newInstance()
      data.setDimensions(width * scale, height * scale, 1)
      data.setSpacing([layer.spacing[u] / scale, layer.spacing[v] / scale, 1])
      // Pixel centres inside each voxel, so the voxel (i, j) covers i·spacing ± spacing / 2 as before.
      data.setOrigin([(0.5 / scale - 0.5) * layer.spacing[u], (0.5 / scale - 0.5) * layer.spacing[v], 0])
      const scalars = vtkDataArray.newInstance({ name: 'picture', numberOfComponents: 3, values: pixels })
      data.getPointData().setScalars(scalars)
      mapper.setInputData(data)
      picture?.data.delete()
      picture = { scale, width, height, pixels, data, scalars }
    }
    const index = Math.min(slice, layer.dims[layer.sliceAxis] - 1)
    const sliceOf = (which: keyof Layers): ArrayLike<number> | undefined => {
      const l = layers[which]
      // A layer of another shape than the first one cannot be laid over it.
      if (!l || l.sliceAxis !== layer.sliceAxis || l.dims.some((d, a) => d !== layer.dims[a])) return undefined
      const values = extractSlice(l, l.sliceAxis, index, sliceBuffers[which])
      if (values instanceof Float32Array && values.buffer !== l.values.buffer) sliceBuffers[which] = values
      return values
    }
    const imageValues = sliceOf('image')
    const mask = (which: MaskLayer) => {
      const labels = sliceOf(which)
      return labels ? { labels, style: styles[which], colour: (value: number) => labelColour(which, value) } : undefined
    }
    const outline = Math.max(1, Math.round((outlinePixels * scale) / Math.max(1, pixelsPerVoxel(layer))))
    composeSlice(
      { width, height, scale, outline, background, image: imageValues ? { values: imageValues, window } : undefined, masks: [mask('human'), mask('interpolated')] },
      picture.pixels,
    )
    picture.scalars.modified()
    actor.setVisibility(true)
  }

  /** Looks at the slice head-on, filling the view with it. */
  function fitCamera(): void {
    const layer = base()
    if (!layer) return
    const [u, v] = planeAxes(layer.sliceAxis)
    const extent = [(layer.dims[u] - 1) * layer.spacing[u], (layer.dims[v] - 1) * layer.spacing[v]] as const
    const width = extent[0] + layer.spacing[u]
    const height = extent[1] + layer.spacing[v]
    const size = gl.glWindow.getSize()
    const aspect = (size[0] ?? 1) / Math.max(1, size[1] ?? 1)
    fit = { centre: [extent[0] / 2, extent[1] / 2, 0], distance: Math.max(width, height) * 2 + 10, scale: 1.04 * Math.max(height / 2, width / 2 / aspect) }
    applyView()
  }

  /** Puts the camera at the fit moved by the pan and narrowed by the zoom. */
  function applyView(): void {
    if (!fit) return
    const { centre, distance, scale } = fit
    const camera = renderer.getActiveCamera()
    camera.setFocalPoint(centre[0] + pan[0], centre[1] + pan[1], 0)
    camera.setPosition(centre[0] + pan[0], centre[1] + pan[1], distance)
    camera.setViewUp(0, 1, 0)
    camera.setParallelScale(scale / zoom)
    renderer.resetCameraClippingRange()
    // A zoom may call for a finer or coarser picture.
    const layer = base()
    if (layer && picture && pictureScale(layer) !== picture.scale) stale = true
  }

  /** World units per CSS pixel at the current zoom. */
  function worldPerPixel(): number {
    const height = container.getBoundingClientRect().height
    return fit ? (2 * fit.scale) / zoom / Math.max(1, height) : 0
  }

  return {
    setLayers(next) {
      const same = (a?: LoadedLayer, b?: LoadedLayer): boolean => (a ? layerKey(a) : '') === (b ? layerKey(b) : '')
      if (!same(layers.image, next.image) || !same(layers.human, next.human) || !same(layers.interpolated, next.interpolated)) stale = true
      layers = { ...next }
      const layer = base()
      const fitKey = layer ? `${layer.dims.join('x')}/${layer.spacing.join('x')}/${layer.sliceAxis}` : ''
      if (fitKey !== fittedFor) {
        fittedFor = fitKey
        // Another shape: what was zoomed to means nothing there.
        zoom = 1
        pan = [0, 0]
        fitCamera()
        stale = true
      }
    },
    setSlice(index) {
      if (index === slice) return
      slice = index
      stale = true
    },
    setWindow(low, high) {
      window = [low, high]
      stale = true
    },
    setOverlay(which, style) {
      styles[which] = { ...style }
      stale = true
    },
    render() {
      const started = performance.now()
      if (stale) compose()
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
      renderer.removeActor(actor)
      actor.delete()
      mapper.delete()
      picture?.data.delete()
      renderer.delete()
      gl.destroy()
    },
  }
}
