import { describe, expect, it } from 'vitest'
import { barHeights, change, dayLabel } from '../src/utils/stats.js'

describe('a distributor\'s figures', () => {
  it('compares with the period before', () => {
    expect(change('150.00', '100.00')).toEqual({ text: '↑50%', trend: 'up' })
    expect(change('25.00', '100.00')).toEqual({ text: '↓75%', trend: 'down' })
    expect(change(3, 2)).toEqual({ text: '↑50%', trend: 'up' })
    expect(change('10.00', '3.00')).toEqual({ text: '↑233.3%', trend: 'up' })
    expect(change('5.00', '5.00')).toEqual({ text: '持平', trend: 'flat' })
    expect(change('5.00', '0.00')).toEqual({ text: '—', trend: 'new' })
    expect(change(0, 0)).toEqual({ text: '持平', trend: 'flat' })
  })

  it('draws bars relative to the best day, a sliver for a small one', () => {
    expect(barHeights(['10.00', '5.00', '0.00', '0.01'])).toEqual([100, 50, 0, 2])
    expect(barHeights([0, 0])).toEqual([0, 0])
    expect(barHeights([1, 3])).toEqual([33, 100])
  })

  it('labels a day by month and day', () => {
    expect(dayLabel('2026-11-30')).toBe('11-30')
  })
})
