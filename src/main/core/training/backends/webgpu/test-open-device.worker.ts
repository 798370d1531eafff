// Test worker (process-gpu.spec.ts): waits until every worker of its round has loaded (a counter in shared
// memory), then opens webgpu on the forced adapter at the same moment as the others, runs one op, reports.
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../backend'

const { barrier, parties } = workerData as { barrier: SharedArrayBuffer; parties: number }
const arrived = new Int32Array(barrier)
Atomics.add(arrived, 0, 1)
while (Atomics.load(arrived, 0) < parties) await new Promise((r) => setTimeout(r, 1))
const choice = await selectBackend({ force: 'webgpu' })
const sum = tf.sum(tf.ones([4, 4]))
parentPort?.postMessage({ backend: choice.name, sum: (await sum.data())[0] })
