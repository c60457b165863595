import { describe, expect, it } from 'vitest'
import { lineWarning } from '../src/utils/cart.js'
import { createPager } from '../src/utils/pager.js'

const line = (over) => ({ quantity: 1, stock: 10, available: true, unavailable_reason: '', ...over })

describe('cart line warnings', () => {
  it("shows the server's reason instead of a generic 已失效", () => {
    expect(lineWarning(line({ available: false, unavailable_reason: '已下架' }))).toBe('已下架')
    expect(lineWarning(line({ available: false, unavailable_reason: '已售罄', stock: 0 }))).toBe('已售罄')
  })

  it('says how many are left when the stock is short', () => {
    expect(lineWarning(line({ available: false, unavailable_reason: '库存不足', quantity: 5, stock: 2 }))).toBe(
      '库存不足，仅剩 2 件',
    )
  })

  it('falls back when the server gives no reason', () => {
    expect(lineWarning(line({ available: false }))).toBe('已失效')
    expect(lineWarning(line({ stock: 0 }))).toBe('已售罄')
    expect(lineWarning(line())).toBe('')
  })
})

describe('pager', () => {
  it('pages until the count is reached', async () => {
    const pager = createPager(async ({ page }) => ({ count: 3, items: page === 1 ? [1, 2] : [3] }), 2)
    await pager.refresh()
    expect(pager.state.done).toBe(false)
    await pager.more()
    expect(pager.state.items).toEqual([1, 2, 3])
    expect(pager.state.done).toBe(true)
  })

  it('lets a refresh (a new tab) win over an older page still on its way', async () => {
    const pending = []
    const pager = createPager((args) => new Promise((resolve) => pending.push({ args, resolve })), 2)
    const first = pager.refresh()
    const second = pager.refresh() // the user switched tabs before the first answer came
    pending[1].resolve({ count: 1, items: ['new'] })
    await second
    pending[0].resolve({ count: 2, items: ['old', 'old'] })
    await first
    expect(pager.state.items).toEqual(['new'])
    expect(pager.state.loading).toBe(false)
    expect(pager.state.loaded).toBe(true)
  })
})
