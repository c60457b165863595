// The points rule as a buyer reads it: how points are earned, spent and when they expire.
export function ruleText(rule) {
  const parts = []
  if (rule.earn_per_yuan > 0) parts.push(`订单完成后每实付 1 元得 ${rule.earn_per_yuan} 积分`)
  if (rule.per_yuan > 0) {
    const share = Number(rule.max_share_percent)
    parts.push(`下单时 ${rule.per_yuan} 积分抵 1 元${share < 100 ? `，最多抵订单金额的 ${share}%` : ''}`)
  }
  if (rule.expire_at_year_end) parts.push('每年 12 月 31 日未使用的积分清零')
  return parts.join('；')
}
