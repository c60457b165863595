import { describe, expect, it } from 'vitest'
import {
  captureRef,
  flushRef,
  pendingRef,
  refFromQuery,
  refFromScene,
  refFromUrl,
} from '../src/utils/ref.js'

describe('referral capture', () => {
  it('reads ?ref= from an H5 address', () => {
    expect(refFromUrl('https://shop.example/?ref=ABC123')).toEqual({ code: 'ABC123', productId: null })
  })

  it('reads the code from the hash route query', () => {
    expect(refFromUrl('https://shop.example/#/pages/product/detail?id=42&ref=XYZ9')).toEqual({
      code: 'XYZ9',
      productId: 42,
    })
  })

  it('takes the product from the hash route when the code is in the search part', () => {
    expect(refFromUrl('http://h/?ref=AB12#/pages/product/detail?id=5')).toEqual({ code: 'AB12', productId: 5 })
  })

  it('finds nothing in an address without a code', () => {
    expect(refFromUrl('https://shop.example/#/pages/index/index')).toBeNull()
  })

  it('reads a mini-program scene r=CODE&p=ID, encoded or not', () => {
    expect(refFromScene('r%3DABC123%26p%3D42')).toEqual({ code: 'ABC123', productId: 42 })
    expect(refFromScene('r=ABC123&p=42')).toEqual({ code: 'ABC123', productId: 42 })
    expect(refFromQuery({ scene: 'r%3DQ1' })).toEqual({ code: 'Q1', productId: null })
  })

  it('drops codes that are not codes', () => {
    expect(refFromQuery({ ref: '<script>' })).toBeNull()
    expect(refFromScene('p=3')).toBeNull()
  })

  it('keeps a captured code until the visit is reported once, then forgets it', async () => {
    captureRef({ ref: 'ABC123', id: '42' })
    expect(pendingRef()).toEqual({ code: 'ABC123', productId: 42 })

    const posted = []
    const result = await flushRef(async (path, body) => {
      posted.push([path, body])
      return { bound: true, inviter_id: 1 }
    })
    expect(result).toEqual({ bound: true, inviter_id: 1 })
    expect(posted).toEqual([['/referrals/visit', { code: 'ABC123', product_id: 42 }]])
    expect(pendingRef()).toBeNull()
    expect(await flushRef(async () => posted.push('again'))).toBeNull()
    expect(posted).toHaveLength(1)
  })

  it('keeps the code after a network failure and drops it when the server refuses it', async () => {
    captureRef({ ref: 'ABC123' })
    await flushRef(async () => {
      throw { code: 'network_error', status: 0 }
    })
    expect(pendingRef()).toEqual({ code: 'ABC123', productId: null })
    await flushRef(async () => {
      throw { code: 'referral_code_not_found', status: 404 }
    })
    expect(pendingRef()).toBeNull()
  })

  it('reports a coupon share link as a visit from a coupon, without taking its id for a product', async () => {
    expect(refFromUrl('http://h/#/pages/coupon/detail?coupon=7&ref=CP12')).toEqual({
      code: 'CP12',
      productId: null,
      source: 'coupon',
    })
    captureRef({ coupon: '7', ref: 'CP12' })
    const posted = []
    await flushRef(async (path, body) => posted.push([path, body]))
    expect(posted).toEqual([['/referrals/visit', { code: 'CP12', product_id: null, source: 'coupon' }]])
  })
})
