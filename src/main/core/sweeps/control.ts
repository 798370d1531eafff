/** A sweep's life outside the runner: status, cancel, resume (re-queue), retry (failed trials only). */
import { InputError } from '../../../shared/errors'
import type { SweepRecord, SweepStatus } from '../../../shared/sweep'
import { immediate, type Db } from '../store/database'
import { markInterruptedRuns, processIsAlive } from '../store/runs-repo'
import {
  cancelQueuedTrials,
  countTrials,
  getSweep,
  listTrials,
  requeueInterruptedTrials,
  requeueTrials,
  setSweepCancelled,
} from '../store/sweeps-repo'

/** The sweep of an id, or an InputError. */
export function requireSweep(db: Db, sweepId: number): SweepRecord {
  const sweep = getSweep(db, sweepId)
  if (!sweep) throw new InputError(`sweep ${sweepId}`, 'no sweep has this id')
  return sweep
}

/** The sweep, its counts and its trials. */
export function sweepStatus(db: Db, sweepId: number): SweepStatus {
  const sweep = requireSweep(db, sweepId)
  return { sweep, counts: countTrials(db, sweepId), trials: listTrials(db, sweepId) }
}

/**
 * Trials left 'running' by a runner that died (kill -9, power cut) go back to the queue, and their training
 * runs are marked failed; done trials are untouched. Returns the re-queued trial ids.
 */
export function recoverInterrupted(db: Db, sweepId: number, isAlive: (pid: number) => boolean = processIsAlive): number[] {
  markInterruptedRuns(db, isAlive)
  return requeueInterruptedTrials(db, sweepId, isAlive)
}

/**
 * Cancels a sweep: its queued trials become cancelled at once; a runner working on it sees the flag and
 * cancels its running trials. Returns how many queued trials were cancelled.
 */
export function cancelSweep(db: Db, sweepId: number): number {
  return immediate(db, () => {
    requireSweep(db, sweepId)
    recoverInterrupted(db, sweepId)
    setSweepCancelled(db, sweepId, true)
    return cancelQueuedTrials(db, sweepId)
  })
}

/** Makes a cancelled or interrupted sweep runnable again: cancelled and interrupted trials re-queued. */
export function resumeSweep(db: Db, sweepId: number): number[] {
  return immediate(db, () => {
    requireSweep(db, sweepId)
    const interrupted = recoverInterrupted(db, sweepId)
    setSweepCancelled(db, sweepId, false)
    return [...interrupted, ...requeueTrials(db, sweepId, ['cancelled'])]
  })
}

/** Re-queues the failed trials (all, or the given ones); returns their ids, to run them alone. */
export function retryFailed(db: Db, sweepId: number, onlyIds?: readonly number[]): number[] {
  // One transaction: a cancel committed between the check and the re-queue would otherwise be undone.
  return immediate(db, () => {
    const sweep = requireSweep(db, sweepId)
    if (sweep.cancelled) throw new InputError(`sweep ${sweepId}`, 'is cancelled; `workbench sweep resume` makes it runnable again')
    return requeueTrials(db, sweepId, ['failed'], onlyIds)
  })
}
