export function parseQuery(text) {
  const out = {}
  if (!text) return out
  const raw = text.replace(/^[?#]/, '')
  for (const part of raw.split('&')) {
    if (!part) continue
    const i = part.indexOf('=')
    const key = i < 0 ? part : part.slice(0, i)
    const value = i < 0 ? '' : part.slice(i + 1)
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(value.replace(/\+/g, ' '))
    } catch {
      out[key] = value
    }
  }
  return out
}

export function buildQuery(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
}
