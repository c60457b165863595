import { describe, expect, it } from 'vitest'
import {
  claimState,
  conditionText,
  faceValue,
  heldValidity,
  scopeText,
  templateValidity,
  zhe,
} from '../src/utils/coupon.js'
import { BEST_COUPON, NO_COUPON, chosenCoupon, couponSummary, discountRows, pricingBody } from '../src/utils/checkout.js'
import { ruleText } from '../src/utils/points.js'
import { couponLink } from '../src/utils/nav.js'

const base = { id: 1, name: '券', amount: '0.00', percent: '0.00', max_off: null, threshold: '0.00', scope: 'all' }

describe('a coupon as a ticket', () => {
  it('shows amounts in yuan and percentages as 折 of what is paid', () => {
    expect(faceValue({ ...base, kind: 'amount_off', amount: '15.00' })).toEqual(['15', '元'])
    expect(faceValue({ ...base, kind: 'no_threshold', amount: '9.90' })).toEqual(['9.90', '元'])
    expect(faceValue({ ...base, kind: 'percent_off', percent: '15.00' })).toEqual(['8.5', '折'])
    expect(zhe('20')).toBe('8')
    expect(zhe('12.5')).toBe('8.75')
  })

  it('says when it applies, with the cap of a percentage coupon', () => {
    expect(conditionText({ ...base, kind: 'amount_off', threshold: '100.00', amount: '15.00' })).toBe('满100元可用')
    expect(conditionText({ ...base, kind: 'no_threshold', amount: '10.00' })).toBe('无门槛')
    expect(conditionText({ ...base, kind: 'percent_off', percent: '10', max_off: '20.00' })).toBe('最多减20元')
    expect(conditionText({ ...base, kind: 'percent_off', percent: '10', threshold: '50.50', max_off: '30.00' })).toBe(
      '满50.50元可用，最多减30元',
    )
  })

  it('names its scope', () => {
    expect(scopeText('all')).toBe('全场通用')
    expect(scopeText({ category_ids: [1] })).toBe('限指定分类商品')
    expect(scopeText({ product_ids: [2] })).toBe('限指定商品')
  })

  it('gives the validity of a template and of a coupon held', () => {
    expect(templateValidity({ ...base, valid_days: 7 })).toBe('领取后 7 天内有效')
    expect(templateValidity({ ...base, valid_days: null, valid_from: null, valid_to: null })).toBe('长期有效')
    const held = { valid_from: '2026-11-01T00:00:00+08:00', valid_to: '2026-12-01T00:00:00+08:00' }
    expect(heldValidity(held)).toMatch(/^2026-1[01]-\d\d 至 2026-1[12]-\d\d$/)
  })

  it('offers the claim while the buyer may take one more', () => {
    expect(claimState({ can_claim: true, claimed: 0, sold_out: false })).toEqual({ label: '立即领取', enabled: true })
    expect(claimState({ can_claim: true, claimed: 1, sold_out: false })).toEqual({ label: '再领一张', enabled: true })
    expect(claimState({ can_claim: false, claimed: 1, sold_out: false })).toEqual({ label: '已领取', enabled: false })
    expect(claimState({ can_claim: false, claimed: 0, sold_out: true })).toEqual({ label: '已抢光', enabled: false })
  })

  it('links a coupon with the sharer code', () => {
    expect(couponLink('https://shop.example', 7, 'AB 1')).toBe('https://shop.example/coupons/7?ref=AB%201')
    expect(couponLink('https://shop.example', 7, '')).toBe('https://shop.example/coupons/7')
  })
})

describe('checkout pricing', () => {
  const usable = [{ id: 5 }, { id: 3 }]

  it('takes the best coupon until the buyer picks one, and none when they say so', () => {
    expect(chosenCoupon(BEST_COUPON, usable)).toBe(5)
    expect(chosenCoupon(3, usable)).toBe(3)
    expect(chosenCoupon(NO_COUPON, usable)).toBeNull()
    expect(chosenCoupon(9, usable)).toBe(5) // no longer applies: the best one
    expect(chosenCoupon(BEST_COUPON, [])).toBeNull()
  })

  it('sends only what was chosen', () => {
    const lines = [{ sku_id: 1, quantity: 2, name: 'x', price: '9.90' }]
    expect(pricingBody({ lines, address: null, couponId: null, usePoints: 0 })).toEqual({ lines: [{ sku_id: 1, quantity: 2 }] })
    expect(pricingBody({ lines, address: { name: 'a' }, couponId: 5, usePoints: 300 })).toEqual({
      lines: [{ sku_id: 1, quantity: 2 }],
      address: { name: 'a' },
      coupon_id: 5,
      use_points: 300,
    })
  })

  it('labels each discount and sums up the coupon row', () => {
    const preview = {
      discounts: [
        { kind: 'full_reduction', name: '满200减20', amount: '20.00' },
        { kind: 'coupon', name: '新人券', amount: '10.00' },
      ],
      usable_coupons: usable,
    }
    expect(discountRows(preview.discounts).map((d) => d.label)).toEqual(['满减', '优惠券'])
    expect(couponSummary(preview, 5)).toBe('-¥10.00')
    expect(couponSummary(preview, null)).toBe('2 张可用')
    expect(couponSummary({ usable_coupons: [] }, null)).toBe('暂无可用')
  })
})

describe('the points rule', () => {
  it('reads as the buyer would say it', () => {
    const rule = { enabled: true, earn_per_yuan: 1, per_yuan: 100, max_share_percent: '20.00', expire_at_year_end: true }
    expect(ruleText(rule)).toBe('订单完成后每实付 1 元得 1 积分；下单时 100 积分抵 1 元，最多抵订单金额的 20%；每年 12 月 31 日未使用的积分清零')
    expect(ruleText({ ...rule, max_share_percent: '100', expire_at_year_end: false, earn_per_yuan: 0 })).toBe('下单时 100 积分抵 1 元')
  })
})

describe('checkout texts', () => {
  it('names the threshold of a coupon offered and drops a name that repeats its label', async () => {
    const { thresholdText } = await import('../src/utils/checkout.js')
    expect(thresholdText('100.00')).toBe('满100元可用')
    expect(thresholdText('99.50')).toBe('满99.50元可用')
    expect(thresholdText('0.00')).toBe('无门槛')
    expect(discountRows([{ kind: 'points', name: '积分抵扣', amount: '2.00' }])).toEqual([
      { label: '积分抵扣', name: '', amount: '2.00' },
    ])
  })
})
