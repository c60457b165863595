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
