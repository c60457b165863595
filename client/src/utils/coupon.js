// How a coupon reads on a ticket: its face value, when it applies, where and until when.
import { formatTime } from './time.js'
import { toFen, yuan } from './money.js'

export const MY_COUPON_TABS = [
  { status: 'unused', label: '未使用' },
  { status: 'used', label: '已使用' },
  { status: 'expired', label: '已过期' },
]

export const COUPON_STATUS = { unused: '未使用', locked: '待支付订单占用', used: '已使用', expired: '已过期' }

// "8.5" for 15% off: the Chinese 折 counts what is paid, in tenths
export function zhe(percent) {
  const paidTenths = (10000 - toFen(percent)) / 1000
  return String(Number(paidTenths.toFixed(2)))
}

// The big figure and its unit: ["10", "元"] or ["8.5", "折"]
export function faceValue(coupon) {
  if (coupon.kind === 'percent_off') return [zhe(coupon.percent), '折']
  const amount = yuan(coupon.amount)
  return [amount.endsWith('.00') ? amount.slice(0, -3) : amount, '元']
}

export function conditionText(coupon) {
  const open = coupon.kind === 'no_threshold' || toFen(coupon.threshold) === 0
  const cap = coupon.kind === 'percent_off' && coupon.max_off ? `最多减${plain(coupon.max_off)}元` : ''
  if (open) return cap || '无门槛'
  return `满${plain(coupon.threshold)}元可用${cap ? `，${cap}` : ''}`
}

export function scopeText(scope) {
  if (scope && typeof scope === 'object') {
    if (scope.category_ids) return '限指定分类商品'
    if (scope.product_ids) return '限指定商品'
  }
  return '全场通用'
}

const day = (iso) => formatTime(iso).slice(0, 10)

// A template (coupon centre): its fixed dates or "领取后 N 天内有效"
export function templateValidity(coupon) {
  if (coupon.valid_days) return `领取后 ${coupon.valid_days} 天内有效`
  if (coupon.valid_from && coupon.valid_to) return `${day(coupon.valid_from)} 至 ${day(coupon.valid_to)}`
  if (coupon.valid_to) return `${day(coupon.valid_to)} 前有效`
  return '长期有效'
}

// A coupon the buyer holds has its own dates
export function heldValidity(held) {
  return `${day(held.valid_from)} 至 ${day(held.valid_to)}`
}

// The claim button of a template in the coupon centre or on a share page
export function claimState(offer) {
  if (offer.can_claim) return { label: offer.claimed ? '再领一张' : '立即领取', enabled: true }
  if (offer.sold_out && !offer.claimed) return { label: '已抢光', enabled: false }
  return { label: '已领取', enabled: false }
}

export function plain(amount) {
  const text = yuan(amount)
  return text.endsWith('.00') ? text.slice(0, -3) : text
}

// A 满减 tier or a coupon as a short tag on a product page: 满199减20, 10元无门槛, 9折
export function tierText(tier) {
  return `满${plain(tier.threshold)}减${plain(tier.amount)}`
}

export function couponTag(coupon) {
  if (coupon.kind === 'percent_off') return `${zhe(coupon.percent)}折`
  if (coupon.kind === 'no_threshold' || toFen(coupon.threshold) === 0) return `${plain(coupon.amount)}元无门槛`
  return tierText({ threshold: coupon.threshold, amount: coupon.amount })
}
