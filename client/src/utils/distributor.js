// The distributor centre's own logic: status and commission labels, team level tabs from the
// summary's team_counts, progress towards the next grade, signed ledger amounts.
import { fenToYuan, toFen, yuan } from './money.js'

// statuses of GET /distributor/summary and /distributor/me
export const DISTRIBUTOR_STATUS = {
  none: '未开通',
  applied: '审核中',
  active: '已开通',
  rejected: '未通过',
  frozen: '已冻结',
}

export function statusLabel(status) {
  return DISTRIBUTOR_STATUS[status] || DISTRIBUTOR_STATUS.none
}

// a user who may (re)apply: never a distributor, or turned down
export function canApply(status) {
  return !status || status === 'none' || status === 'rejected'
}

export const COMMISSION_STATUS = { frozen: '待结算', settled: '可提现', reversed: '已失效' }

export const COMMISSION_TABS = [
  { status: '', label: '全部' },
  { status: 'frozen', label: '待结算' },
  { status: 'settled', label: '可提现' },
  { status: 'reversed', label: '已失效' },
]

const LEVEL_NAMES = ['', '一级', '二级', '三级']
export const MAX_LEVELS = 3

export function levelName(level) {
  return LEVEL_NAMES[level] || `${level}级`
}

// One tab per level the plan has: the keys of team_counts ("1".."N"), never deeper than 3.
export function teamLevels(teamCounts, max = MAX_LEVELS) {
  return Object.keys(teamCounts || {})
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 1 && n <= max)
    .sort((a, b) => a - b)
    .map((level) => ({ level, label: levelName(level), count: Number(teamCounts[String(level)]) || 0 }))
}

// team_counts travel to the team page in its address ("3,1") to spare it a call
export function countsToQuery(teamCounts) {
  return teamLevels(teamCounts)
    .map((t) => t.count)
    .join(',')
}

export function countsFromQuery(text) {
  if (!text) return null
  const parts = String(text).split(',')
  if (!parts.length || parts.length > MAX_LEVELS || parts.some((p) => !/^\d+$/.test(p))) return null
  return Object.fromEntries(parts.map((p, i) => [String(i + 1), Number(p)]))
}

// One need of the next grade: where the distributor stands, in percent (0..100) and as text.
export function needProgress(need) {
  const amount = need.kind === 'amount'
  const current = amount ? toFen(need.current) : Number(need.current) || 0
  const target = amount ? toFen(need.target) : Number(need.target) || 0
  const met = need.met !== undefined ? Boolean(need.met) : current >= target
  let percent = target > 0 ? Math.floor((Math.max(0, current) * 100) / target) : 100
  percent = met ? 100 : Math.min(99, percent)
  const show = (v) => (amount ? `¥${fenToYuan(v)}` : String(v))
  const left = Math.max(0, target - current)
  return {
    label: need.label,
    percent,
    met,
    text: `${show(current)} / ${show(target)}`,
    left: met ? '' : `还差 ${show(left)}`,
  }
}

// rate of a commission line: a percentage of the base, or yuan per unit
export function rateText(rate, kind) {
  if (kind === 'fixed') return `¥${yuan(rate)}/件`
  return `${rate}%`
}

// ledger entries are signed: + adds to that balance, - takes from it
export function signedYuan(amount) {
  const fen = toFen(amount)
  return `${fen > 0 ? '+' : ''}${fenToYuan(fen)}`
}

export const ACCOUNT_LABEL = { frozen: '待结算', available: '可提现', withdrawing: '提现中' }

export const ENTRY_KIND = {
  commission_accrue: '佣金入账',
  commission_settle: '佣金结算',
  commission_reverse: '售后冲减',
  commission_clawback: '售后追回',
  withdrawal_request: '提现申请',
  withdrawal_paid: '提现打款',
  withdrawal_return: '提现退回',
}

export function entryTitle(entry) {
  return ENTRY_KIND[entry.kind] || entry.memo || '账户变动'
}

// The shop link of the centre (not one product's): H5 keeps the origin it is served from.
export function shopLink(origin, code) {
  return `${origin}/${code ? `?ref=${encodeURIComponent(code)}` : ''}`
}

export function shopShareText(shopName, url) {
  const name = shopName || '我们的小店'
  return `我在「${name}」发现了不少好物，点开链接一起逛逛：\n${url}`
}
