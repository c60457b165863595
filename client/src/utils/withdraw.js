// Withdrawals (提现) on the client: labels of states and channels, the account fields each
// channel asks for, checks of an amount before the server sees it, why the 提现 button is off,
// and one request id per form so a double tap or a retry never makes two withdrawals.
import { fenToYuan, toFen } from './money.js'
import { requestId } from './nav.js'

export const WITHDRAWAL_STATUS = {
  requested: '待审核',
  approved: '待打款',
  paid: '已打款',
  rejected: '已拒绝',
  failed: '打款失败',
  cancelled: '已取消',
}

// states of a WeChat transfer bill (商家转账), as WeChat names them
export const TRANSFER_STATE = {
  ACCEPTED: '转账处理中',
  PROCESSING: '转账处理中',
  WAIT_USER_CONFIRM: '待确认收款',
  TRANSFERING: '转账中',
  SUCCESS: '已到账',
  FAIL: '转账失败',
  CANCELING: '撤销中',
  CANCELLED: '已撤销',
  UNKNOWN: '转账处理中',
  NOT_FOUND: '转账未成功',
}

export const CHANNEL_LABEL = {
  wechat: '微信零钱',
  sandbox: '微信零钱（沙箱演示）',
  bank: '银行卡',
  alipay: '支付宝',
}

// the account fields of each channel, in the order the form shows them
export const ACCOUNT_FIELDS = {
  bank: ['bank_name', 'card_no', 'holder'],
  alipay: ['account', 'holder'],
  wechat: [],
  sandbox: [],
}

const FIELD_LABEL = {
  bank: { bank_name: '开户行', card_no: '卡号', holder: '户名' },
  alipay: { account: '账号', holder: '姓名' },
}

export function statusLabel(status) {
  return WITHDRAWAL_STATUS[status] || status
}

export function channelLabel(channel) {
  return CHANNEL_LABEL[channel] || channel
}

export function fieldLabel(channel, field) {
  return (FIELD_LABEL[channel] && FIELD_LABEL[channel][field]) || field
}

// A channel of GET /wallet/withdrawals/options as the form draws it: account_fields may be
// names or {name, label}; labels we know win over none.
export function channelOption(item) {
  const channel = item.channel
  const fields = item.account_fields || ACCOUNT_FIELDS[channel] || []
  return {
    channel,
    label: item.label || channelLabel(channel),
    fields: fields.map((f) =>
      typeof f === 'string'
        ? { name: f, label: fieldLabel(channel, f) }
        : { name: f.name, label: f.label || fieldLabel(channel, f.name) },
    ),
  }
}

// The account of a channel from the form's values: trimmed, only the channel's fields; the
// first empty one is named in `missing`.
export function accountOf(option, values) {
  const account = {}
  for (const f of option.fields) {
    const value = String((values && values[f.name]) || '').trim()
    if (!value) return { account: null, missing: `请填写${f.label}` }
    account[f.name] = value
  }
  return { account, missing: '' }
}

// "6222 0000 0000 1234" → "尾号 1234"; an Alipay account stays as entered
export function accountText(channel, account) {
  if (!account) return ''
  if (channel === 'bank' && account.card_no) {
    const digits = String(account.card_no).replace(/\s+/g, '')
    return `${account.bank_name || ''} 尾号 ${digits.slice(-4)}`.trim()
  }
  if (channel === 'alipay' && account.account) return `${account.account}`
  return ''
}

const AMOUNT = /^\d+(\.\d{1,2})?$/

// What is wrong with an amount typed into the form, or '' when the server may see it.
// limits: {available, min_amount?, daily_max_amount?, today_amount?, daily_max_count?, today_count?}
export function amountError(text, limits = {}) {
  const value = String(text === undefined || text === null ? '' : text).trim()
  if (!value) return '请输入提现金额'
  if (!AMOUNT.test(value)) return '金额格式不正确（最多两位小数）'
  const fen = toFen(value)
  if (fen <= 0) return '提现金额须大于 0'
  const available = toFen(limits.available)
  if (fen > available) return `超过可提现余额 ¥${fenToYuan(Math.max(available, 0))}`
  if (limits.min_amount !== undefined && fen < toFen(limits.min_amount)) {
    return `单笔提现不能低于 ¥${yuanOf(limits.min_amount)}`
  }
  if (limits.daily_max_count && Number(limits.today_count || 0) >= Number(limits.daily_max_count)) {
    return `每天最多提现 ${limits.daily_max_count} 次，今日已用完`
  }
  if (limits.daily_max_amount !== undefined) {
    const left = toFen(limits.daily_max_amount) - toFen(limits.today_amount)
    if (fen > left) return `超过每日提现上限 ¥${yuanOf(limits.daily_max_amount)}，今日还可提现 ¥${fenToYuan(Math.max(left, 0))}`
  }
  return ''
}

function yuanOf(value) {
  return fenToYuan(toFen(value))
}

// Why the 提现 button is off for this /distributor/me, or '' when it is on.
export function withdrawBlock(me) {
  if (!me) return '加载中'
  if (me.status && me.status !== 'active') {
    return me.status === 'frozen' ? '分销资格冻结期间不能提现' : '开通分销商后才能提现'
  }
  const available = toFen(me.balances && me.balances.available)
  if (available < 0) {
    return `有 ¥${fenToYuan(-available)} 售后追回待抵扣，后续佣金到账抵扣后才能提现`
  }
  if (available === 0) return '暂无可提现余额，佣金结算后即可提现'
  return ''
}

// One request id for the life of a withdrawal form: every attempt (a retry after a network
// error, a second tap) carries it, and a tap while one is on its way waits for that one.
export function withdrawalSubmitter(post, makeId = requestId) {
  const id = makeId()
  let pending = null
  return {
    id,
    submit(body) {
      if (!pending) {
        pending = Promise.resolve()
          .then(() => post({ ...body, request_id: id }))
          .finally(() => {
            pending = null
          })
      }
      return pending
    },
  }
}

// What the 确认收款 button does for a withdrawal: 'sandbox' (the sandbox plays WeChat),
// 'wechat' (wx.requestMerchantTransfer in the mini-program), 'app-only' (H5 cannot), or ''.
export function confirmAction(withdrawal, inMiniProgram) {
  const transfer = withdrawal && withdrawal.transfer
  if (!transfer || transfer.state !== 'WAIT_USER_CONFIRM') return ''
  if (withdrawal.channel === 'sandbox') return 'sandbox'
  return inMiniProgram ? 'wechat' : 'app-only'
}
