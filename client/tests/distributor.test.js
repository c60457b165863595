import { describe, expect, it } from 'vitest'
import {
  canApply,
  countsFromQuery,
  countsToQuery,
  entryTitle,
  needProgress,
  rateText,
  shopLink,
  shopShareText,
  signedYuan,
  statusLabel,
  teamLevels,
} from '../src/utils/distributor.js'

describe('team level tabs', () => {
  it('has one tab per key of team_counts, in order, with the counts', () => {
    expect(teamLevels({ 2: 5, 1: 3, 3: 0 })).toEqual([
      { level: 1, label: '一级', count: 3 },
      { level: 2, label: '二级', count: 5 },
      { level: 3, label: '三级', count: 0 },
    ])
  })

  it('has no third tab on a 2-level plan', () => {
    expect(teamLevels({ 1: 2, 2: 0 }).map((t) => t.level)).toEqual([1, 2])
  })

  it('never goes deeper than 3 and ignores odd keys', () => {
    expect(teamLevels({ 1: 1, 2: 1, 3: 1, 4: 9, x: 1, 0: 1 }).map((t) => t.level)).toEqual([1, 2, 3])
    expect(teamLevels(null)).toEqual([])
  })

  it('carries the counts to the team page and back', () => {
    expect(countsToQuery({ 1: 3, 2: 1 })).toBe('3,1')
    expect(countsFromQuery('3,1')).toEqual({ 1: 3, 2: 1 })
    expect(countsFromQuery('')).toBeNull()
    expect(countsFromQuery('1,2,3,4')).toBeNull()
    expect(countsFromQuery('1,<b>')).toBeNull()
  })
})

describe('next grade progress', () => {
  it('measures amounts in fen', () => {
    const p = needProgress({ label: '团队销售额', kind: 'amount', current: '250.50', target: '1000.00', met: false })
    expect(p).toMatchObject({ percent: 25, met: false, text: '¥250.50 / ¥1000.00', left: '还差 ¥749.50' })
  })

  it('counts people as integers', () => {
    const p = needProgress({ label: '直推购买人数', kind: 'count', current: 2, target: 3, met: false })
    expect(p).toMatchObject({ percent: 66, text: '2 / 3', left: '还差 1' })
  })

  it('is full when met, never full when not', () => {
    expect(needProgress({ label: 'a', kind: 'count', current: 5, target: 3, met: true })).toMatchObject({
      percent: 100,
      met: true,
      left: '',
    })
    // 999.99 of 1000 is not there yet: the bar must not look complete
    expect(needProgress({ label: 'a', kind: 'amount', current: '999.99', target: '1000.00', met: false }).percent).toBe(99)
  })

  it('works out met when the server does not say', () => {
    expect(needProgress({ label: 'a', kind: 'amount', current: '10', target: '10.00' }).met).toBe(true)
    expect(needProgress({ label: 'a', kind: 'count', current: 0, target: 0 }).percent).toBe(100)
  })
})

describe('labels and amounts', () => {
  it('names every distributor status', () => {
    expect(statusLabel('applied')).toBe('审核中')
    expect(statusLabel('frozen')).toBe('已冻结')
    expect(statusLabel('rejected')).toBe('未通过')
    expect(statusLabel('none')).toBe('未开通')
    expect(statusLabel(undefined)).toBe('未开通')
  })

  it('lets only newcomers and the turned-down apply', () => {
    expect(['none', 'rejected', 'applied', 'active', 'frozen'].filter(canApply)).toEqual(['none', 'rejected'])
  })

  it('shows a rate as a percentage or as yuan per unit', () => {
    expect(rateText('12.5', 'percent')).toBe('12.5%')
    expect(rateText('3', 'fixed')).toBe('¥3.00/件')
  })

  it('signs ledger amounts', () => {
    expect(signedYuan('12.3')).toBe('+12.30')
    expect(signedYuan('-5.00')).toBe('-5.00')
    expect(signedYuan('0.00')).toBe('0.00')
  })

  it('names ledger entries by kind, else by memo', () => {
    expect(entryTitle({ kind: 'commission_settle', memo: 'x' })).toBe('佣金结算')
    expect(entryTitle({ kind: 'payout', memo: '提现到微信' })).toBe('提现到微信')
  })

  it('builds the shop link and its share text', () => {
    expect(shopLink('https://shop.example.com', 'AB 1')).toBe('https://shop.example.com/?ref=AB%201')
    expect(shopShareText('小店', 'https://s/?ref=A')).toBe('我在「小店」发现了不少好物，点开链接一起逛逛：\nhttps://s/?ref=A')
  })
})
