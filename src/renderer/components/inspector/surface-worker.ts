// The page's side of the surface worker: one worker a mask layer (so the human and the interpolated surface
// are made in parallel), a job id so a stale answer is dropped, and the meshes as vtkPolyData.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray'
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData'
import type { vtkPolyData as PolyData } from '@kitware/vtk.js/Common/DataModel/PolyData'
import { meshSteps, type MaskMesh, type SurfaceJob, type SurfaceReply } from './mask-mesh'
import type { LoadedLayer } from './voxel-layers'

/** A mesh from the worker as polydata (the arrays are used as they are, not copied). */
export function meshPolyData(mesh: MaskMesh): PolyData {
  const polyData = vtkPolyData.newInstance()
  polyData.getPoints().setData(mesh.points, 3)
  polyData.getPolys().setData(mesh.polys)
  if (mesh.normals.length === mesh.points.length && mesh.normals.length > 0) {
    polyData.getPointData().setNormals(vtkDataArray.newInstance({ name: 'Normals', numberOfComponents: 3, values: mesh.normals }))
  }
  return polyData
}

/** One mask's surface worker. */
export interface SurfaceWorker {
  /**
   * Meshes a layer; `onMesh` gets each resolution (coarse first, `final` on the last). A newer request
   * supersedes an older one, whose answers are dropped. Rejects the returned promise on a worker failure.
   */
  mesh(layer: LoadedLayer, onMesh: (mesh: MaskMesh, final: boolean) => void): Promise<void>
  /** Where meshes are made: in the worker, or on the page where a worker could not start. */
  where(): 'worker' | 'page'
  destroy(): void
}

type Pending = { id: number; job: SurfaceJob; onMesh: (mesh: MaskMesh, final: boolean) => void; done: () => void; fail: (err: Error) => void }

/**
 * Starts a surface worker. Where workers cannot start (a page whose policy or origin forbids them), it
 * meshes on the page instead, one resolution step a task, as the inspector did before it had a worker.
 */
export function createSurfaceWorker(): SurfaceWorker {
  let worker: Worker | undefined
  let inPage = false
  let answered = false
  let latest = 0
  let pending: Pending | undefined

  async function meshInPage(task: Pending): Promise<void> {
    for (const reply of meshSteps(task.job)) {
      if (pending !== task) return
      if ('error' in reply) throw new Error(reply.error)
      if (reply.final) pending = undefined
      task.onMesh(reply.mesh, reply.final)
      // Between steps the page draws and handles input.
      await new Promise((next) => setTimeout(next, 0))
    }
    task.done()
  }

  function runInPage(task: Pending): void {
    meshInPage(task).catch((err: unknown) => {
      if (pending === task) pending = undefined
      task.fail(err instanceof Error ? err : new Error(String(err)))
    })
  }

  function start(): Worker | undefined {
    let w: Worker
    try {
      w = new Worker(new URL('./surface.worker.ts', import.meta.url), { type: 'module', name: 'surface' })
    } catch (err) {
      console.warn('the surface worker could not start; meshing on the page instead', err)
      inPage = true
      return undefined
    }
    w.onmessage = (event: MessageEvent<SurfaceReply>) => {
      answered = true
      const reply = event.data
      if (!pending || reply.id !== pending.id) return
      const task = pending
      if ('error' in reply) {
        pending = undefined
        task.fail(new Error(reply.error))
        return
      }
      if (reply.final) pending = undefined
      task.onMesh(reply.mesh, reply.final)
      if (reply.final) task.done()
    }
    w.onerror = (event) => {
      event.preventDefault()
      const task = pending
      worker?.terminate()
      worker = undefined
      if (!answered) {
        // It never ran: its script could not be loaded here. The job's voxels went with it, so mesh a copy on the page.
        console.warn(`the surface worker could not start (${event.message || 'no reason given'}); meshing on the page instead`)
        inPage = true
        if (task) runInPage(task)
        return
      }
      pending = undefined
      task?.fail(new Error(`the surface worker failed: ${event.message || 'no reason given'}`))
    }
    return w
  }

  return {
    mesh(layer, onMesh) {
      const id = ++latest
      // A busy worker is still meshing a superseded mask: stop it rather than wait for it.
      if (pending && worker) {
        worker.terminate()
        worker = undefined
      }
      pending?.done()
      pending = undefined
      if (!inPage) worker ??= start()
      // The cached layer's voxels stay with the slice view; the worker gets its own copy, moved, not cloned.
      const values = layer.values.slice()
      const job: SurfaceJob = { id, values, dims: layer.dims, spacing: layer.spacing }
      return new Promise<void>((done, fail) => {
        const task: Pending = { id, job, onMesh, done, fail }
        pending = task
        if (worker) {
          // A copy kept for the page, only until the worker first answers (in case it cannot start).
          if (!answered) task.job = { ...job, values: values.slice() }
          worker.postMessage(job, [values.buffer])
        } else runInPage(task)
      })
    },
    where: () => (inPage ? 'page' : 'worker'),
    destroy() {
      pending?.done()
      pending = undefined
      worker?.terminate()
      worker = undefined
    },
  }
}
