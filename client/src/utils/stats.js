// A distributor's figures (GET /distributor/stats): ranges, the change against the period
// before, and bar heights for a chart drawn with plain views (the same in H5 and WeChat).
import { toFen } from './money.js'

export const STATS_RANGES = [
  { status: '7d', label: '近7天', days: 7 },
  { status: '30d', label: '近30天', days: 30 },
  { status: '90d', label: '近90天', days: 90 },
]

// "↑12.5%", "↓50%", "持平" or "—" (nothing before to compare with); amounts or counts
export function change(current, previous) {
  const now = typeof current === 'number' ? current : toFen(current)
  const before = typeof previous === 'number' ? previous : toFen(previous)
  if (before === 0) return { text: now === 0 ? '持平' : '—', trend: now === 0 ? 'flat' : 'new' }
  if (now === before) return { text: '持平', trend: 'flat' }
  const percent = Math.round(((now - before) / before) * 1000) / 10
  return { text: `${percent > 0 ? '↑' : '↓'}${Math.abs(percent)}%`, trend: percent > 0 ? 'up' : 'down' }
}

// Heights in percent of the highest value (at least a sliver for a non-zero day)
export function barHeights(values) {
  const numbers = values.map((v) => (typeof v === 'number' ? v : toFen(v)))
  const top = Math.max(0, ...numbers)
  if (top === 0) return numbers.map(() => 0)
  return numbers.map((n) => (n <= 0 ? 0 : Math.max(2, Math.round((n / top) * 100))))
}

// "11-30" from "2026-11-30"
export function dayLabel(isoDate) {
  return String(isoDate || '').slice(5)
}
