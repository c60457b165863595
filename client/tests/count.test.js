import { describe, expect, it } from 'vitest'
import { countText, groupThousands } from '../src/utils/count.js'
import { createPager } from '../src/utils/pager.js'

describe('a list\'s count', () => {
  it('groups thousands with commas', () => {
    expect(groupThousands(0)).toBe('0')
    expect(groupThousands(999)).toBe('999')
    expect(groupThousands(1498)).toBe('1,498')
    expect(groupThousands(10000)).toBe('10,000')
    expect(groupThousands(1234567)).toBe('1,234,567')
  })

  it('says "10,000+" when the server stopped counting at its cap', () => {
    expect(countText(10000, true)).toBe('10,000+')
    expect(countText(10000, false)).toBe('10,000')
    expect(countText(508)).toBe('508')
  })

  it('keeps loading a capped list past its count until a short page', async () => {
    const pages = { 1: [1, 2], 2: [3, 4], 3: [5] }
    const pager = createPager(async ({ page }) => ({ count: 2, count_capped: true, items: pages[page] }), 2)
    await pager.refresh()
    expect(pager.state).toMatchObject({ count: 2, capped: true, done: false })
    await pager.more()
    expect(pager.state.done).toBe(false)
    await pager.more()
    expect(pager.state.items).toEqual([1, 2, 3, 4, 5])
    expect(pager.state.done).toBe(true)
  })

  it('stops an uncapped list at its count', async () => {
    const pager = createPager(async () => ({ count: 2, count_capped: false, items: [1, 2] }), 2)
    await pager.refresh()
    expect(pager.state).toMatchObject({ capped: false, done: true })
  })
})
