// The vtk.js pipeline of the 3D view: the human and the interpolated mask surfaces, overlaid in one renderer
// or side by side in two that share one camera (so rotating one rotates both), with the annotated slices as
// translucent planes in each.
import type { vtkPolyData as PolyData } from '@kitware/vtk.js/Common/DataModel/PolyData'
import vtkInteractorStyleTrackballCamera from '@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera'
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor'
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper'
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer'
import vtkRenderWindowInteractor from '@kitware/vtk.js/Rendering/Core/RenderWindowInteractor'
import { maskColours } from './label-colours'
import type { MaskLayer } from './slice-scene'
import { createGlWindow } from './vtk-image'

export type SurfaceLayout = 'overlaid' | 'side-by-side'

/** The 3D view's scene. */
export interface SurfaceScene {
  setSurface(layer: MaskLayer, polyData: PolyData | undefined): void
  setPlanes(polyData: PolyData | undefined): void
  setLayout(layout: SurfaceLayout): void
  /** Points the shared camera at everything shown. */
  resetCamera(): void
  render(): void
  resize(): void
  destroy(): void
}

type Actor = ReturnType<typeof vtkActor.newInstance>

function makeActor(colour: [number, number, number], opacity: number): Actor {
  const actor = vtkActor.newInstance()
  actor.setMapper(vtkMapper.newInstance({ scalarVisibility: false }))
  const property = actor.getProperty()
  property.setColor(colour[0], colour[1], colour[2])
  property.setOpacity(opacity)
  property.setSpecular(0.2)
  actor.setVisibility(false)
  return actor
}

/** Creates the 3D view's scene in `container`, with mouse rotation, pan and zoom. */
export function createSurfaceScene(container: HTMLElement): SurfaceScene {
  const gl = createGlWindow(container)
  const left = vtkRenderer.newInstance({ background: [0.06, 0.07, 0.08] })
  const right = vtkRenderer.newInstance({ background: [0.07, 0.07, 0.09] })
  right.setActiveCamera(left.getActiveCamera())
  gl.renderWindow.addRenderer(left)

  const interactor = vtkRenderWindowInteractor.newInstance()
  interactor.setView(gl.glWindow)
  interactor.initialize()
  interactor.bindEvents(container)
  interactor.setInteractorStyle(vtkInteractorStyleTrackballCamera.newInstance())

  const actors: Record<MaskLayer, Actor> = { human: makeActor(maskColours.human, 1), interpolated: makeActor(maskColours.interpolated, 1) }
  // Each renderer needs its own planes actor (an actor belongs to one renderer in side-by-side layout).
  const planes = [makeActor([1, 0.85, 0.2], 0.18), makeActor([1, 0.85, 0.2], 0.18)] as const
  for (const p of planes) p.getProperty().setEdgeVisibility(true)
  for (const p of planes) p.getProperty().setEdgeColor(1, 0.85, 0.2)
  let layout: SurfaceLayout = 'overlaid'

  function arrange(): void {
    for (const r of [left, right]) r.removeAllViewProps()
    const [planesLeft, planesRight] = planes
    if (layout === 'overlaid') {
      gl.renderWindow.removeRenderer(right)
      left.setViewport(0, 0, 1, 1)
      left.addActor(actors.interpolated)
      left.addActor(actors.human)
      left.addActor(planesLeft)
      // Human surface see-through over the solid interpolated one: where they differ, the colour says who has it.
      actors.human.getProperty().setOpacity(0.45)
    } else {
      if (!gl.renderWindow.getRenderers().includes(right)) gl.renderWindow.addRenderer(right)
      left.setViewport(0, 0, 0.5, 1)
      right.setViewport(0.5, 0, 1, 1)
      left.addActor(actors.human)
      left.addActor(planesLeft)
      right.addActor(actors.interpolated)
      right.addActor(planesRight)
      actors.human.getProperty().setOpacity(1)
    }
  }
  arrange()

  /**
   * Fits what is drawn into the left renderer's viewport, keeping the view direction. vtk.js fits the bounding
   * sphere to the vertical view angle only, so in a viewport narrower than tall (each half of side-by-side) the
   * surfaces ran past the divide; dollying out by the viewport's aspect fits the width too.
   */
  function fitCamera(): void {
    left.resetCamera()
    const [x0, , x1] = left.getViewport()
    const aspect = ((x1 - x0) * container.clientWidth) / Math.max(1, container.clientHeight)
    // The bounding box's corners lie on the fitted sphere: a tenth of margin keeps them off the viewport's edge.
    left.getActiveCamera().dolly(0.9 * Math.min(1, aspect > 0 ? aspect : 1))
    left.resetCameraClippingRange()
    right.resetCameraClippingRange()
  }

  return {
    setSurface(layer, polyData) {
      const actor = actors[layer]
      if (polyData) actor.getMapper()?.setInputData(polyData)
      actor.setVisibility(Boolean(polyData && polyData.getNumberOfPoints() > 0))
    },
    setPlanes(polyData) {
      for (const p of planes) {
        if (polyData) p.getMapper()?.setInputData(polyData)
        p.setVisibility(Boolean(polyData))
      }
    },
    setLayout(next) {
      if (next === layout) return
      layout = next
      arrange()
      fitCamera()
    },
    resetCamera() {
      const camera = left.getActiveCamera()
      camera.setPosition(0, -1, 0.6)
      camera.setFocalPoint(0, 0, 0)
      camera.setViewUp(0, 0, 1)
      fitCamera()
    },
    render() {
      gl.renderWindow.render()
    },
    resize() {
      if (gl.resize()) gl.renderWindow.render()
    },
    destroy() {
      interactor.unbindEvents()
      interactor.delete()
      for (const a of [actors.human, actors.interpolated, ...planes]) a.delete()
      left.delete()
      right.delete()
      gl.destroy()
    },
  }
}
