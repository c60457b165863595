import { describe, expect, it } from 'vitest'
import { calls, respond } from './uni.js'
import { api } from '../src/api/http.js'
import { errorFromResponse } from '../src/api/errors.js'
import {
  accountOf,
  accountText,
  amountError,
  channelOption,
  confirmAction,
  statusLabel,
  withdrawBlock,
  withdrawalSubmitter,
} from '../src/utils/withdraw.js'

const limits = {
  available: '59.80',
  min_amount: '10.00',
  daily_max_amount: '100.00',
  today_amount: '50.00',
  daily_max_count: 3,
  today_count: 1,
}

describe('amount typed into the withdrawal form', () => {
  it('accepts yuan with up to two decimals within every limit', () => {
    expect(amountError('10', limits)).toBe('')
    expect(amountError(' 49.99 ', limits)).toBe('')
    expect(amountError('50.00', limits)).toBe('')
  })

  it('refuses empty, malformed, three decimals, zero and negative amounts', () => {
    expect(amountError('', limits)).toBe('请输入提现金额')
    expect(amountError('abc', limits)).toBe('金额格式不正确（最多两位小数）')
    expect(amountError('1.001', limits)).toBe('金额格式不正确（最多两位小数）')
    expect(amountError('-5', limits)).toBe('金额格式不正确（最多两位小数）')
    expect(amountError('0.00', limits)).toBe('提现金额须大于 0')
  })

  it('names the balance, the minimum and what is left of today', () => {
    expect(amountError('59.81', limits)).toBe('超过可提现余额 ¥59.80')
    expect(amountError('9.99', limits)).toBe('单笔提现不能低于 ¥10.00')
    expect(amountError('50.01', limits)).toBe('超过每日提现上限 ¥100.00，今日还可提现 ¥50.00')
    expect(amountError('10', { ...limits, today_count: 3 })).toBe('每天最多提现 3 次，今日已用完')
  })

  it('checks only the balance when the limits are unknown', () => {
    expect(amountError('59.80', { available: '59.80' })).toBe('')
    expect(amountError('0.01', { available: '59.80' })).toBe('')
    expect(amountError('1', { available: '-3.00' })).toBe('超过可提现余额 ¥0.00')
  })
})

describe('the wallet page’s 提现 button', () => {
  const me = (available, status = 'active') => ({ status, balances: { available, frozen: '0.00', withdrawing: '0.00' } })

  it('is on with money available', () => {
    expect(withdrawBlock(me('0.01'))).toBe('')
  })

  it('says why it is off: nothing available, a debt after a claw-back, not active', () => {
    expect(withdrawBlock(me('0.00'))).toBe('暂无可提现余额，佣金结算后即可提现')
    expect(withdrawBlock(me('-12.50'))).toBe('有 ¥12.50 售后追回待抵扣，后续佣金到账抵扣后才能提现')
    expect(withdrawBlock(me('30.00', 'frozen'))).toBe('分销资格冻结期间不能提现')
    expect(withdrawBlock(me('30.00', 'none'))).toBe('开通分销商后才能提现')
  })
})

describe('channels and accounts', () => {
  it('labels the fields of bank and Alipay in Chinese, names or objects alike', () => {
    expect(channelOption({ channel: 'bank', label: '银行卡', account_fields: ['bank_name', 'card_no', 'holder'] }).fields.map((f) => f.label)).toEqual([
      '开户行',
      '卡号',
      '户名',
    ])
    expect(channelOption({ channel: 'alipay', account_fields: [{ name: 'account' }, { name: 'holder', label: '真实姓名' }] })).toEqual({
      channel: 'alipay',
      label: '支付宝',
      fields: [
        { name: 'account', label: '账号' },
        { name: 'holder', label: '真实姓名' },
      ],
    })
    expect(channelOption({ channel: 'sandbox' }).fields).toEqual([])
  })

  it('sends only the channel’s fields, trimmed, and names the first one missing', () => {
    const bank = channelOption({ channel: 'bank' })
    expect(accountOf(bank, { bank_name: ' 招商银行 ', card_no: '6225880000001234', holder: '陈晨', account: 'x' })).toEqual({
      account: { bank_name: '招商银行', card_no: '6225880000001234', holder: '陈晨' },
      missing: '',
    })
    expect(accountOf(bank, { bank_name: '招商银行', card_no: '  ' })).toEqual({ account: null, missing: '请填写卡号' })
    expect(accountText('bank', { bank_name: '招商银行', card_no: '6225 8800 0000 1234' })).toBe('招商银行 尾号 1234')
  })

  it('shows each state in Chinese', () => {
    expect(['requested', 'approved', 'paid', 'rejected', 'failed', 'cancelled'].map(statusLabel)).toEqual([
      '待审核',
      '待打款',
      '已打款',
      '已拒绝',
      '打款失败',
      '已取消',
    ])
  })
})

