import { describe, expect, it } from 'vitest'
import { api, binary, decodeUtf8, getToken, setToken } from '../src/api/http.js'
import { errorFromResponse } from '../src/api/errors.js'
import { calls, respond } from './uni.js'

describe('API client', () => {
  it('sends the bearer token from storage and JSON to the API base', async () => {
    setToken('tok-123')
    respond(() => ({ statusCode: 200, data: { ok: true } }))
    const data = await api.post('/cart/items', { sku_id: 1, quantity: 2 })
    expect(data).toEqual({ ok: true })
    const [req] = calls.requests
    expect(req.url).toBe('/api/v1/cart/items')
    expect(req.method).toBe('POST')
    expect(req.header.Authorization).toBe('Bearer tok-123')
    expect(req.data).toEqual({ sku_id: 1, quantity: 2 })
  })

  it('sends no Authorization header without a token', async () => {
    await api.get('/products', { q: '茶', page: 2, category: null })
    const [req] = calls.requests
    expect(req.header.Authorization).toBeUndefined()
    expect(req.url).toBe('/api/v1/products?q=%E8%8C%B6&page=2')
  })

  it('maps out_of_stock to a Chinese sold-out message', async () => {
    respond(() => ({ statusCode: 409, data: { code: 'out_of_stock', message: '「绿茶」库存不足' } }))
    const err = await api.post('/orders', {}).catch((e) => e)
    expect(err.code).toBe('out_of_stock')
    expect(err.status).toBe(409)
    expect(err.message).toContain('库存不足/已售罄')
    expect(calls.toasts).toEqual([err.message])
  })

  it('keeps the server message for invalid_input', async () => {
    respond(() => ({ statusCode: 400, data: { code: 'invalid_input', message: '手机号：请输入 11 位手机号' } }))
    const err = await api.post('/addresses', {}).catch((e) => e)
    expect(err.message).toBe('手机号：请输入 11 位手机号')
  })

  it('says too many attempts in Chinese', async () => {
    respond(() => ({ statusCode: 429, data: { code: 'too_many_attempts', message: 'x' } }))
    const err = await api.post('/auth/login', {}, { auth: false }).catch((e) => e)
    expect(err.message).toBe('尝试次数过多，请稍后再试')
  })

  it('on 401 forgets the token and opens the log-in page with the way back', async () => {
    setToken('old')
    respond(() => ({ statusCode: 401, data: { code: 'unauthorized', message: '请先登录' } }))
    const err = await api.get('/cart').catch((e) => e)
    expect(err.code).toBe('unauthorized')
    expect(getToken()).toBe('')
    expect(calls.navigations).toEqual([
      `/pages/login/index?redirect=${encodeURIComponent('/pages/product/detail?id=7')}`,
    ])
    expect(calls.toasts).toEqual([]) // the log-in page says it, no toast on top
  })

  it('turns a failed connection into a network error', async () => {
    respond(() => 'network')
    const err = await api.get('/shop').catch((e) => e)
    expect(err.code).toBe('network_error')
    expect(err.message).toBe('网络连接失败，请检查网络后重试')
  })

  it('returns null for 204 No Content', async () => {
    respond(() => ({ statusCode: 204, data: '' }))
    expect(await api.del('/addresses/3')).toBeNull()
  })

  it('uses the server message for an unknown code and a default for none', () => {
    expect(errorFromResponse(409, { code: 'new_rule', message: '新规则' }).message).toBe('新规则')
    expect(errorFromResponse(502, null).message).toBe('服务器开小差了，请稍后再试')
  })
})

describe('session end', () => {
  it('tells the store when the server ends the session', async () => {
    const { onUnauthorized } = await import('../src/api/http.js')
    let told = 0
    onUnauthorized(() => told++)
    respond(() => ({ statusCode: 401, data: { code: 'unauthorized', message: '请先登录' } }))
    await api.get('/me', null, { auth: false }).catch(() => {})
    expect(told).toBe(1)
    expect(calls.navigations).toEqual([]) // auth: false → no log-in page
  })
})

describe('binary downloads (the poster)', () => {
  const bytes = (text) => new TextEncoder().encode(text).buffer

  it('asks for an arraybuffer with the bearer token and resolves to the bytes', async () => {
    setToken('tok-9')
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer
    respond(() => ({ statusCode: 200, data: png }))
    const data = await binary.get('/distributor/poster', { product_id: 3 })
    expect(data).toBe(png)
    const [req] = calls.requests
    expect(req.url).toBe('/api/v1/distributor/poster?product_id=3')
    expect(req.responseType).toBe('arraybuffer')
    expect(req.header.Authorization).toBe('Bearer tok-9')
  })

  it('reads the JSON error out of the bytes', async () => {
    respond(() => ({ statusCode: 503, data: bytes('{"code":"poster_font_missing","message":"海报字体未安装"}') }))
    const err = await binary.get('/distributor/poster', { product_id: 3 }, { silent: true }).catch((e) => e)
    expect(err.code).toBe('poster_font_missing')
    expect(err.status).toBe(503)
    expect(err.message).toContain('海报暂不可用')
    expect(calls.toasts).toEqual([])
  })

  it('tells a frozen distributor and a non-distributor apart', async () => {
    respond(() => ({ statusCode: 403, data: bytes('{"code":"distributor_frozen","message":"x"}') }))
    const frozen = await binary.get('/distributor/poster', { product_id: 1 }, { silent: true }).catch((e) => e)
    expect(frozen.message).toBe('您的分销资格已被冻结，暂不能推广')
    respond(() => ({ statusCode: 403, data: bytes('{"code":"not_a_distributor","message":"x"}') }))
    const none = await binary.get('/distributor/poster', { product_id: 1 }, { silent: true }).catch((e) => e)
    expect(none.code).toBe('not_a_distributor')
  })

  it('decodes UTF-8 without TextDecoder (mini-program runtimes)', () => {
    const saved = globalThis.TextDecoder
    globalThis.TextDecoder = undefined
    try {
      expect(decodeUtf8(bytes('库存 ok €𝄞'))).toBe('库存 ok €𝄞')
    } finally {
      globalThis.TextDecoder = saved
    }
  })

  it("keeps the server's own words where they say more", () => {
    const err = errorFromResponse(400, { code: 'application_not_accepted', message: '累计完成消费满 99.00 元后自动成为分销商，无需申请' })
    expect(err.message).toBe('累计完成消费满 99.00 元后自动成为分销商，无需申请')
    expect(errorFromResponse(400, { code: 'application_not_accepted' }).message).toBe('当前不接受分销商申请')
  })
})
