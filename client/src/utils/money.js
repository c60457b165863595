// Amounts arrive as decimal strings in yuan; sums are done in whole fen to avoid float drift.
export function toFen(value) {
  if (value === null || value === undefined || value === '') return 0
  const text = String(value).trim()
  const match = /^(-)?(\d+)(?:\.(\d{0,2})\d*)?$/.exec(text)
  if (!match) return 0
  const fen = Number(match[2]) * 100 + Number((match[3] || '').padEnd(2, '0'))
  return match[1] ? -fen : fen
}

export function fenToYuan(fen) {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

export function yuan(value) {
  return fenToYuan(toFen(value))
}
