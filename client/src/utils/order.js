export const ORDER_STATUS = {
  pending_payment: '待付款',
  paid: '待发货',
  shipped: '待收货',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
}

export const REFUND_STATUS = { requested: '待审核', approved: '退款中', refunded: '已退款', rejected: '已拒绝' }

export const ORDER_TABS = [
  { status: '', label: '全部' },
  { status: 'pending_payment', label: '待付款' },
  { status: 'paid', label: '待发货' },
  { status: 'shipped', label: '待收货' },
  { status: 'completed', label: '已完成' },
]

// what each line can still be refunded: bought minus already refunded
export function refundable(line) {
  return Math.max(0, line.quantity - (line.refunded_quantity || 0))
}
