import { describe, expect, it } from 'vitest'
import { attachWechatPhone, phoneCodeOf, phoneErrorMessage } from '../src/api/account.js'
import { setToken } from '../src/api/http.js'
import { calls, respond } from './uni.js'

describe('mini-program phone number', () => {
  it('reads the code of an accepted getPhoneNumber event only', () => {
    expect(phoneCodeOf({ errMsg: 'getPhoneNumber:ok', code: 'c1' })).toBe('c1')
    expect(phoneCodeOf({ errMsg: 'getPhoneNumber:fail user deny' })).toBe('')
    expect(phoneCodeOf({ errMsg: 'getPhoneNumber:fail:user deny', code: 'x' })).toBe('')
    expect(phoneCodeOf(undefined)).toBe('')
  })

  it('posts the code with the token and resolves to the user', async () => {
    setToken('tok-1')
    respond(() => ({ statusCode: 200, data: { id: 3, phone: '13800138000' } }))
    const user = await attachWechatPhone('c1')
    expect(user.phone).toBe('13800138000')
    const [req] = calls.requests
    expect([req.method, req.url]).toEqual(['POST', '/api/v1/auth/wechat/phone'])
    expect(req.data).toEqual({ code: 'c1' })
    expect(req.header.Authorization).toBe('Bearer tok-1')
  })

  it('says in Chinese why a number was not attached, without a second toast', async () => {
    respond(() => ({ statusCode: 409, data: { code: 'phone_taken', message: '已绑定' } }))
    const taken = await attachWechatPhone('c1').catch((e) => e)
    expect(phoneErrorMessage(taken)).toContain('已绑定其他账号')
    respond(() => ({ statusCode: 502, data: { code: 'wechat_phone_failed', message: 'x' } }))
    const failed = await attachWechatPhone('c2').catch((e) => e)
    expect(phoneErrorMessage(failed)).toBe('获取微信手机号失败，请重试')
    respond(() => 'network')
    const offline = await attachWechatPhone('c3').catch((e) => e)
    expect(phoneErrorMessage(offline)).toContain('网络')
    expect(calls.toasts).toEqual([]) // the page shows the message itself
  })
})
