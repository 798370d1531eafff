// Small display helpers shared by the views.

/** "64 × 64 × 48"; with `digits`, rounded and without trailing zeros ("0.8 × 0.8 × 1.25"). */
export function formatTriple(values: readonly number[], digits?: number): string {
  return values.map((v) => (digits === undefined ? String(v) : String(Number(v.toFixed(digits))))).join(' × ')
}

/** A stored ISO time as local "YYYY-MM-DD HH:MM", or only the date with `dateOnly`. */
export function formatCreated(iso: string, dateOnly = false): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const pad = (n: number): string => String(n).padStart(2, '0')
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  return dateOnly ? day : `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** "1: 1 204 · 2: 980" — voxel counts per label value, background (0) left out. */
export function formatLabelVoxels(counts: Record<string, number>, names: Record<string, string> = {}): string {
  const parts = Object.entries(counts)
    .filter(([label]) => label !== '0')
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([label, count]) => `${names[label] ?? label}: ${count.toLocaleString('en-US')}`)
  return parts.length > 0 ? parts.join(' · ') : 'none'
}

/** A fraction such as ρ or s with at most `digits` decimals and no trailing zeros ("0.2", "0.539"). */
export function formatFraction(value: number, digits = 3): string {
  return String(Number(value.toFixed(digits)))
}

/** A signed percentage for a budget deviation ("+2.5 %", "−5 %", "0 %"). */
export function formatDeviation(value: number): string {
  const percent = Number((value * 100).toFixed(1))
  if (percent === 0) return '0 %'
  return `${percent > 0 ? '+' : '−'}${Math.abs(percent)} %`
}

/** A duration in words a person reads at a glance: "850 ms", "12.3 s", "4 min 05 s", "2 h 07 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`
  const whole = Math.round(seconds)
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`
  const minutes = Math.round(whole / 60)
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`
}

/** The time from one stored ISO time to another in milliseconds; undefined when either is missing or unreadable. */
export function millisBetween(from: string | null | undefined, to: string | null | undefined): number | undefined {
  if (!from || !to) return undefined
  const ms = new Date(to).getTime() - new Date(from).getTime()
  return Number.isFinite(ms) ? ms : undefined
}

/** A stored ISO time as local "YYYY-MM-DD HH:MM:SS" (for a run's start and end, where seconds matter). */
export function formatLocalTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return `${formatCreated(iso)}:${String(date.getSeconds()).padStart(2, '0')}`
}
