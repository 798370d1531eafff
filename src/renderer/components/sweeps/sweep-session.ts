// The live side of the Sweeps view, kept outside the components so it survives switching tabs: the latest
// `sweep` event of each sweep, and how many have arrived (the e2e test reads it to see progress arrive live).
import { shallowRef, type ShallowRef } from 'vue'
import type { SweepProgress } from '../../../shared/sweep'
import { on, watchEventLink, type EventLinkState } from '../../api/client'

const latest = shallowRef<ReadonlyMap<number, SweepProgress>>(new Map())
const eventsSeen = shallowRef(0)
const link = shallowRef<EventLinkState>('closed')
let subscribed = false

function ensureSubscribed(): void {
  if (subscribed) return
  subscribed = true
  on('sweep', (p) => {
    latest.value = new Map(latest.value).set(p.sweepId, p)
    eventsSeen.value++
  })
  watchEventLink((s) => (link.value = s))
}

/** The sweep events seen by this page. */
export function useSweepEvents(): { latest: ShallowRef<ReadonlyMap<number, SweepProgress>>; eventsSeen: ShallowRef<number>; link: ShallowRef<EventLinkState> } {
  ensureSubscribed()
  return { latest, eventsSeen, link }
}
