// Checkout: which coupon to price with, the body of POST /orders/preview and /orders, and the
// rows of the price breakdown. The server prices; the client only shows what it answered.
import { plain } from './coupon.js'
import { toFen } from './money.js'

export const NO_COUPON = 'none'
export const BEST_COUPON = 'best'

const KIND_LABEL = { full_reduction: '满减', coupon: '优惠券', points: '积分抵扣' }

// The buyer's choice ('best' until they pick, 'none', or the id of one of their coupons)
// against the coupons the server says apply now (best first).
export function chosenCoupon(choice, usable) {
  if (choice === NO_COUPON) return null
  const list = usable || []
  if (choice !== BEST_COUPON && list.some((c) => c.id === choice)) return choice
  return list.length ? list[0].id : null
}

export function pricingBody({ lines, address, couponId, usePoints }) {
  const body = { lines: lines.map((l) => ({ sku_id: l.sku_id, quantity: l.quantity })) }
  if (address) body.address = address
  if (couponId) body.coupon_id = couponId
  if (usePoints > 0) body.use_points = usePoints
  return body
}

// [{label, name, amount}] for each discount of a preview or an order
export function discountRows(discounts) {
  return (discounts || []).map((d) => {
    const label = KIND_LABEL[d.kind] || '优惠'
    return { label, name: d.name === label ? '' : d.name, amount: d.amount }
  })
}

// "满100元可用" or "无门槛" for a coupon offered at checkout
export function thresholdText(threshold) {
  return toFen(threshold) ? `满${plain(threshold)}元可用` : '无门槛'
}

export function couponSummary(preview, couponId) {
  const usable = (preview && preview.usable_coupons) || []
  if (!couponId) return usable.length ? `${usable.length} 张可用` : '暂无可用'
  const used = (preview.discounts || []).find((d) => d.kind === 'coupon')
  return used ? `-¥${used.amount}` : '已选'
}
