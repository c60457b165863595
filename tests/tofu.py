"""A browser check shared by the H5 and console tests: is any Chinese text drawn as tofu?"""

# Renders each distinct CJK character of the page's visible text in its element's own font on
# a canvas (the same font fallback as the page) and compares it with a character no font has:
# a character drawn like that one, or not drawn at all, is tofu.
TOFU = """
() => {
  const cjk = /[\\u3000-\\u303f\\u3400-\\u9fff\\uff00-\\uffef]/g
  const canvas = document.createElement('canvas')
  canvas.width = 64
  canvas.height = 64
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  const draw = (font, ch) => {
    ctx.clearRect(0, 0, 64, 64)
    ctx.font = font
    ctx.fillStyle = '#000'
    ctx.fillText(ch, 8, 48)
    const px = ctx.getImageData(0, 0, 64, 64).data
    let ink = 0
    let sig = ''
    for (let i = 3; i < px.length; i += 4) {
      ink += px[i]
      sig += px[i] > 127 ? '1' : '0'
    }
    return { ink, sig }
  }
  const fonts = new Map()
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement
    const chars = walker.currentNode.nodeValue.match(cjk)
    if (!el || !chars || !el.getClientRects().length) continue
    const s = getComputedStyle(el)
    if (s.visibility === 'hidden') continue
    const font = `${s.fontStyle} ${s.fontWeight} 32px ${s.fontFamily}`
    if (!fonts.has(font)) fonts.set(font, new Set())
    chars.forEach((c) => fonts.get(font).add(c))
  }
  const tofu = []
  let checked = 0
  let boxes = true  // the reference: two unassigned code points drawn as the same inked box
  for (const [font, chars] of fonts) {
    const missing = draw(font, '\\u{10FFFD}').sig
    boxes = boxes && missing.includes('1') && draw(font, '\\u{10FFFC}').sig === missing
    for (const ch of chars) {
      if (ch === '\\u3000') continue  // ideographic space: drawn as nothing
      const glyph = draw(font, ch)
      checked += 1
      if (glyph.ink === 0 || glyph.sig === missing) tofu.push(`${ch} (${font})`)
    }
  }
  return { checked, tofu, boxes, fonts: [...fonts.keys()] }
}
"""