describe('确认收款', () => {
  const waiting = (channel) => ({ channel, status: 'approved', transfer: { state: 'WAIT_USER_CONFIRM', package_info: 'pkg' } })

  it('is offered only while the bill waits for the user', () => {
    expect(confirmAction({ channel: 'wechat', transfer: null }, true)).toBe('')
    expect(confirmAction({ channel: 'wechat', transfer: { state: 'SUCCESS' } }, true)).toBe('')
  })

  it('asks WeChat in the mini-program, the sandbox anywhere, and cannot in H5', () => {
    expect(confirmAction(waiting('wechat'), true)).toBe('wechat')
    expect(confirmAction(waiting('wechat'), false)).toBe('app-only')
    expect(confirmAction(waiting('sandbox'), false)).toBe('sandbox')
    expect(confirmAction(waiting('sandbox'), true)).toBe('sandbox')
  })
})

describe('one request id per withdrawal form', () => {
  const post = (body) => api.post('/wallet/withdrawals', body, { silent: true })
  const sentIds = () => calls.requests.map((r) => r.data.request_id)

  it('a retry after a network error sends the same id', async () => {
    let attempt = 0
    respond(() => (++attempt === 1 ? 'network' : { statusCode: 201, data: { id: 7, status: 'requested' } }))
    const form = withdrawalSubmitter(post)
    await expect(form.submit({ amount: '20.00', channel: 'sandbox' })).rejects.toMatchObject({ code: 'network_error' })
    await expect(form.submit({ amount: '20.00', channel: 'sandbox' })).resolves.toMatchObject({ id: 7 })
    expect(sentIds()).toEqual([form.id, form.id])
    expect(form.id).toMatch(/^[a-z0-9]+-[a-z0-9]+$/)
    expect(calls.requests[1].data).toEqual({ amount: '20.00', channel: 'sandbox', request_id: form.id })
  })

  it('a double tap while the first is on its way sends one request', async () => {
    let answer
    // the fake runtime answers synchronously; hold this answer back until both taps happened
    const held = globalThis.uni.request
    globalThis.uni.request = (options) => {
      calls.requests.push(options)
      answer = () => options.success({ statusCode: 201, data: { id: 8 } })
    }
    try {
      const form = withdrawalSubmitter(post)
      const first = form.submit({ amount: '20.00', channel: 'sandbox' })
      const second = form.submit({ amount: '20.00', channel: 'sandbox' })
      await Promise.resolve()
      answer()
      expect(await first).toEqual({ id: 8 })
      expect(await second).toEqual({ id: 8 })
      expect(sentIds()).toEqual([form.id])
    } finally {
      globalThis.uni.request = held
    }
  })

  it('two forms have two ids', () => {
    expect(withdrawalSubmitter(post).id).not.toBe(withdrawalSubmitter(post).id)
  })
})

describe('payout errors in Chinese', () => {
  it('keeps the server’s message where it names the limit or the rule', () => {
    const body = { code: 'daily_limit_exceeded', message: '超过每日提现上限 ¥100.00，今日还可提现 ¥50.00' }
    expect(errorFromResponse(409, body).message).toBe(body.message)
    expect(errorFromResponse(400, { code: 'invalid_id_number', message: '身份证号码无效：须为 18 位且校验位正确' }).message).toBe(
      '身份证号码无效：须为 18 位且校验位正确',
    )
  })

  it('says ours for codes whose server message names English fields', () => {
    expect(errorFromResponse(400, { code: 'invalid_account', message: '收款账户信息不完整：缺少 card_no' }).message).toBe(
      '收款账户信息不完整，请检查后重试',
    )
    expect(errorFromResponse(400, { code: 'unknown_channel', message: '不支持的提现渠道: x（可选 sandbox, bank）' }).message).toBe(
      '不支持该提现方式，请换一种',
    )
  })
})
