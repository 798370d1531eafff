// A LoadedLayer as vtkImageData, and the render window set-up both views share. Positions are index × spacing
// with origin 0: the inspector compares masks of one volume, so the affine's rotation does not matter here.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray'
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData'
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Geometry'
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume'
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow'
import type { vtkRenderWindow as RenderWindow } from '@kitware/vtk.js/Rendering/Core/RenderWindow'
import vtkOpenGLRenderWindowFactory, { type vtkOpenGLRenderWindow } from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow'
import type { LayerArray } from './voxel-layers'

/** vtkImageData over a layer's voxels (no copy). */
export function toImageData(values: LayerArray, dims: readonly [number, number, number], spacing: readonly [number, number, number]): ReturnType<typeof vtkImageData.newInstance> {
  const image = vtkImageData.newInstance()
  image.setDimensions(dims[0], dims[1], dims[2])
  image.setSpacing([spacing[0], spacing[1], spacing[2]])
  image.setOrigin([0, 0, 0])
  image.getPointData().setScalars(vtkDataArray.newInstance({ name: 'voxels', numberOfComponents: 1, values }))
  return image
}

/** A WebGL render window drawn into `container`, sized to it in device pixels. */
export interface GlWindow {
  renderWindow: RenderWindow
  glWindow: vtkOpenGLRenderWindow
  /** Matches the canvas to the container's size; true when it changed. */
  resize(): boolean
  destroy(): void
}

/** Creates a render window inside `container`. */
export function createGlWindow(container: HTMLElement): GlWindow {
  const renderWindow = vtkRenderWindow.newInstance()
  // Made directly rather than by API name: the WebGL view registers its name only as a side effect of this import.
  const glWindow: vtkOpenGLRenderWindow = vtkOpenGLRenderWindowFactory.newInstance()
  renderWindow.addView(glWindow)
  glWindow.setContainer(container)
  let size: [number, number] = [0, 0]
  function resize(): boolean {
    const { width, height } = container.getBoundingClientRect()
    const ratio = window.devicePixelRatio || 1
    const next: [number, number] = [Math.max(1, Math.floor(width * ratio)), Math.max(1, Math.floor(height * ratio))]
    if (next[0] === size[0] && next[1] === size[1]) return false
    size = next
    glWindow.setSize(next[0], next[1])
    return true
  }
  resize()
  return {
    renderWindow,
    glWindow,
    resize,
    destroy() {
      glWindow.setContainer(null)
      renderWindow.delete()
      glWindow.delete()
    },
  }
}
