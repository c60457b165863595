import { describe, expect, it } from 'vitest'
import { allSelected, cartSums } from '../src/utils/cart.js'
import { fenToYuan, toFen, yuan } from '../src/utils/money.js'

const line = (over) => ({ price: '9.90', quantity: 1, stock: 10, available: true, selected: true, ...over })

describe('cart sums', () => {
  it('adds selected lines in fen, without float drift', () => {
    const items = [line({ price: '0.10', quantity: 3 }), line({ price: '0.20', quantity: 1 })]
    expect(cartSums(items)).toEqual({ count: 4, selectedCount: 4, selectedTotal: '0.50' })
  })

  it('leaves out unselected, unavailable and short-stock lines but counts them in the badge', () => {
    const items = [
      line({ price: '100.00', quantity: 2 }),
      line({ price: '1.00', selected: false }),
      line({ price: '5.00', available: false }),
      line({ price: '7.00', quantity: 3, stock: 2 }),
    ]
    expect(cartSums(items)).toEqual({ count: 7, selectedCount: 2, selectedTotal: '200.00' })
  })

  it('is zero for an empty cart', () => {
    expect(cartSums([])).toEqual({ count: 0, selectedCount: 0, selectedTotal: '0.00' })
  })

  it('knows when every available line is selected', () => {
    expect(allSelected([line(), line({ available: false, selected: false })])).toBe(true)
    expect(allSelected([line(), line({ selected: false })])).toBe(false)
    expect(allSelected([])).toBe(false)
  })
})

describe('money', () => {
  it('parses decimal strings into fen and back', () => {
    expect(toFen('12.3')).toBe(1230)
    expect(toFen('0.07')).toBe(7)
    expect(toFen('-1.50')).toBe(-150)
    expect(toFen('abc')).toBe(0)
    expect(fenToYuan(100005)).toBe('1000.05')
    expect(yuan('3')).toBe('3.00')
  })
})
