// The surface worker: meshes one mask a job, off the page's main thread, and transfers each mesh's arrays
// back (coarse first for a large mask). Only a wrapper: the work is mask-mesh.ts's meshSteps.
import { meshSteps, type SurfaceJob, type SurfaceReply } from './mask-mesh'

self.onmessage = (event: MessageEvent<SurfaceJob>) => {
  const job = event.data
  try {
    for (const reply of meshSteps(job)) {
      const transfer = 'mesh' in reply ? [reply.mesh.points.buffer, reply.mesh.polys.buffer, reply.mesh.normals.buffer] : []
      self.postMessage(reply, { transfer })
    }
  } catch (err) {
    const reply: SurfaceReply = { id: job.id, error: err instanceof Error ? err.message : String(err) }
    self.postMessage(reply)
  }
}
