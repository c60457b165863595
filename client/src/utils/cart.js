import { fenToYuan, toFen } from './money.js'

// A line counts towards checkout only when selected and still available with enough stock.
export function isPayable(item) {
  return Boolean(item.selected && item.available !== false && item.quantity <= item.stock)
}

export function cartSums(items) {
  let count = 0
  let selectedCount = 0
  let selectedFen = 0
  for (const item of items || []) {
    count += item.quantity
    if (isPayable(item)) {
      selectedCount += item.quantity
      selectedFen += toFen(item.price) * item.quantity
    }
  }
  return { count, selectedCount, selectedTotal: fenToYuan(selectedFen) }
}

export function allSelected(items) {
  const selectable = (items || []).filter((i) => i.available !== false)
  return selectable.length > 0 && selectable.every((i) => i.selected)
}

export function specsText(specs) {
  if (!specs) return ''
  return Object.entries(specs)
    .map(([k, v]) => `${k}：${v}`)
    .join('  ')
}

// Why a line cannot be bought now, in the buyer's words: the server's unavailable_reason
// (已下架 / 已售罄 / 库存不足), the stock left when short, '' when it can be bought.
export function lineWarning(item) {
  const reason = item.unavailable_reason || ''
  const short = item.stock > 0 && item.quantity > item.stock
  if (reason === '库存不足' || (!reason && short)) {
    return item.stock > 0 ? `库存不足，仅剩 ${item.stock} 件` : '已售罄'
  }
  if (reason) return reason
  if (item.available === false) return '已失效'
  if (item.stock <= 0) return '已售罄'
  return ''
}
