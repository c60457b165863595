import { describe, expect, it } from 'vitest'
import { productLink, shareOrigin } from '../src/utils/nav.js'
import { absoluteHtml, mediaUrl } from '../src/utils/media.js'
import { fillShareText } from '../src/utils/share.js'

describe('share text and links', () => {
  it('fills the shop template and appends the link when the template has no {url}', () => {
    const text = fillShareText('{name} 只要 ¥{price}，{tagline}', {
      name: '跑步手表',
      price: '399.00',
      tagline: '双频 GPS',
      url: 'https://shop.example/products/1?ref=AB12',
    })
    expect(text).toBe('跑步手表 只要 ¥399.00，双频 GPS\nhttps://shop.example/products/1?ref=AB12')
  })

  it('places the link where the template says and drops a dangling comma', () => {
    expect(fillShareText('看看 {name}：{url}', { name: 'A', url: 'http://x/p' })).toBe('看看 A：http://x/p')
    expect(fillShareText('{name}，{tagline}', { name: 'A', tagline: '', url: '' })).toBe('A')
  })

  it('builds a product link on the origin of the distributor share URL', () => {
    const origin = shareOrigin('https://shop.example/?ref=AB12')
    expect(origin).toBe('https://shop.example')
    expect(productLink(origin, 5, 'AB12')).toBe('https://shop.example/products/5?ref=AB12')
    expect(productLink(origin, 5, '')).toBe('https://shop.example/products/5')
  })
})

describe('media URLs', () => {
  it('makes site-absolute media URLs absolute on the API origin', () => {
    expect(mediaUrl('/media/a.png', 'https://api.example')).toBe('https://api.example/media/a.png')
    expect(mediaUrl('https://cdn.example/a.png', 'https://api.example')).toBe('https://cdn.example/a.png')
    expect(mediaUrl(null)).toBe('')
  })

  it('rewrites image sources inside descriptions', () => {
    expect(absoluteHtml('<p><img class="x" src="/media/d.jpg"></p>', 'https://api.example')).toBe(
      '<p><img class="x" src="https://api.example/media/d.jpg"></p>',
    )
  })
})
