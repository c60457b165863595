// The signed-in user's phone number from the mini-program's getPhoneNumber button.
import { api } from './http.js'

// the server's codes, said for this button (phone_taken elsewhere means "register failed")
const PHONE_MESSAGES = {
  phone_taken: '该手机号已绑定其他账号，请用手机号和密码登录该账号',
  wechat_phone_failed: '获取微信手机号失败，请重试',
  invalid_phone: '微信返回的手机号格式不正确',
}

// The code of a getPhoneNumber event's detail, or '' when the buyer declined or WeChat failed.
export function phoneCodeOf(detail) {
  if (!detail || !detail.code) return ''
  return /:ok$/.test(detail.errMsg || ':ok') ? detail.code : ''
}

// POST /auth/wechat/phone → the user with the phone attached.
export function attachWechatPhone(code) {
  return api.post('/auth/wechat/phone', { code }, { silent: true })
}

export function phoneErrorMessage(err) {
  return PHONE_MESSAGES[err && err.code] || (err && err.message) || '获取手机号失败，请重试'
}
